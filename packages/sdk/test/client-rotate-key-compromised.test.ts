// `server.rotateKey` typed neither the `compromised` switch of POST /api/v1/admin/keys/rotate nor the `dropped` kids
// of its answer (docs/PROTOCOL.md, "Keys"): a TypeScript caller could not ask for the rotation that answers a leaked
// key without a cast, nor read which keys it dropped. Against a real listening server; the failure was the typecheck.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VouchClient } from '../src/index.ts';
import { ADMIN_KEY, startLiveServer } from './aip-server.ts';

test('rotateKey takes compromised and answers the dropped kids, typed', async (t) => {
  const live = await startLiveServer();
  t.after(() => live.close());
  const admin = new VouchClient({ baseUrl: live.url, credentials: { adminKey: ADMIN_KEY }, retry: { retries: 0 } });
  const first = await admin.server.rotateKey({ purpose: 'tokens' });
  assert.deepEqual(first.dropped, []);
  const second = await admin.server.rotateKey({ purpose: 'tokens', compromised: true });
  const dropped: string[] = second.dropped;
  assert.ok(dropped.includes(first.kid), `the compromised rotation drops ${first.kid}: ${dropped.join(', ')}`);
});
