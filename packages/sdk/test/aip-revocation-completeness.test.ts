// The offline verifier's revocation list counts as up to date only once a sync has read to a page saying
// `has_more: false`: a list longer than one sync reads is continued from its cursor, never taken as fresh half-read,
// and a server whose cursor does not advance cannot make it loop or look fresh. Against a real loopback issuer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AIP_TYP, aipClaimName, createAipVerifier, generateKeyPair, isVouchError, signJwt } from '../src/index.ts';
import type { AipCheckResult, JwtClaims } from '../src/index.ts';
import { RevocationSet } from '../src/aip/revocations.ts';

const NOW = Date.UTC(2026, 0, 1);
const S = NOW / 1000;
const TARGET = 'revoked-late-jti';

/** What the issuer serves; tests set it. `jtis` are paged one per page: `since` is the index of the next entry. */
const issuerState = {
  jtis: [] as string[],
  mode: 'normal' as 'normal' | 'stuck-cursor' | 'unconditional-304',
  requests: [] as string[],
};
let server: Server;
let issuer = '';
let jwk: Record<string, unknown>;
let sign: (claims: JwtClaims) => Promise<string>;

before(async () => {
  const pair = await generateKeyPair('P-256');
  jwk = { ...pair.publicJwk, kid: pair.thumbprint, alg: 'ES256', use: 'sig' };
  sign = (claims) => signJwt(claims, pair.privateKey, { kid: pair.thumbprint, typ: AIP_TYP.identity });
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const json = (v: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(v));
    if (url.pathname === '/.well-known/agent-registry.json') {
      return json({
        protocol: 'agent-identity-v2',
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        revocations_endpoint: `${issuer}/api/registry/revocations`,
      });
    }
    if (url.pathname === '/.well-known/jwks.json') return json({ keys: [jwk] });
    if (url.pathname !== '/api/registry/revocations') return res.writeHead(404).end();
    issuerState.requests.push(`${url.pathname}${url.search}`);
    const entry = (jti: string) => ({ jti, revoked_at: '2026-01-01T00:00:00.000Z', exp: S + 3600, reason: null });
    if (issuerState.mode === 'unconditional-304') return res.writeHead(304).end();
    if (issuerState.mode === 'stuck-cursor') {
      return json({ revoked: [entry(`stuck-${issuerState.requests.length}`)], count: 1, cursor: '5', has_more: true });
    }
    const at = Number(url.searchParams.get('since') ?? '0');
    const page = issuerState.jtis.slice(at, at + 1);
    const next = at + page.length;
    return json({
      revoked: page.map(entry),
      count: page.length,
      cursor: String(next),
      has_more: next < issuerState.jtis.length,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

function reset(jtis: string[], mode: (typeof issuerState)['mode'] = 'normal'): void {
  issuerState.jtis = jtis;
  issuerState.mode = mode;
  issuerState.requests = [];
}

function listOf(length: number, targetAt: number): string[] {
  return Array.from({ length }, (_, i) => (i === targetAt ? TARGET : `other-${i}`));
}

async function targetToken(): Promise<string> {
  const claims: JwtClaims = { iss: issuer, sub: 'did:identity:abcdefghijklmnopqrstuvwxya', iat: S, exp: S + 3600 };
  claims.jti = TARGET;
  claims[aipClaimName(issuer, 'token_type')] = 'identity';
  return sign(claims);
}

function verdict(r: AipCheckResult): string {
  return r.valid ? 'valid' : r.code;
}

test('a token revoked beyond the first 100 pages of the list is refused (the whole list is read)', async () => {
  reset(listOf(130, 120));
  const verifier = createAipVerifier({ issuer, now: () => NOW });
  assert.equal(verdict(await verifier.check(await targetToken())), 'TOKEN_REVOKED');
  assert.equal(issuerState.requests.length, 130);
});

test('a list longer than one sync reads is not fresh: verification fails closed, the next sync continues from the cursor', async () => {
  reset(listOf(1005, 1003));
  const verifier = createAipVerifier({ issuer, now: () => NOW });
  const token = await targetToken();

  const first = await verifier.check(token);
  assert.equal(verdict(first), 'AIP_FETCH_FAILED', 'a list never read to its end is not used');
  assert.equal(issuerState.requests.length, 1000, 'one sync reads at most 1,000 pages');
  assert.equal(verifier.isRevoked(TARGET), false);

  const second = await verifier.check(token);
  assert.equal(verdict(second), 'TOKEN_REVOKED');
  assert.deepEqual(
    issuerState.requests.slice(1000),
    [1000, 1001, 1002, 1003, 1004].map((i) => `/api/registry/revocations?since=${i}`),
    'continued from the cursor it reached, not from the start',
  );
});

test('an unfinished sync leaves syncedAt at the last complete one; successive syncs finish the list', async () => {
  reset(listOf(2, -1));
  const url = `${issuer}/api/registry/revocations`;
  const set = new RevocationSet(url, (u, init) => fetch(u, init), 5000, 3);
  await set.sync(NOW, 0);
  assert.equal(set.syncedAt, NOW);

  issuerState.jtis = listOf(10, 9);
  issuerState.requests = [];
  for (const at of [NOW + 1, NOW + 2]) {
    await assert.rejects(set.sync(at, 0), (err: unknown) => isVouchError(err, 'AIP_FETCH_FAILED'));
    assert.equal(set.syncedAt, NOW, 'an unfinished sync does not count as fresh');
  }
  assert.equal(set.cursor, '8');
  assert.equal(set.has(TARGET), false);
  await set.sync(NOW + 3, 0);
  assert.equal(set.syncedAt, NOW + 3);
  assert.ok(set.has(TARGET));
  assert.deepEqual(
    issuerState.requests.map((r) => new URL(r, issuer).searchParams.get('since')),
    ['2', '3', '4', '5', '6', '7', '8', '9'],
    'each page asked once, in order',
  );
});

test('a cursor that does not advance, or a 304 to an unconditional request, never makes the list fresh', async () => {
  for (const mode of ['stuck-cursor', 'unconditional-304'] as const) {
    reset([], mode);
    const verifier = createAipVerifier({ issuer, now: () => NOW });
    await assert.rejects(verifier.verify(await targetToken()), (err: unknown) => {
      assert.ok(isVouchError(err, 'AIP_FETCH_FAILED'), `${mode}: ${String(err)}`);
      assert.ok(isVouchError(err.cause, 'AIP_RESPONSE_INVALID'), `${mode}: ${String(err.cause)}`);
      return true;
    });
    assert.ok(issuerState.requests.length <= 2, `${mode}: stopped after ${issuerState.requests.length} requests`);
  }
});
