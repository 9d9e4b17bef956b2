// maxResponseBytes was checked only as a non-negative number, while the body reader takes a safe integer: a cap of
// 1.5 or 2^60 (meant as "no cap") was accepted, and every call then went out, was answered, and failed as
// NETWORK_ERROR, status 0, "got no answer" (the reader's INVALID_ARGUMENT taken for a transport failure), retried
// with backoff on idempotent routes. The client now refuses such a cap when it is made, naming the option.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { respond, serveAnswers } from './answering-server.ts';
import { isVouchError, VouchClient } from '../src/index.ts';

test('maxResponseBytes that is not a whole number of bytes, 0 or more, is INVALID_ARGUMENT naming it', () => {
  for (const maxResponseBytes of [1.5, 2 ** 53, 2 ** 60, -1, Number.NaN, Infinity]) {
    assert.throws(
      () => new VouchClient({ baseUrl: 'http://127.0.0.1:1', maxResponseBytes }),
      (err: unknown) => {
        assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), `${maxResponseBytes}: ${String(err)}`);
        assert.match((err as Error).message, /maxResponseBytes/);
        return true;
      },
    );
  }
});

test('a whole-number maxResponseBytes up to 2^53 - 1 is taken and an answer under it is read', async (t) => {
  const s = await serveAnswers(t, respond('application/json', '{"keys":[]}'));
  for (const maxResponseBytes of [11, 4096, Number.MAX_SAFE_INTEGER]) {
    const client = new VouchClient({ baseUrl: s.url, maxResponseBytes });
    assert.deepEqual(await client.server.keys(), { keys: [] });
  }
});
