// A call cancelled while the client signs it (agent-signed requests sign each attempt, asynchronously) is not sent.
// Before, the abort listener was added only after signing, to a signal that had already fired, so it never ran: the
// request went out regardless and `agents.revoke` revoked the agent for good after the caller had cancelled.
// Against a loopback server that records every request it gets.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, getDefaultCrypto, VouchClient } from '../src/index.ts';
import type { CryptoProvider } from '../src/index.ts';

const seen: string[] = [];
let server: Server;
let base = '';

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"did":"did:key:z6Mk","status":"revoked"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

test('a signed call aborted while its request is being signed rejects with the reason and sends nothing', async () => {
  const { privateKey } = await generateKeyPair('Ed25519');
  const controller = new AbortController();
  const reason = new Error('cancelled by the caller');
  const node = getDefaultCrypto();
  // The caller cancels while the signature is being made (a WebCrypto or threadpool operation in real use).
  const crypto: CryptoProvider = {
    ...node,
    name: node.name,
    sign: async (alg, key, data) => {
      controller.abort(reason);
      return node.sign(alg, key, data);
    },
  };
  const client = new VouchClient({
    baseUrl: base,
    crypto,
    retry: { retries: 0 },
    credentials: { agent: { did: 'did:key:z6Mk', privateKey } },
  });
  await assert.rejects(client.agents.revoke('did:key:z6Mk', 'gone', { signal: controller.signal }), (err) => {
    assert.equal(err, reason);
    return true;
  });
  assert.deepEqual(seen, [], 'no request left the client');
});
