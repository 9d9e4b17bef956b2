// A request body nested deeper than JSON.stringify can walk (a linked list built by mistake, a self-nesting document)
// made it throw a bare RangeError ("Maximum call stack size exceeded") out of the client: no VouchError, no code to
// switch on. Such a body is now INVALID_ARGUMENT and nothing is sent, as a cycle or a BigInt is (client-body-not-json);
// the server would refuse it anyway (JSON_TOO_DEEP past 64 levels).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { respond, serveAnswers } from './answering-server.ts';
import { isVouchError, VouchClient } from '../src/index.ts';

test('a body nested past what JSON.stringify can walk is INVALID_ARGUMENT and is not sent', async (t) => {
  const s = await serveAnswers(t, respond('application/json', '{}'));
  const client = new VouchClient({ baseUrl: s.url, credentials: { adminKey: 'admin-key' }, retry: { retries: 0 } });
  let deep: unknown = 'Acme';
  for (let i = 0; i < 1_000_000; i++) deep = { name: deep };
  await assert.rejects(client.owners.create(deep as { name: string; handle: string }), (err: unknown) => {
    assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), String(err));
    return true;
  });
  assert.deepEqual(s.seen, [], 'nothing was sent');
});
