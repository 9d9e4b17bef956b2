// Capability intercept decisions per second (issue 7), every token distinct and bound to a registry issuer:
// - in process: the SDK's checkCapability (offline: signature, claims, request match, issuer and key thumbprint in a
//   verified registry document) and the gateway's interceptCapability (the same, plus the registry the server holds,
//   one indexed revocation lookup for the token and its ancestors, and the agent lookup), next to the limit they are
//   built on — raw node:crypto Ed25519 verify, sync and on the threadpool;
// - over HTTP: POST /v1/intercept (the whole Vouch app on SQLite) next to a bare Fastify route that only does the
//   raw async verify, each server in a child process pinned with taskset to one core and autocannon to another.
import { spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { capabilityKeysFromVouchKeys, checkCapability, type RegistryDocument } from '../packages/sdk/src/index.ts';
import { getTrustedRegistry } from '../packages/server/src/modules/registry/service.ts';
import { interceptCapability } from '../packages/server/src/modules/capabilities/service.ts';
import { benchGateway, type BenchGateway, type InterceptRequest } from './capabilities/gateway.ts';
import {
  defineSuite,
  pinned,
  spawnAnnouncing,
  stopChildren,
  type BenchCase,
  type Measurement,
  type MeasureOptions,
} from './lib/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const IN_FLIGHT = 64;
const TOKENS = 1000;
const HTTP_TOKENS = 1000;
const HTTP_CONNECTIONS = 64;

const children: ChildProcessWithoutNullStreams[] = [];
let workDir: string | undefined;
let gateway: BenchGateway | undefined;

async function startServer(args: string[]): Promise<{ port: number }> {
  const script = join(here, 'capabilities', 'server.ts');
  const { info } = await spawnAnnouncing<{ port: number }>(script, args, '{"port"', { cwd: root, children });
  return info;
}

/** One HTTP case: warm up, then measure with the shared load generator in its own pinned process. */
function httpCase(url: () => string, requestsFile: () => string): (o: MeasureOptions) => Promise<Measurement> {
  const load = async (seconds: number) => {
    const { requests } = JSON.parse(await readFile(requestsFile(), 'utf8')) as { requests: InterceptRequest[] };
    const planFile = `${requestsFile()}.plan.json`;
    const plan = {
      url: url(),
      method: 'POST',
      connections: HTTP_CONNECTIONS,
      duration: seconds,
      bodies: requests.map((r) => JSON.stringify(r)),
    };
    await writeFile(planFile, JSON.stringify(plan));
    const cmd = [...pinned(1), process.execPath, '--import', 'tsx', join(here, 'lib', 'http-load.ts'), planFile];
    const res = spawnSync(cmd[0]!, cmd.slice(1), { cwd: root, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    if (res.status !== 0) throw new Error(`load generator failed: ${res.stderr}`);
    return JSON.parse(res.stdout.trim().split('\n').at(-1)!) as {
      requests: number;
      seconds: number;
      latencyMeanMs: number;
      non2xx: number;
      errors: number;
    };
  };
  return async (options) => {
    const seconds = Math.max(3, Math.round((2 * (options.durationMs ?? 1500)) / 1000));
    await load(1);
    const r = await load(seconds);
    if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url()}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
    return {
      ops: r.requests,
      seconds: r.seconds,
      opsPerSec: r.requests / r.seconds,
      meanLatencyUs: r.latencyMeanMs * 1000,
      async: true,
      concurrency: HTTP_CONNECTIONS,
    };
  };
}

export default defineSuite({
  name: 'capabilities',
  description: `capability intercept decisions (Ed25519, issuer-bound), ${TOKENS} distinct tokens in process, ${HTTP_TOKENS} over HTTP`,
  async setup(): Promise<BenchCase[]> {
    // ---- in process: one gateway in this process, its tokens, its registry and its published key.
    gateway = await benchGateway(TOKENS);
    const gw = gateway;
    const doc: RegistryDocument = (await getTrustedRegistry(gw.ctx)).doc;
    const resolveKey = capabilityKeysFromVouchKeys({ keys: [gw.jwk] });
    const rawKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: gw.jwk.x as string }, format: 'jwk' });
    const parts = gw.requests.map(({ token }) => {
      const dot = token.lastIndexOf('.');
      return { input: Buffer.from(token.slice(0, dot)), signature: Buffer.from(token.slice(dot + 1), 'base64url') };
    });
    const now = Date.now();
    for (const r of gw.requests.slice(0, 3)) {
      const d = await interceptCapability(gw.ctx, r);
      if (d.decision !== 'allow') throw new Error(`the bench gateway denies its own token: ${d.code}`);
    }
    let i = 0;
    const next = () => gw.requests[i++ % TOKENS]!;
    const nextParts = () => parts[i++ % TOKENS]!;
    const RAW_SYNC = 'node:crypto Ed25519 verify sync';
    const RAW_ASYNC = 'node:crypto Ed25519 verify async';
    const group = 'in process';

    // ---- over HTTP
    workDir = await mkdtemp(join(tmpdir(), 'vouch-bench-capabilities-'));
    const requestsFile = join(workDir, 'requests.json');
    const vouch = await startServer(['vouch', requestsFile, String(HTTP_TOKENS)]);
    const bare = await startServer(['bare', requestsFile]);
    const first = (JSON.parse(await readFile(requestsFile, 'utf8')) as { requests: InterceptRequest[] }).requests[0];
    const probe = await fetch(`http://127.0.0.1:${vouch.port}/v1/intercept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(first),
    });
    const probed = (await probe.json()) as { decision?: string };
    if (probed.decision !== 'allow')
      throw new Error(`the Vouch bench server does not allow its tokens: ${JSON.stringify(probed)}`);
    const BARE = 'bare Fastify + raw async verify';
    const http = `HTTP, ${HTTP_CONNECTIONS} connections, ${pinned(0).length > 0 ? 'server on core 0, autocannon on core 1' : 'unpinned'}`;

    return [
      {
        group,
        name: RAW_SYNC,
        op: () => {
          const p = nextParts();
          return nodeVerify(null, p.input, rawKey, p.signature);
        },
      },
      {
        group,
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
        name: 'SDK checkCapability (offline)',
        concurrency: IN_FLIGHT,
        op: () => {
          const r = next();
          return checkCapability(r.token, r, { resolveKey, now, registry: doc });
        },
        compareTo: [RAW_ASYNC, RAW_SYNC],
      },
      {
        group,
        name: 'gateway interceptCapability [sqlite]',
        concurrency: IN_FLIGHT,
        op: () => interceptCapability(gw.ctx, next()),
        compareTo: [RAW_ASYNC, RAW_SYNC],
      },
      {
        group: http,
        name: BARE,
        run: httpCase(
          () => `http://127.0.0.1:${bare.port}/intercept`,
          () => requestsFile,
        ),
      },
      {
        group: http,
        name: 'Vouch POST /v1/intercept [sqlite]',
        run: httpCase(
          () => `http://127.0.0.1:${vouch.port}/v1/intercept`,
          () => requestsFile,
        ),
        compareTo: [BARE],
      },
    ];
  },
  async teardown() {
    await stopChildren(children);
    await gateway?.close();
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  },
});
