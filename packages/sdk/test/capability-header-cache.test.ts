// checkCapability keeps the header segments it has seen so that a gateway's next token skips re-parsing its header
// (the fast path). Only headers of tokens whose signature verified may enter: junk tokens with distinct headers filled
// the bounded cache for good, and every genuine token took the slow path from then on. The probe for "fast path
// taken" is a gateway-signed payload with a duplicated member: the strict decoder refuses it, the fast path (safe
// because a gateway never signs such JSON) reads it.
import assert from 'node:assert/strict';
import { createPrivateKey, sign } from 'node:crypto';
import { test } from 'node:test';
import { checkCapability, decodeBase64url, encodeBase64url } from '../src/index.ts';
import { capabilityFixture } from './capability-fixtures.ts';
import { NOW } from './registry-fixtures.ts';

const req = { agentId: 'agent:x', resource: 'payments:invoices', action: 'read' };
const text = (b64: string) => new TextDecoder().decode(decodeBase64url(b64));

test('junk headers do not crowd the gateway header out of the fast path', async () => {
  const f = await capabilityFixture();
  const options = { resolveKey: f.resolveKey, now: NOW.getTime(), registry: f.g.doc };
  const genuine = await f.token();
  const [h, p] = genuine.split('.') as [string, string, string];
  const header = JSON.parse(text(h)) as Record<string, unknown>;

  // 200 well-formed tokens, each with its own header, none signed by the gateway.
  for (let i = 0; i < 200; i++) {
    const junkHeader = encodeBase64url(JSON.stringify({ ...header, kid: `junk-${i}` }));
    const junk = `${junkHeader}.${p}.${encodeBase64url(new Uint8Array(64))}`;
    assert.equal((await checkCapability(junk, req, options)).decision, 'deny');
  }
  assert.equal((await checkCapability(genuine, req, options)).decision, 'allow');

  // The gateway's header is now known: a payload the strict decoder refuses (a duplicated member) goes the fast way.
  const payload = `{"act":"write",${text(p).slice(1)}`;
  const input = `${h}.${encodeBase64url(payload)}`;
  const signature = sign(null, Buffer.from(input), createPrivateKey(f.gateway.privatePem!));
  const probe = `${input}.${encodeBase64url(signature)}`;
  const d = await checkCapability(probe, req, options);
  assert.equal(d.decision, 'allow', `the gateway header took the slow path: ${JSON.stringify(d)}`);
});
