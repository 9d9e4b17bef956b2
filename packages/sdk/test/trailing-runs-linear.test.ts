// Trimming a trailing run of characters costs time in proportion to the text. `/\/+$/` and `/[\t\n\r ]+$/` try a
// match at every character of an inner run and scan it to its end each time: a URL with 200,000 slashes before its
// last segment (a base URL from a CLI identity file or $VOUCH_SERVER) or a credential with 200,000 spaces inside it
// (a key file) took about 15 s, synchronously. Each finishes in well under a millisecond now; the bound is 1 s.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VouchClient, createAipVerifier, isVouchError, type HttpFetch } from '../src/index.ts';

const RUN = 200_000;
const BOUND_MS = 1_000;

/**
 * Milliseconds of CPU this process has used: what a quadratic scan spends, and not the time a loaded machine leaves
 * the process waiting for a core, which the wall clock would count against the bound.
 */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const started = cpuMs();
  const value = fn();
  return { value, ms: cpuMs() - started };
}

test('a base URL or issuer with a long inner run of slashes is read in linear time', () => {
  const url = `http://127.0.0.1:4100/${'/'.repeat(RUN)}x/`;
  const client = timed(() => new VouchClient({ baseUrl: url }));
  assert.ok(client.ms < BOUND_MS, `new VouchClient took ${Math.round(client.ms)} ms`);
  assert.equal(client.value.baseUrl, url.slice(0, -1));
  const verifier = timed(() => createAipVerifier({ issuer: url, fetch: async () => Promise.reject(new Error('no')) }));
  assert.ok(verifier.ms < BOUND_MS, `createAipVerifier took ${Math.round(verifier.ms)} ms`);
});

test('a credential with a long inner run of spaces is checked in linear time', async () => {
  let sent: string | null = null;
  const fetch: HttpFetch = async (_url, init) => {
    sent = new Headers(init.headers).get('x-api-key');
    return new Response('{"ok":true}', { status: 200, headers: { 'content-type': 'application/json' } });
  };
  const key = `k${' '.repeat(RUN)}k`;
  const client = new VouchClient({ baseUrl: 'http://127.0.0.1:4100', credentials: { adminKey: key }, fetch });
  const started = cpuMs();
  await client.server.health({ as: 'admin' }).catch((err: unknown) => {
    if (!isVouchError(err)) throw err;
  });
  const ms = cpuMs() - started;
  assert.ok(ms < BOUND_MS, `a call with the credential took ${Math.round(ms)} ms`);
  assert.equal(sent, key);
});
