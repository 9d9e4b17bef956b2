// checkCapability hands its key resolver the token's header. The header of a token whose signature verified is kept
// for the fast path (capability-header-cache.test.ts), and that very object was handed to every later resolver: a
// resolver that edited the header it was given (normalising its kid, say) changed the header of every later token
// with that header text, whatever resolver checked it. Each call now gets its own copy, as decodeJws gives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkCapability, type KeyResolver } from '../src/index.ts';
import { capabilityFixture } from './capability-fixtures.ts';
import { NOW } from './registry-fixtures.ts';

const req = { agentId: 'agent:x', resource: 'payments:invoices', action: 'read' };

test("a resolver that edits the header it is given does not change later tokens' headers", async () => {
  const f = await capabilityFixture();
  const token = await f.token();
  const options = { now: NOW.getTime(), registry: f.g.doc };
  const seen: Array<string | undefined> = [];
  const editing: KeyResolver = (kid, header) => {
    seen.push(header?.kid);
    const key = f.resolveKey(kid, header);
    if (header !== undefined) header.kid = 'edited-by-a-resolver';
    return key;
  };
  // First presentation: the strict path; then the fast path (the header is known by now), twice.
  for (let i = 0; i < 3; i++) {
    const d = await checkCapability(token, req, { ...options, resolveKey: editing });
    assert.equal(d.decision, 'allow', `presentation ${i + 1}: ${JSON.stringify(d)}`);
  }
  assert.deepEqual(seen, [f.gateway.thumbprint, f.gateway.thumbprint, f.gateway.thumbprint]);
  // Another verifier with a plain resolver, after the editing one.
  const d = await checkCapability(token, req, { ...options, resolveKey: f.resolveKey });
  assert.equal(d.decision, 'allow', JSON.stringify(d));
});
