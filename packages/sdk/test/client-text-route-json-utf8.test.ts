// A route that answers text (the AIP spec, metrics) may still be answered a body labelled JSON, which the client
// parses and hands back: those bytes must be UTF-8 too (RESPONSE_INVALID), as on a JSON route, not read with U+FFFD
// in place of the bytes that are not. Found by mutation testing: reading such a body as UTF-8 only when the route
// answers JSON (dropping the content-type half of the check) failed no test. A body not labelled JSON is text, read
// as it is. Against a loopback server answering the bytes as they are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VouchClient } from '../src/index.ts';
import { respond, responseInvalid, serveAnswers } from './answering-server.ts';

const enc = new TextEncoder();
/** `{"note":"a<0xff>b"}`: JSON whose only fault is a byte that is not UTF-8 inside a string. */
const NOT_UTF8 = Uint8Array.from([...enc.encode('{"note":"a'), 0xff, ...enc.encode('b"}')]);

test('a text route answered JSON that is not UTF-8 is RESPONSE_INVALID', async (t) => {
  const { url } = await serveAnswers(t, respond('application/json', NOT_UTF8));
  const client = new VouchClient({ baseUrl: url, retry: { retries: 0 } });
  await assert.rejects(client.tokens.spec(), responseInvalid);
  await assert.rejects(client.server.metrics({ as: 'none' }), responseInvalid);
});

test('a text route answered UTF-8 JSON hands back the parsed body; unlabelled text is read as it is', async (t) => {
  const { url } = await serveAnswers(t, respond('application/json', enc.encode('{"note":"aéb"}')));
  const client = new VouchClient({ baseUrl: url, retry: { retries: 0 } });
  assert.deepEqual(await client.tokens.spec(), { note: 'aéb' });
  const text = await serveAnswers(t, respond('text/markdown', NOT_UTF8));
  const textClient = new VouchClient({ baseUrl: text.url, retry: { retries: 0 } });
  assert.equal(await textClient.tokens.spec(), '{"note":"a\ufffdb"}');
});
