// Test strength: an error answer's body is read as an error body — up to 64 KiB whatever maxResponseBytes says, and
// decoded leniently (docs/PROTOCOL.md, Errors) — so its code survives. Nothing checked either for a body under the
// 64 KiB: reading error bodies only up to 1 KiB (MAX_ERROR_BODY), or reading a 400 as a success body (`status > 400`
// in attempt: capped by maxResponseBytes, and a stray non-UTF-8 byte made it RESPONSE_INVALID), lost the server's
// VALIDATION_FAILED and field. Against a loopback server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VouchApiError, VouchClient } from '../src/index.ts';
import { serveAnswers } from './answering-server.ts';

async function refusal(p: Promise<unknown>): Promise<VouchApiError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof VouchApiError, String(err));
    return err;
  }
  assert.fail('expected a rejection');
}

test('a 400 body up to 64 KiB keeps its code, past maxResponseBytes and with bytes that are not UTF-8', async (t) => {
  const bodies: Uint8Array[] = [
    // 60 KiB of JSON: under the error cap, far over the client's maxResponseBytes.
    Buffer.from(
      JSON.stringify({ error: 'bad', code: 'VALIDATION_FAILED', field: 'body.slug', pad: 'a'.repeat(60_000) }),
    ),
    // A stray 0xff inside the message: decoded as U+FFFD, not refused.
    Buffer.concat([Buffer.from('{"error":"bad '), Buffer.from([0xff]), Buffer.from('","code":"VALIDATION_FAILED"}')]),
  ];
  let i = 0;
  const s = await serveAnswers(t, (_req, res) =>
    res.writeHead(400, { 'content-type': 'application/json' }).end(bodies[i++]),
  );
  const client = new VouchClient({ baseUrl: s.url, maxResponseBytes: 1024, retry: { retries: 0 } });

  const big = await refusal(client.server.health());
  assert.deepEqual([big.code, big.status, big.field], ['VALIDATION_FAILED', 400, 'body.slug']);
  const stray = await refusal(client.server.health());
  assert.deepEqual([stray.code, stray.status, stray.message], ['VALIDATION_FAILED', 400, 'bad \ufffd']);
});
