// strictJson applies to a success body only (CallOptions: "Reads a success body labelled JSON with parseStrict"): a
// refusal is read as ever, so its code survives a body a strict reader would refuse (a member repeated by a proxy
// or a server's error handler), instead of turning into HTTP_ERROR. Found by mutation testing: parsing error bodies
// strictly too failed no test. A loopback server answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VouchApiError, VouchClient } from '../src/index.ts';
import { respond, responseInvalid, serveAnswers } from './answering-server.ts';

const REPEATED = '{"error":"taken","code":"SLUG_TAKEN","field":"slug","field":"slug"}';

test('with strictJson a refusal keeps its code whatever a strict reader says of its body', async (t) => {
  const s = await serveAnswers(t, respond('application/json', REPEATED, 409));
  const client = new VouchClient({ baseUrl: s.url });
  await assert.rejects(client.server.health({ strictJson: true }), (err: unknown) => {
    assert.ok(err instanceof VouchApiError, String(err));
    assert.equal(err.code, 'SLUG_TAKEN');
    assert.equal(err.status, 409);
    assert.equal(err.field, 'slug');
    return true;
  });
});

test('with strictJson the same body as a success is RESPONSE_INVALID', async (t) => {
  const s = await serveAnswers(t, respond('application/json', REPEATED));
  const client = new VouchClient({ baseUrl: s.url });
  await assert.rejects(client.server.health({ strictJson: true }), responseInvalid);
  assert.deepEqual(await client.server.health(), JSON.parse(REPEATED));
});
