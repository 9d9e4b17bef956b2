// createAgentIdentity reads `did` (and `linked`, `claimToken`) from the registration answer: an answer that is not
// an object naming a DID (JSON null, an HTML page, `{did: 42}`) is RESPONSE_INVALID, not a TypeError from reading
// null or an INVALID_ARGUMENT about the caller's arguments ("The agent needs its DID"). Against a loopback server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAgentIdentity, isVouchError, VouchClient } from '../src/index.ts';

const answer = { status: 201, type: 'application/json', body: 'null' };
let server: Server;
let base = '';

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url !== '/api/v1/agents/register') return void res.writeHead(404).end();
      res.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

test('a registration answer without a DID is RESPONSE_INVALID', async () => {
  const client = new VouchClient({ baseUrl: base, retry: { retries: 0 } });
  const options = { difficulty: 0, publicUrl: 'http://vouch.example' };
  for (const [status, type, body] of [
    [201, 'application/json', 'null'],
    [200, 'text/html', '<html>welcome</html>'],
    [201, 'application/json', '{"did": 42, "linked": false}'],
    // A string that is not a DID (an internal id, a slug): not the caller's mistake, so not INVALID_ARGUMENT.
    [201, 'application/json', '{"did": "agent-1", "linked": false}'],
    [201, 'application/json', '{"did": "did:vouch:x", "linked": false, "claimToken": 7}'],
  ] as const) {
    Object.assign(answer, { status, type, body });
    await assert.rejects(createAgentIdentity(client, options), (err: unknown) => {
      assert.ok(isVouchError(err, 'RESPONSE_INVALID'), `${body}: got ${String(err)}`);
      return true;
    });
  }
  Object.assign(answer, {
    status: 201,
    type: 'application/json',
    body: JSON.stringify({ did: 'did:vouch:x', linked: false, claimToken: 'ct' }),
  });
  const created = await createAgentIdentity(client, options);
  assert.equal(created.did, 'did:vouch:x');
  assert.equal(created.claimToken, 'ct');
  assert.equal(created.linked, false);
  // Only a JSON true is linked: a truthy string or number from a confused server is not.
  for (const linked of ['"true"', '1']) {
    Object.assign(answer, { body: `{"did": "did:vouch:x", "linked": ${linked}, "claimToken": "ct"}` });
    assert.equal((await createAgentIdentity(client, options)).linked, false, linked);
  }
  Object.assign(answer, { body: '{"did": "did:vouch:x", "linked": true}' });
  assert.equal((await createAgentIdentity(client, options)).linked, true);
});
