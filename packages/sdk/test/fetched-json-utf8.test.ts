// A JSON document the SDK fetches must be UTF-8 (RFC 8259 §8.1): bytes that are not — a stray 0xff, a surrogate
// encoded as CESU-8 (ED A0 80), an overlong "/" (C0 AF) — are refused, AIP_RESPONSE_INVALID for the AIP verifier's
// and the verifier cache's documents, RESPONSE_INVALID for the client's answers, rather than read with U+FFFD in
// their place. A leading byte-order mark, which RFC 8259 lets a reader ignore, is ignored. Against a real loopback
// server that answers the bytes as they are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAipVerifier, fetchVerifierCache, isVouchError, VouchClient } from '../src/index.ts';
import { respond, responseInvalid, serveAnswers } from './answering-server.ts';
import type { Handler } from './answering-server.ts';

const BAD: Array<[string, number[]]> = [
  ['a stray 0xff', [0xff]],
  ['a surrogate encoded as CESU-8', [0xed, 0xa0, 0x80]],
  ['an overlong "/"', [0xc0, 0xaf]],
];
const BOM = [0xef, 0xbb, 0xbf];

/** `json` as UTF-8, with `inside` inserted in the string value "@" (a JSON string: only the bytes are wrong). */
function bytesOf(json: unknown, inside: number[] = [], prefix: number[] = []): Uint8Array {
  const [before, after] = JSON.stringify(json).split('@') as [string, string?];
  const enc = new TextEncoder();
  return Uint8Array.from([
    ...prefix,
    ...enc.encode(before),
    ...inside,
    ...(after === undefined ? [] : enc.encode(after)),
  ]);
}

const jsonAnswer = (bytes: Uint8Array): Handler => respond('application/json', bytes);

/** AIP_RESPONSE_INVALID because the bytes are not UTF-8 (said by the error or the client's error it wraps). */
function aipResponseInvalid(err: unknown): true {
  assert.ok(isVouchError(err, 'AIP_RESPONSE_INVALID'), `expected AIP_RESPONSE_INVALID, got ${String(err)}`);
  assert.match(`${err.message} ${String((err.cause as Error | undefined)?.message)}`, /UTF-8/);
  return true;
}

/** RESPONSE_INVALID because the bytes are not UTF-8. */
function notUtf8(err: unknown): true {
  responseInvalid(err);
  assert.match((err as Error).message, /UTF-8/);
  return true;
}

type Docs = Record<string, (base: string, inside?: number[], prefix?: number[]) => Uint8Array>;

/** A loopback server answering `docs` (path → bytes); `bad` is answered with `inside` in its string, all with `prefix`. */
async function serveDocs(
  t: { after: (fn: () => Promise<void>) => void },
  docs: Docs,
  bad?: string,
  inside: number[] = [],
  prefix: number[] = [],
): Promise<string> {
  let base = '';
  const served = await serveAnswers(t, (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const doc = docs[path];
    if (doc === undefined) return void res.writeHead(404).end();
    jsonAnswer(path === bad ? doc(base, inside, prefix) : doc(base, [], prefix))(req, res);
  });
  base = served.url;
  return base;
}

const AIP_DOCS: Docs = {
  '/.well-known/agent-registry.json': (base, inside, prefix) =>
    bytesOf(
      {
        protocol: 'agent-identity-v2',
        issuer: base,
        jwks_uri: `${base}/jwks.json`,
        revocations_endpoint: `${base}/revocations`,
        note: '@',
      },
      inside,
      prefix,
    ),
  '/jwks.json': (_base, inside, prefix) => bytesOf({ keys: [], note: '@' }, inside, prefix),
  '/revocations': (_base, inside, prefix) =>
    bytesOf({ revoked: [], count: 0, cursor: '0', has_more: false, note: '@' }, inside, prefix),
};

test('the AIP verifier refuses a discovery document, JWKS or revocation page that is not UTF-8', async (t) => {
  for (const [what, inside] of BAD) {
    for (const bad of ['/.well-known/agent-registry.json', '/jwks.json']) {
      const v = createAipVerifier({ issuer: await serveDocs(t, AIP_DOCS, bad, inside), revocations: false });
      await assert.rejects(v.refreshKeys(), aipResponseInvalid, `${bad}: ${what}`);
    }
    const v = createAipVerifier({ issuer: await serveDocs(t, AIP_DOCS, '/revocations', inside) });
    await assert.rejects(v.syncRevocations(), aipResponseInvalid, `revocation page: ${what}`);
  }
});

test('the AIP verifier reads documents that begin with a byte-order mark', async (t) => {
  const v = createAipVerifier({ issuer: await serveDocs(t, AIP_DOCS, undefined, [], BOM) });
  await v.refreshKeys();
  await v.syncRevocations();
  assert.equal(v.isRevoked('j-1'), false);
});

test('the client refuses a JSON answer that is not UTF-8 (RESPONSE_INVALID), and reads one after a BOM', async (t) => {
  for (const [what, inside] of BAD) {
    const { url } = await serveAnswers(t, jsonAnswer(bytesOf({ keys: [], note: '@' }, inside)));
    const client = new VouchClient({ baseUrl: url, retry: { retries: 0 } });
    await assert.rejects(client.server.vouchKeys(), notUtf8, `vouch-keys.json: ${what}`);
    await assert.rejects(client.registry.document(), notUtf8, `registry document: ${what}`);
  }
  const { url } = await serveAnswers(t, jsonAnswer(bytesOf({ keys: [], note: 'é' }, [], BOM)));
  const client = new VouchClient({ baseUrl: url, retry: { retries: 0 } });
  assert.deepEqual(await client.server.vouchKeys(), { keys: [], note: 'é' });
});

const CACHE_DOCS: Docs = {
  '/.well-known/agent-registry.json': (_base, inside, prefix) =>
    bytesOf({ issuer: 'http://issuer.example', keys: [], note: '@' }, inside, prefix),
  '/.well-known/vouch-keys.json': (_base, inside, prefix) => bytesOf({ keys: [], note: '@' }, inside, prefix),
  '/api/registry/revocations': (_base, inside, prefix) =>
    bytesOf({ revoked: [], count: 0, cursor: '0', has_more: false, note: '@' }, inside, prefix),
};

test('fetchVerifierCache refuses documents that are not UTF-8 with AIP_RESPONSE_INVALID, reads them after a BOM', async (t) => {
  for (const bad of Object.keys(CACHE_DOCS)) {
    for (const [what, inside] of BAD) {
      const client = new VouchClient({ baseUrl: await serveDocs(t, CACHE_DOCS, bad, inside), retry: { retries: 0 } });
      await assert.rejects(fetchVerifierCache(client), aipResponseInvalid, `${bad}: ${what}`);
    }
  }
  const client = new VouchClient({
    baseUrl: await serveDocs(t, CACHE_DOCS, undefined, [], BOM),
    retry: { retries: 0 },
  });
  const cache = await fetchVerifierCache(client);
  assert.deepEqual(cache.vouchKeys, { keys: [], note: '' });
});
