// A call's signal that is not an AbortSignal (the AbortController itself, a common slip, or any other object) threw a
// raw TypeError ("options.signal?.throwIfAborted is not a function") out of the client. It is now refused as
// VouchError INVALID_ARGUMENT naming what a signal must be, before anything is sent; null is still no signal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVouchError, VouchClient } from '../src/index.ts';
import type { HttpFetch } from '../src/index.ts';

test('a signal that is not an AbortSignal is INVALID_ARGUMENT and nothing is sent', async () => {
  let sent = 0;
  const fetch: HttpFetch = async () => {
    sent++;
    return { status: 200, headers: new Headers({ 'content-type': 'application/json' }), text: async () => '{}' };
  };
  const client = new VouchClient({ baseUrl: 'http://127.0.0.1:1', fetch });
  for (const signal of [new AbortController(), {}, 'abort', 1]) {
    await assert.rejects(client.server.health({ signal: signal as unknown as AbortSignal }), (err: unknown) => {
      assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), String(err));
      assert.match(err.message, /AbortSignal/);
      return true;
    });
  }
  assert.equal(sent, 0);
  await client.server.health({ signal: null as unknown as AbortSignal });
  await client.server.health({ signal: new AbortController().signal });
  assert.equal(sent, 2);
});
