// A real, listening Vouch server on 127.0.0.1 for the offline verifier's tests (test-only: the SDK itself never
// depends on the server).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { draftIssuerEntry, generateKeyPair } from '../src/index.ts';
import type { GeneratedKeyPair, VouchClient } from '../src/index.ts';
import { loadConfig, ManualClock, startServer } from '../../server/src/index.ts';
import type { RunningServer } from '../../server/src/index.ts';
import { startOnFreePort } from '../../server/test/helpers/net.ts';

export const ADMIN_KEY = 'aip-test-admin-key-0123456789';
export const T0 = Date.UTC(2026, 0, 1);

export interface LiveServer {
  url: string;
  server: RunningServer;
  clock: ManualClock;
  /** JSON request to the server; `admin` adds the admin key. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test responses are read by shape
  call(method: string, path: string, body?: unknown, admin?: boolean): Promise<{ status: number; body: any }>;
  registerAgent(): Promise<{ did: string; key: GeneratedKeyPair }>;
  issue(did: string, extra?: Record<string, unknown>): Promise<{ token: string; jti: string; exp: number }>;
  close(): Promise<void>;
}

/** Starts a server with SQLite in a temporary directory, a pinned clock and proof of work off. */
export async function startLiveServer(env: Record<string, string> = {}): Promise<LiveServer> {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-aip-'));
  const clock = new ManualClock(T0);
  // The default public URL names the port, so the port is chosen before the start (again if it was taken meanwhile).
  const { server, config } = await startOnFreePort(async (port) => {
    const config = loadConfig({
      VOUCH_HOST: '127.0.0.1',
      VOUCH_PORT: String(port),
      VOUCH_DATA_DIR: dir,
      VOUCH_ADMIN_KEY: ADMIN_KEY,
      VOUCH_POW_DIFFICULTY: '0',
      VOUCH_LOG_LEVEL: 'silent',
      VOUCH_TOKEN_ISSUE_RATE_MAX: '100000',
      VOUCH_TOKEN_VERIFY_RATE_MAX: '100000',
      VOUCH_TOKEN_REVOKE_RATE_MAX: '100000',
      VOUCH_RATE_LIMIT_MAX: '100000',
      ...env,
    });
    return { server: await startServer(config, { clock }), config };
  });
  const url = config.publicUrl;
  const call: LiveServer['call'] = async (method, path, body, admin = false) => {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (admin) headers['x-api-key'] = ADMIN_KEY;
    const res = await fetch(`${url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
  };
  return {
    url,
    server,
    clock,
    call,
    async registerAgent() {
      const key = await generateKeyPair('Ed25519');
      const res = await call('POST', '/api/v1/agents/register', { publicKey: key.publicKeyBase64, powNonce: '0' });
      if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
      return { did: res.body.did as string, key };
    },
    async issue(did, extra = {}) {
      const res = await call('POST', '/api/registry/issue', { agent_name: did, ...extra }, true);
      if (res.status !== 201) throw new Error(`issue: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Creates the server's registry through `admin`: issuers alpha, bravo and charlie, each with a fresh Ed25519 key and
 * registered at `registeredAt`, and a threshold of 2. Answers the issuers' keys by id.
 */
export async function genesisThreeIssuers(
  admin: VouchClient,
  registeredAt: Date,
): Promise<Record<string, GeneratedKeyPair>> {
  const keys: Record<string, GeneratedKeyPair> = {};
  const issuers = [];
  for (const id of ['alpha', 'bravo', 'charlie']) {
    keys[id] = await generateKeyPair('Ed25519');
    issuers.push(
      draftIssuerEntry({
        id,
        publicKey: keys[id]!.publicKeyRegistry!,
        endpoint: `https://credentials.${id}.example`,
        name: `${id} Inc.`,
        contact: `trust@${id}.example`,
        registeredAt,
      }),
    );
  }
  await admin.registry.genesis({ issuers, threshold: 2 });
  return keys;
}
