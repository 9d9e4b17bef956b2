// An agent-signed request acts at most once, even when its headers arrive inside the ±5 minute window and its body
// after it: the one-use record of its first use is pruned once the window has closed, so the window itself must
// be checked again where the request acts. Sent over a real socket, the body held back until the server has
// authenticated the headers and waits for it.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { canonicalize } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { TEST_ENV, registerPow, signedHeaders, signedInject } from './helpers.ts';

const WINDOW = 5 * 60_000;

/** Resolves once the server reads the body of the next request it receives: authentication is behind it. */
function nextRequestReadingBody(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('request', (req: IncomingMessage) => {
      let polls = 0;
      const poll = () => {
        // Fastify's body parser listens for `data` only after the onRequest hooks (the authenticator) finished.
        if (req.listenerCount('data') > 0) return resolve();
        if (++polls > 100_000) return reject(new Error('the server never started reading the body'));
        setImmediate(poll);
      };
      poll();
    });
  });
}

eachEngine('a signed request whose body arrives after its window closed does not act again', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const a = await registerPow(app);
    const url = `/api/v1/agents/${a.id}/slug`;
    const signedAt = clock.now();
    const first = await signedInject(app, a.pair, a.did, 'PUT', url, { slug: 'first-name' }, signedAt);
    assert.equal(first.statusCode, 200, first.body);
    clock.advance(60_000);
    const renamed = await signedInject(app, a.pair, a.did, 'PUT', url, { slug: 'second-name' }, clock.now());
    assert.equal(renamed.statusCode, 200, renamed.body);

    // The first request's exact bytes again: headers at the window's last millisecond, body a millisecond later.
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    // Node cuts off a client still sending after VOUCH_REQUEST_TIMEOUT_MS (no limit unless set).
    assert.equal(app.server.requestTimeout, 60_000);
    const body = canonicalize({ slug: 'first-name' });
    const headers = await signedHeaders(a.pair, a.did, 'PUT', url, { slug: 'first-name' }, signedAt);
    clock.set(signedAt + WINDOW);
    const reading = nextRequestReadingBody(app.server);
    const answer = new Promise<{ status: number; json: { code?: string } }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'PUT',
          path: url,
          headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) as { code?: string } }));
        },
      );
      req.on('error', reject);
      req.flushHeaders();
      void reading.then(() => {
        clock.advance(1);
        req.end(body);
      }, reject);
    });
    const replay = await answer;
    assert.equal(replay.status, 401);
    assert.equal(replay.json.code, 'UNAUTHORIZED');

    const row = await storage.db.selectFrom('agents').select('slug').where('id', '=', a.id).executeTakeFirstOrThrow();
    assert.equal(row.slug, 'second-name', 'the late replay changed nothing');
  } finally {
    await app.close();
  }
});
