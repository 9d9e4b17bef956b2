// createAgentIdentity learns the server's public URL (for the key proof) from its discovery document, before the
// proof of work: a discovery answer that is not an object naming an issuer (JSON null, an empty 200, an HTML page)
// fails with AIP_RESPONSE_INVALID, never with a bare TypeError from destructuring it. Against a loopback server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAgentIdentity, isVouchError, VouchClient } from '../src/index.ts';

const answer = { type: 'application/json', body: 'null' };
let registrations = 0;
let server: Server;
let base = '';

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    if (req.url !== '/.well-known/agent-registry.json') {
      registrations++;
      return void res.writeHead(500).end();
    }
    res.writeHead(200, { 'content-type': answer.type }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

test('a discovery document that is not an object naming an issuer is AIP_RESPONSE_INVALID', async () => {
  const client = new VouchClient({ baseUrl: base, retry: { retries: 0 } });
  for (const [type, body] of [
    ['application/json', 'null'],
    ['application/json', ''],
    ['text/html', '<html>index</html>'],
    ['application/json', '{"issuer": 42}'],
    ['application/json', '{"issuer": ""}'],
  ]) {
    Object.assign(answer, { type, body });
    await assert.rejects(createAgentIdentity(client, { difficulty: 0 }), (err: unknown) => {
      assert.ok(isVouchError(err, 'AIP_RESPONSE_INVALID'), `${type} ${JSON.stringify(body)}: got ${String(err)}`);
      return true;
    });
  }
  assert.equal(registrations, 0, 'nothing is registered without the public URL');
});
