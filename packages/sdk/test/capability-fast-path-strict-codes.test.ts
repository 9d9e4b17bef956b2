// checkCapability decodes a token whose header it has seen on a verified token through a fast path (JSON.parse, no
// strict JSON): a payload with a repeated member, refused MALFORMED_TOKEN before any good token came, was read
// (the last value wins) and denied INVALID_SIGNATURE afterwards. The same text now gets the same code either way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCapability, encodeBase64url, type CapabilityDecision } from '../src/index.ts';
import { capabilityFixture } from './capability-fixtures.ts';
import { NOW } from './registry-fixtures.ts';

test('a payload with a repeated member is MALFORMED_TOKEN whether or not its header is known', async () => {
  const f = await capabilityFixture();
  const good = await f.token();
  const [header, , signature] = good.split('.');
  const payload = `{"jti":"other",${JSON.stringify(f.claims).slice(1)}`;
  const repeated = `${header}.${encodeBase64url(new TextEncoder().encode(payload))}.${signature}`;
  const request = { agentId: f.claims.sub, resource: 'payments:invoices', action: 'read' };
  const check = (token: string): Promise<CapabilityDecision> =>
    checkCapability(token, request, { resolveKey: f.resolveKey, now: NOW.getTime(), registry: f.g.doc });
  const codeOf = async (token: string) => ((await check(token)) as { code?: string }).code;

  assert.equal(await codeOf(repeated), 'MALFORMED_TOKEN', 'before the header is known');
  assert.equal((await check(good)).decision, 'allow');
  assert.equal(await codeOf(repeated), 'MALFORMED_TOKEN', 'once the header is known');
});
