// VouchAgent.signPayloadHash (and so signContent and the consents) reads `signatureHash` from the server's answer:
// an answer that carries none (JSON null, an HTML page, a wrong shape) is RESPONSE_INVALID, not a TypeError from
// destructuring null or a result whose signatureHash is undefined. Against a loopback server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, isVouchError, VouchAgent, VouchClient } from '../src/index.ts';

type Answer = (res: ServerResponse) => void;

async function serve(t: { after: (fn: () => Promise<void>) => void }, answer: { current: Answer }) {
  let calls = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls++;
      answer.current(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: () => calls };
}

const respond =
  (type: string, body: string, status = 200): Answer =>
  (res) =>
    void res.writeHead(status, { 'content-type': type }).end(body);

function invalid(err: unknown): true {
  assert.ok(isVouchError(err, 'RESPONSE_INVALID'), `expected RESPONSE_INVALID, got ${String(err)}`);
  return true;
}

test('signPayloadHash refuses a 2xx answer without a signatureHash', async (t) => {
  const answer = { current: respond('application/json', 'null', 201) };
  const s = await serve(t, answer);
  const client = new VouchClient({ baseUrl: s.url, retry: { retries: 0 } });
  const { privateKey } = await generateKeyPair('Ed25519');
  const agent = new VouchAgent(client, { did: 'did:vouch:test', privateKey });
  const hash = 'a'.repeat(64);
  for (const current of [
    respond('application/json', 'null', 201),
    respond('text/html', '<html>welcome</html>', 200),
    respond('application/json', '{"signatureHash": 42}', 201),
    respond('application/json', '{"signatureHash": "not-a-hash"}', 201),
    respond('application/json', '{}', 201),
  ]) {
    answer.current = current;
    await assert.rejects(agent.signPayloadHash(hash), invalid);
  }
  answer.current = respond('application/json', JSON.stringify({ signatureHash: 'b'.repeat(64) }), 201);
  assert.equal((await agent.signPayloadHash(hash)).signatureHash, 'b'.repeat(64));
});
