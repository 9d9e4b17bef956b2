// A VOUCH_PUBLIC_URL with a path (`https://x.example/vouch`) is served behind a reverse proxy that strips the prefix
// (the server's routes are at the root). A client whose baseUrl includes the prefix signs the path it sends,
// `/vouch/api/v1/...`, while the server sees `/api/v1/...`: the server accepts a signature over either, and over no
// other prefix. Through a real loopback proxy, with the SDK's own client.
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VouchApiError, VouchClient } from '@vouch/sdk';
import type { HttpFetch } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { TEST_ENV, registerPow } from './helpers.ts';

/** A reverse proxy on 127.0.0.1 that drops the first path segment (`/<anything>`) and forwards to `port`. */
async function strippingProxy(port: number): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = req.url!.replace(/^\/[^/?]*/, '') || '/';
    const out = request({ host: '127.0.0.1', port, method: req.method, path, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    out.on('error', (err) => res.destroy(err));
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function listening(env: Record<string, string>, open: () => Promise<never>): Promise<TestApp> {
  const t = await makeApp(await open(), { env: { ...TEST_ENV, ...env } });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  return t;
}

/** A fetch that remembers each request's headers, to send the very same signed request again. */
function recordingFetch(sent: { url: string; headers: Record<string, string>; body?: string }[]): HttpFetch {
  return (url, init) => {
    sent.push({ url, headers: init.headers, body: init.body });
    return globalThis.fetch(url, init);
  };
}

async function refusal(p: Promise<unknown>): Promise<VouchApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof VouchApiError) return err;
    throw err;
  }
  assert.fail('the call succeeded');
}

eachEngine('an agent signs the prefixed path behind a proxy that strips VOUCH_PUBLIC_URL’s path', async ({ open }) => {
  const t = await listening({ VOUCH_PUBLIC_URL: 'https://vouch.test/vouch' }, open as () => Promise<never>);
  const proxy = await strippingProxy((t.app.server.address() as AddressInfo).port);
  try {
    const a = await registerPow(t.app);
    const sent: { url: string; headers: Record<string, string>; body?: string }[] = [];
    const client = (base: string) =>
      new VouchClient({
        baseUrl: base,
        credentials: { agent: { did: a.did, privateKey: a.pair.privateKey } },
        now: () => t.clock.now(),
        retry: { retries: 0 },
        fetch: recordingFetch(sent),
      });

    // Through the proxy, signed over `/vouch/api/v1/agents/.../slug`: it acts.
    const done = await client(`${proxy.origin}/vouch`).agents.setSlug(a.did, 'behind-proxy');
    assert.equal(done.slug, 'behind-proxy');

    // The very same signed request again, straight to the server (its own path): the same signature, used up.
    const first = sent.at(-1)!;
    const direct = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const again = await fetch(first.url.replace(`${proxy.origin}/vouch`, direct), {
      method: 'PUT',
      headers: first.headers,
      body: first.body,
    });
    assert.equal(again.status, 409);
    assert.equal(((await again.json()) as { code: string }).code, 'REQUEST_REPLAYED');

    // Signed over the server's own path (a client talking to it directly) still acts.
    t.clock.advance(1);
    assert.equal((await client(direct).agents.setSlug(a.did, 'direct-name')).slug, 'direct-name');

    // Signed over another prefix, forwarded to the same route: refused.
    t.clock.advance(1);
    const other = await refusal(client(`${proxy.origin}/other`).agents.setSlug(a.did, 'other-prefix'));
    assert.equal(other.status, 401);
    assert.equal(other.code, 'UNAUTHORIZED');
    const res = await t.app.inject({ method: 'GET', url: '/v1/identity/direct-name' });
    assert.equal(res.statusCode, 200, res.body);
  } finally {
    await new Promise((resolve) => proxy.server.close(resolve));
    await t.app.close();
  }
});

eachEngine('without a path in VOUCH_PUBLIC_URL a signature over a prefixed path is refused', async ({ open }) => {
  const t = await listening({ VOUCH_PUBLIC_URL: 'https://vouch.test' }, open as () => Promise<never>);
  const proxy = await strippingProxy((t.app.server.address() as AddressInfo).port);
  try {
    const a = await registerPow(t.app);
    const client = new VouchClient({
      baseUrl: `${proxy.origin}/vouch`,
      credentials: { agent: { did: a.did, privateKey: a.pair.privateKey } },
      now: () => t.clock.now(),
      retry: { retries: 0 },
    });
    const err = await refusal(client.agents.setSlug(a.did, 'behind-proxy'));
    assert.equal(err.status, 401);
  } finally {
    await new Promise((resolve) => proxy.server.close(resolve));
    await t.app.close();
  }
});
