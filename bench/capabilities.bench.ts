// Capability intercept decisions per second (issue 7), every token bound to a registry issuer. The distinct-token rows
// present twice as many tokens as a signature cache holds, in one cycle per row or server process, so a cache keeps
// none of them and every decision checks its signature (the caches' counters are noted to prove it):
// - in process: the SDK's checkCapability (offline: signature, claims, request match, issuer and key thumbprint in a
//   verified registry document) and the gateway's interceptCapability (the same, plus the registry the server holds,
//   one indexed revocation lookup for the token and its ancestors, and the agent lookup), next to the limit they are
//   built on — raw node:crypto Ed25519 verify, sync and on the threadpool;
// - over HTTP: POST /v1/intercept (the whole Vouch app on SQLite) next to a bare Fastify route that only does the
//   raw async verify, each server in a child process pinned with taskset to one core and autocannon to another;
// - the gateway and the route with 64 tokens presented again and again (an agent sends its capability token with
//   every call): the signature cache answers, and every other check runs.
// Every case is measured in interleaved rounds.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { capabilityKeysFromVouchKeys, checkCapability, type RegistryDocument } from '../packages/sdk/src/index.ts';
import { getTrustedRegistry } from '../packages/server/src/modules/registry/service.ts';
import { interceptCapability } from '../packages/server/src/modules/capabilities/service.ts';
import { capabilitySignatureCacheOf } from '../packages/server/src/modules/capabilities/signature-cache.ts';
import { SIGNATURE_CACHE_ENTRIES } from '../packages/server/src/signature-caches.ts';
import { benchGateway, type BenchGateway, type InterceptRequest } from './capabilities/gateway.ts';
import {
  defineSuite,
  httpRows,
  pinned,
  reportNote,
  spawnAnnouncing,
  stopChildren,
  type BenchCase,
} from './lib/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const IN_FLIGHT = 64;
const ROUNDS = 3;
const HTTP_ROUNDS = 3;
// Twice what the gateway's signature cache holds: see the top.
const TOKENS = 2 * SIGNATURE_CACHE_ENTRIES;
const HTTP_TOKENS = 2 * SIGNATURE_CACHE_ENTRIES;
/** Tokens of the "presented again" rows. */
const REPEATED = 64;
const HTTP_CONNECTIONS = 64;
const BARE = 'bare Fastify + raw async verify';

const children: ChildProcessWithoutNullStreams[] = [];
let workDir: string | undefined;
let gateway: BenchGateway | undefined;
// The in-process gateway's cache lookups, by the row that made them, noted at teardown.
let noteGatewayLookups: (() => void) | undefined;

async function startServer(args: string[]): Promise<{ port: number; pid: number | undefined }> {
  const script = join(here, 'capabilities', 'server.ts');
  const { info, child } = await spawnAnnouncing<{ port: number }>(script, args, '{"port"', { cwd: root, children });
  return { port: info.port, pid: child.pid };
}

const rows = httpRows({
  connections: HTTP_CONNECTIONS,
  bodiesOf: async (file) =>
    (JSON.parse(await readFile(file, 'utf8')) as { requests: InterceptRequest[] }).requests.map((r) =>
      JSON.stringify(r),
    ),
  cacheMetric: 'vouch_capability_signature_cache',
  bare: BARE,
});

/**
 * Attributes the gateway cache's lookups to the row whose operations made them: rows run one at a time, so the
 * counters moved between one row's first operation and the next row's belong to the first.
 */
function lookupsByRow(stats: () => { hits: number; misses: number }) {
  const byRow = new Map<string, { hits: number; misses: number }>();
  let current: string | undefined;
  let mark = stats();
  const settle = () => {
    const now = stats();
    if (current !== undefined) {
      const sum = byRow.get(current) ?? { hits: 0, misses: 0 };
      byRow.set(current, { hits: sum.hits + now.hits - mark.hits, misses: sum.misses + now.misses - mark.misses });
    }
    mark = now;
  };
  return {
    enter(row: string): void {
      if (row === current) return;
      settle();
      current = row;
    },
    note(): void {
      settle();
      current = undefined;
      for (const [row, { hits, misses }] of byRow) {
        reportNote(`${row}: signature cache ${hits} hits, ${misses} misses`);
      }
    },
  };
}

export default defineSuite({
  name: 'capabilities',
  description: `capability intercept decisions (Ed25519, issuer-bound), ${TOKENS} distinct tokens in process, ${HTTP_TOKENS} over HTTP`,
  async setup(): Promise<BenchCase[]> {
    workDir = await mkdtemp(join(tmpdir(), 'vouch-bench-capabilities-'));
    const requestsFile = join(workDir, 'requests.json');
    const repeatFile = join(workDir, 'requests-repeated.json');
    // The server issues its tokens in its own process while this one issues the in-process gateway's.
    const vouchStarted = startServer(['vouch', requestsFile, String(HTTP_TOKENS + REPEATED)]);
    gateway = await benchGateway(TOKENS + REPEATED);
    const vouch = await vouchStarted;
    // The server issued HTTP_TOKENS distinct tokens and REPEATED more for the "presented again" row, which no other
    // row presents; the bare server reads the key from the first file.
    const issued = JSON.parse(await readFile(requestsFile, 'utf8')) as { requests: InterceptRequest[] };
    await writeFile(requestsFile, JSON.stringify({ ...issued, requests: issued.requests.slice(0, HTTP_TOKENS) }));
    await writeFile(repeatFile, JSON.stringify({ ...issued, requests: issued.requests.slice(HTTP_TOKENS) }));
    const bare = await startServer(['bare', requestsFile]);

    // ---- in process: one gateway in this process, its tokens, its registry and its published key.
    const gw = gateway;
    const doc: RegistryDocument = (await getTrustedRegistry(gw.ctx)).doc;
    const resolveKey = capabilityKeysFromVouchKeys({ keys: [gw.jwk] });
    const rawKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: gw.jwk.x as string }, format: 'jwk' });
    const parts = gw.requests.slice(0, TOKENS).map(({ token }) => {
      const dot = token.lastIndexOf('.');
      return { input: Buffer.from(token.slice(0, dot)), signature: Buffer.from(token.slice(dot + 1), 'base64url') };
    });
    const now = Date.now();
    // Checked on tokens of the "presented again" row (a distinct token checked here and again at once by the row's
    // warm-up would be kept).
    for (const r of gw.requests.slice(TOKENS, TOKENS + 3)) {
      const d = await interceptCapability(gw.ctx, r);
      if (d.decision !== 'allow') throw new Error(`the bench gateway denies its own token: ${d.code}`);
    }
    const lookups = lookupsByRow(() => capabilitySignatureCacheOf(gw.ctx).stats());
    noteGatewayLookups = lookups.note;
    // Each row goes through the distinct tokens in its own cycle (another row's turn does not move it), and the
    // repeated row through the last REPEATED tokens, which no other row presents.
    const cycle = <T>(list: readonly T[], from: number, length: number) => {
      let n = 0;
      return () => list[from + (n++ % length)]!;
    };
    const nextParts = cycle(parts, 0, TOKENS);
    const nextChecked = cycle(gw.requests, 0, TOKENS);
    const nextIntercepted = cycle(gw.requests, 0, TOKENS);
    const nextRepeated = cycle(gw.requests, TOKENS, REPEATED);
    const RAW_SYNC = 'node:crypto Ed25519 verify sync';
    const RAW_ASYNC = 'node:crypto Ed25519 verify async';
    const INTERCEPT = 'gateway interceptCapability [sqlite]';
    const INTERCEPT_AGAIN = `gateway interceptCapability [sqlite], ${REPEATED} tokens presented again`;
    const group = `in process, median of ${ROUNDS} interleaved rounds`;

    // ---- over HTTP
    const probe = await fetch(`http://127.0.0.1:${vouch.port}/v1/intercept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(issued.requests[HTTP_TOKENS]),
    });
    const probed = (await probe.json()) as { decision?: string };
    if (probed.decision !== 'allow')
      throw new Error(`the Vouch bench server does not allow its tokens: ${JSON.stringify(probed)}`);
    const pin = pinned(0).length > 0 ? 'server on core 0, autocannon on core 1' : 'unpinned';
    const http = `HTTP, ${HTTP_CONNECTIONS} connections, ${pin}, median of ${HTTP_ROUNDS} interleaved rounds`;
    const metrics = `http://127.0.0.1:${vouch.port}/metrics`;
    const intercept = `http://127.0.0.1:${vouch.port}/v1/intercept`;

    return [
      {
        group,
        rounds: ROUNDS,
        name: RAW_SYNC,
        op: () => {
          const p = nextParts();
          return nodeVerify(null, p.input, rawKey, p.signature);
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
            nodeVerify(null, p.input, rawKey, p.signature, (err, ok) => (err ? reject(err) : resolve(ok))),
          );
        },
      },
      {
        group,
        rounds: ROUNDS,
        name: 'SDK checkCapability (offline)',
        concurrency: IN_FLIGHT,
        op: () => {
          const r = nextChecked();
          return checkCapability(r.token, r, { resolveKey, now, registry: doc });
        },
        compareTo: [RAW_ASYNC, RAW_SYNC],
      },
      {
        group,
        rounds: ROUNDS,
        name: INTERCEPT,
        concurrency: IN_FLIGHT,
        op: () => {
          lookups.enter(INTERCEPT);
          return interceptCapability(gw.ctx, nextIntercepted());
        },
        compareTo: [RAW_ASYNC, RAW_SYNC],
      },
      {
        group,
        rounds: ROUNDS,
        name: INTERCEPT_AGAIN,
        concurrency: IN_FLIGHT,
        op: () => {
          lookups.enter(INTERCEPT_AGAIN);
          return interceptCapability(gw.ctx, nextRepeated());
        },
        compareTo: [RAW_ASYNC, INTERCEPT],
      },
      {
        group: http,
        rounds: HTTP_ROUNDS,
        name: BARE,
        run: rows.httpCase(BARE, `http://127.0.0.1:${bare.port}/intercept`, requestsFile, bare.pid),
      },
      {
        group: http,
        rounds: HTTP_ROUNDS,
        name: 'Vouch POST /v1/intercept [sqlite]',
        run: rows.httpCase('Vouch POST /v1/intercept [sqlite]', intercept, requestsFile, vouch.pid, metrics),
        compareTo: [BARE],
      },
      {
        group: http,
        rounds: HTTP_ROUNDS,
        name: `Vouch POST /v1/intercept [sqlite], ${REPEATED} tokens presented again`,
        run: rows.httpCase(
          `Vouch POST /v1/intercept [sqlite], ${REPEATED} tokens presented again`,
          intercept,
          repeatFile,
          vouch.pid,
          metrics,
        ),
        compareTo: [BARE, 'Vouch POST /v1/intercept [sqlite]'],
      },
    ];
  },
  async teardown() {
    rows.noteCpuPerRequest();
    noteGatewayLookups?.();
    noteGatewayLookups = undefined;
    await stopChildren(children);
    await gateway?.close();
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  },
});
