// Agent identity token (AIP, ES256) verification throughput, every token distinct (each row presents twice as many
// tokens as a signature cache holds, in one cycle per row or server process, and a cache keeps no token that comes back
// only after more than it holds: every verification checks its signature; the caches' counters are noted to prove it):
// - in process: the SDK's offline verifier (every check of the server except the database ones, plus the revocation
//   set lookup) next to the limits it is built on — raw node:crypto P-256 verify, sync and on the threadpool — and
//   jose.jwtVerify (what AIP's reference implementation uses);
// - over HTTP: POST /api/registry/verify (the whole Vouch app: rate limit, JSON, checks, revocation and agent
//   lookups) on SQLite and on PostgreSQL (when BENCH_DATABASE_URL or VOUCH_TEST_DATABASE_URL is set), next to a bare
//   Fastify route that only does the raw async verify, each server in a child process pinned with taskset to one
//   core and autocannon pinned to another; between them, two steps that say where the difference goes: a bare
//   route doing the SDK's verifyAipToken, and one doing the server's verifyToken (revocation and agent checks) on
//   the Vouch process's own context, both answering the claims as the app does. Measured in interleaved rounds;
// - the same verifier and route with 64 tokens presented again and again (an agent sends its token with every
//   call): the signature cache answers, and every other check runs;
// - the servers' RSS after that load (read from /proc), Vouch next to the bare server.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importJWK, jwtVerify } from 'jose';
import {
  AIP_TYP,
  aipClaimName,
  createAipVerifier,
  createSignatureCache,
  createWebCryptoProvider,
  generateKeyPair,
  signJwt,
  type FetchLike,
  type JwtClaims,
} from '../packages/sdk/src/index.ts';
import {
  defineSuite,
  dropSchema,
  freshSchema,
  PG_URL,
  pinned,
  reportNote,
  rssMiB,
  spawnAnnouncing,
  stopChildren,
  httpRows,
  type BenchCase,
} from './lib/index.ts';
import { SIGNATURE_CACHE_ENTRIES } from '../packages/server/src/signature-caches.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const IN_FLIGHT = 64;
// In-process cases are measured in interleaved rounds (bench/lib/suite.ts): their ratios are the target's.
const ROUNDS = 5;
// HTTP cases too, fewer rounds: each is a few seconds of autocannon.
const HTTP_ROUNDS = 3;
// Twice what a signature cache holds (the SDK's default and the server's are both 4,096): see the top.
const TOKENS = 2 * SIGNATURE_CACHE_ENTRIES;
const HTTP_TOKENS = 2 * SIGNATURE_CACHE_ENTRIES;
/** Tokens of the "presented again" rows. */
const REPEATED = 64;
const HTTP_CONNECTIONS = 64;
const ISS = 'https://vouch.bench';

const children: ChildProcessWithoutNullStreams[] = [];
let workDir: string | undefined;
let pgSchema: string | undefined;
// The in-process verifiers' signature caches, by row, noted at teardown.
let inProcessCaches: Array<[string, ReturnType<typeof createSignatureCache>]> = [];

interface BenchServer {
  port: number;
  /** The Vouch process's bare route onto verifyToken (vouch mode only). */
  ladderPort?: number;
  child: ChildProcessWithoutNullStreams;
}

async function startServer(args: string[]): Promise<BenchServer> {
  const script = join(here, 'tokens', 'server.ts');
  const { info, child } = await spawnAnnouncing<{ port: number; ladderPort?: number }>(script, args, '{"port"', {
    cwd: root,
    children,
  });
  return { port: info.port, ladderPort: info.ladderPort, child };
}

const BARE = 'bare Fastify + raw async verify';

const rows = httpRows({
  connections: HTTP_CONNECTIONS,
  // Each request carries the next token as {"token": ...}.
  bodiesOf: async (file) =>
    (JSON.parse(await readFile(file, 'utf8')) as { tokens: string[] }).tokens.map((token) => JSON.stringify({ token })),
  cacheMetric: 'vouch_token_signature_cache',
  bare: BARE,
});

/**
 * A row whose figure is a server's RSS in MiB, read when the row comes up (after the HTTP rows before it); the first
 * such row also notes the HTTP rows' CPU per request.
 */
function rssCase(name: string, pid: number | undefined): BenchCase {
  return {
    group: 'server RSS after the HTTP load above',
    name,
    unit: 'MiB',
    run: async () => {
      rows.noteCpuPerRequest();
      const mib = rssMiB(pid);
      if (mib === undefined) throw new Error(`cannot read the RSS of ${name} (pid ${pid}): not Linux?`);
      return { ops: 1, seconds: 0, opsPerSec: mib, meanLatencyUs: 0, async: false, concurrency: 1 };
    },
  };
}

export default defineSuite({
  name: 'tokens',
  description: `ES256 agent token verification, ${TOKENS} distinct tokens in process, ${HTTP_TOKENS} over HTTP`,
  async setup(): Promise<BenchCase[]> {
    // ---- in process
    const pair = await generateKeyPair('P-256');
    const jwk = { ...pair.publicJwk, kid: pair.thumbprint, alg: 'ES256', use: 'sig' };
    const now = Date.now();
    const iat = Math.floor(now / 1000);
    const tokens: string[] = [];
    for (let i = 0; i < TOKENS + REPEATED; i++) {
      const claims: JwtClaims = {
        iss: ISS,
        sub: 'did:identity:abcdefghijklmnopqrstuvwxya',
        iat,
        exp: iat + 3600,
        jti: `j${i}`,
      };
      claims[aipClaimName(ISS, 'token_type')] = 'identity';
      claims[aipClaimName(ISS, 'deployer')] = 'bench';
      tokens.push(await signJwt(claims, pair.privateKey, { kid: pair.thumbprint, typ: AIP_TYP.identity }));
    }
    const parts = tokens.map((t) => {
      const dot = t.lastIndexOf('.');
      return { input: Buffer.from(t.slice(0, dot)), signature: Buffer.from(t.slice(dot + 1), 'base64url') };
    });
    const rawKey = { key: createPublicKey(pair.publicPem), dsaEncoding: 'ieee-p1363' as const };
    const joseKey = await importJWK(jwk, 'ES256');
    // The verifier syncs its revocation list once (empty) and keeps checking tokens against it.
    const emptyList: FetchLike = async () => ({
      status: 200,
      headers: { get: () => null },
      text: async () => JSON.stringify({ revoked: [], count: 0, cursor: '0', has_more: false }),
    });
    const verifierOptions = {
      issuer: ISS,
      jwks: { keys: [jwk] },
      revocationsUrl: `${ISS}/api/registry/revocations`,
      fetch: emptyList,
      now: () => now,
    };
    const nodeCache = createSignatureCache();
    const webCache = createSignatureCache();
    const repeatCache = createSignatureCache();
    const nodeVerifier = createAipVerifier({ ...verifierOptions, signatureCache: nodeCache });
    const webVerifier = createAipVerifier({
      ...verifierOptions,
      crypto: createWebCryptoProvider(),
      signatureCache: webCache,
    });
    const repeatVerifier = createAipVerifier({ ...verifierOptions, signatureCache: repeatCache });
    // Warmed up on the last distinct token, which their cycles reach last (so it is not a hit either).
    await nodeVerifier.verify(tokens[TOKENS - 1]!);
    await webVerifier.verify(tokens[TOKENS - 1]!);
    inProcessCaches = [
      ['SDK createAipVerifier [node]', nodeCache],
      ['SDK createAipVerifier [webcrypto]', webCache],
      [`SDK createAipVerifier [node], ${REPEATED} tokens presented again`, repeatCache],
    ];

    // Each verifier row goes through the distinct tokens in its own cycle (another row's turn does not move it),
    // and the repeated row through the last REPEATED tokens, which no other row presents.
    const cycle = (from: number, length: number) => {
      let n = 0;
      return () => tokens[from + (n++ % length)]!;
    };
    const nextToken = cycle(0, TOKENS);
    const nextNodeToken = cycle(0, TOKENS);
    const nextWebToken = cycle(0, TOKENS);
    const nextRepeated = cycle(TOKENS, REPEATED);
    let i = 0;
    const nextParts = () => parts[i++ % TOKENS]!;
    const RAW_SYNC = 'node:crypto verify sync';
    const RAW_ASYNC = 'node:crypto verify async';
    const JOSE = 'jose.jwtVerify';
    const group = `in process, median of ${ROUNDS} interleaved rounds`;

    // ---- over HTTP
    workDir = await mkdtemp(join(tmpdir(), 'vouch-bench-tokens-'));
    const tokensFile = join(workDir, 'tokens.json');
    const vouch = await startServer(['vouch', tokensFile, String(HTTP_TOKENS + REPEATED)]);
    const bare = await startServer(['bare', tokensFile]);
    let vouchPg: BenchServer | undefined;
    const pgTokensFile = join(workDir, 'tokens-pg.json');
    if (PG_URL !== undefined) {
      pgSchema = freshSchema();
      vouchPg = await startServer(['vouch', pgTokensFile, String(HTTP_TOKENS + REPEATED), PG_URL, pgSchema]);
    } else {
      reportNote('PostgreSQL cases skipped: BENCH_DATABASE_URL and VOUCH_TEST_DATABASE_URL are not set.');
    }
    // Each server issued HTTP_TOKENS distinct tokens and REPEATED more for the "presented again" row, which no other
    // row presents.
    const repeatFile = join(workDir, 'tokens-repeated.json');
    for (const [file, repeated] of [
      [tokensFile, repeatFile],
      [pgTokensFile, undefined],
    ] as const) {
      if (file === pgTokensFile && vouchPg === undefined) continue;
      const all = JSON.parse(await readFile(file, 'utf8')) as { tokens: string[] };
      await writeFile(file, JSON.stringify({ ...all, tokens: all.tokens.slice(0, HTTP_TOKENS) }));
      if (repeated !== undefined) {
        await writeFile(repeated, JSON.stringify({ ...all, tokens: all.tokens.slice(HTTP_TOKENS) }));
      }
    }
    // Probed with a token of the "presented again" row: one of the distinct tokens shown here, and again at once by
    // the first warm-up, would be kept, and answered from the cache once per cycle.
    const check = JSON.parse(await readFile(repeatFile, 'utf8')) as { tokens: string[] };
    const probe = await fetch(`http://127.0.0.1:${vouch.port}/api/registry/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: check.tokens[0] }),
    });
    if (probe.status !== 200) throw new Error(`the Vouch bench server does not verify its tokens: ${probe.status}`);
    const BARE_RSS = 'bare Fastify server RSS';
    const pin = pinned(0).length > 0 ? 'server on core 0, autocannon on core 1' : 'unpinned';
    const http = `HTTP, ${HTTP_CONNECTIONS} connections, ${pin}, median of ${HTTP_ROUNDS} interleaved rounds`;
    const httpRow = (
      name: string,
      url: string,
      file: string,
      pid: number | undefined,
      extra: Partial<BenchCase> = {},
      metricsUrl?: string,
    ): BenchCase => ({
      group: http,
      rounds: HTTP_ROUNDS,
      name,
      run: rows.httpCase(name, url, file, pid, metricsUrl),
      ...extra,
    });
    const metricsOf = (port: number) => `http://127.0.0.1:${port}/metrics`;

    return [
      {
        group,
        rounds: ROUNDS,
        name: RAW_SYNC,
        op: () => {
          const p = nextParts();
          return nodeVerify('sha256', p.input, rawKey, p.signature);
        },
      },
      {
        group,
        rounds: ROUNDS,
        name: RAW_ASYNC,
        concurrency: IN_FLIGHT,
        op: () => {
          const p = nextParts();
          return new Promise<boolean>((resolve, reject) =>
            nodeVerify('sha256', p.input, rawKey, p.signature, (err, ok) => (err ? reject(err) : resolve(ok))),
          );
        },
      },
      {
        group,
        rounds: ROUNDS,
        name: JOSE,
        concurrency: IN_FLIGHT,
        op: () => jwtVerify(nextToken(), joseKey, { issuer: ISS, algorithms: ['ES256'], currentDate: new Date(now) }),
      },
      {
        group,
        rounds: ROUNDS,
        name: 'SDK createAipVerifier [node]',
        concurrency: IN_FLIGHT,
        op: () => nodeVerifier.verify(nextNodeToken()),
        compareTo: [RAW_ASYNC, RAW_SYNC, JOSE],
        target: { vs: RAW_ASYNC, min: 0.9 },
      },
      {
        group,
        rounds: ROUNDS,
        name: 'SDK createAipVerifier [webcrypto]',
        concurrency: IN_FLIGHT,
        op: () => webVerifier.verify(nextWebToken()),
        compareTo: [RAW_ASYNC, JOSE],
      },
      {
        group,
        rounds: ROUNDS,
        name: inProcessCaches[2]![0],
        concurrency: IN_FLIGHT,
        op: () => repeatVerifier.verify(nextRepeated()),
        compareTo: [RAW_ASYNC, JOSE],
      },
      httpRow(BARE, `http://127.0.0.1:${bare.port}/verify`, tokensFile, bare.child.pid),
      httpRow(
        'step: bare Fastify + SDK verifyAipToken, answers the claims',
        `http://127.0.0.1:${bare.port}/verify-sdk`,
        tokensFile,
        bare.child.pid,
        { compareTo: [BARE] },
      ),
      httpRow(
        'step: bare Fastify + server verifyToken [sqlite], answers the claims',
        `http://127.0.0.1:${vouch.ladderPort}/verify`,
        tokensFile,
        vouch.child.pid,
        { compareTo: [BARE] },
      ),
      httpRow(
        'Vouch POST /api/registry/verify [sqlite]',
        `http://127.0.0.1:${vouch.port}/api/registry/verify`,
        tokensFile,
        vouch.child.pid,
        { compareTo: [BARE], target: { vs: BARE, min: 0.9 } },
        metricsOf(vouch.port),
      ),
      httpRow(
        `Vouch POST /api/registry/verify [sqlite], ${REPEATED} tokens presented again`,
        `http://127.0.0.1:${vouch.port}/api/registry/verify`,
        repeatFile,
        vouch.child.pid,
        { compareTo: [BARE] },
        metricsOf(vouch.port),
      ),
      ...(vouchPg === undefined
        ? []
        : [
            httpRow(
              'Vouch POST /api/registry/verify [postgres]',
              `http://127.0.0.1:${vouchPg.port}/api/registry/verify`,
              pgTokensFile,
              vouchPg.child.pid,
              { compareTo: [BARE], target: { vs: BARE, min: 0.9 } },
              metricsOf(vouchPg.port),
            ),
          ]),
      // Resident memory right after each server's share of the load above (no forced GC: as a client sees it).
      rssCase(BARE_RSS, bare.child.pid),
      { ...rssCase('Vouch server RSS [sqlite]', vouch.child.pid), compareTo: [BARE_RSS] },
      ...(vouchPg === undefined
        ? []
        : [{ ...rssCase('Vouch server RSS [postgres]', vouchPg.child.pid), compareTo: [BARE_RSS] }]),
    ];
  },
  async teardown() {
    for (const [name, cache] of inProcessCaches) {
      const { hits, misses } = cache.stats();
      reportNote(`${name}: signature cache ${hits} hits, ${misses} misses`);
    }
    inProcessCaches = [];
    await stopChildren(children);
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
    if (pgSchema !== undefined && PG_URL !== undefined) await dropSchema(PG_URL, pgSchema);
  },
});
