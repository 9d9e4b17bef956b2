// A request body JSON cannot carry at all — a reference cycle, a BigInt, a function — is refused with
// INVALID_ARGUMENT and nothing is sent, as a NaN is (client-body-non-finite). Before, JSON.stringify's TypeError
// ("Converting circular structure to JSON", "Do not know how to serialize a BigInt") or, for a body it turns into
// undefined, a TypeError from reading that undefined ("Cannot read properties of undefined") escaped the client: no
// VouchError, no code to switch on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { respond, serveAnswers } from './answering-server.ts';
import { isVouchError, VouchClient } from '../src/index.ts';
import type { JsonValue } from '../src/index.ts';

test('a body with a cycle, a BigInt or a function is INVALID_ARGUMENT and is not sent', async (t) => {
  const s = await serveAnswers(t, respond('application/json', '{}'));
  const client = new VouchClient({ baseUrl: s.url, credentials: { adminKey: 'admin-key' }, retry: { retries: 0 } });
  const cyclic: Record<string, unknown> = { name: 'Acme' };
  cyclic.self = cyclic;
  const bodies: Array<[string, unknown]> = [
    ['a cycle', cyclic],
    ['a BigInt', { name: 'Acme', handle: 10n }],
    ['a function', () => 'Acme'],
  ];
  for (const [what, body] of bodies) {
    await assert.rejects(client.owners.create(body as { name: string; handle: string }), (err: unknown) => {
      assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), `${what}: ${String(err)}`);
      return true;
    });
    await assert.rejects(client.integrators.ingest(body as JsonValue as never), (err: unknown) => {
      assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), `${what} (ingest): ${String(err)}`);
      return true;
    });
  }
  assert.deepEqual(s.seen, [], 'nothing was sent');
  assert.deepEqual(await client.owners.create({ name: 'Acme', handle: 'acme' }), {});
});
