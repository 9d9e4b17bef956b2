// The ingestion bench's fixture: a real Vouch app on SQLite or PostgreSQL, listening on loopback, with one
// integrator, agents that allowed it (real Ed25519 signatures through /api/v1/signatures/sign), and batches of
// events with fresh external ids.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeBase64, encodeUtf8, generateKeyPair, getDefaultCrypto } from '../../packages/sdk/src/index.ts';
import { adminKeyDigests, buildApp, loadConfig } from '../../packages/server/src/index.ts';
import type { VouchApp } from '../../packages/server/src/index.ts';
import { openStorage } from '../../packages/server/src/storage/index.ts';
import type { Storage } from '../../packages/server/src/storage/index.ts';
import { consentPayloadHash } from '../../packages/server/src/modules/integrators/service.ts';
import { dropSchema, freshSchema } from '../lib/postgres.ts';

export const SLUG = 'bench';
export const METRICS = [
  { metricKey: 'tasks_completed', polarity: 'boost', weight: 1, lane: 'conduct', maxPerDay: 1_000_000 },
  { metricKey: 'spam_flag', polarity: 'hurt', weight: 2, lane: 'presence', maxPerDay: 1_000_000 },
];

export interface Fixture {
  engine: 'sqlite' | 'postgres';
  app: VouchApp;
  storage: Storage;
  url: string;
  apiKey: string;
  agents: Array<{ did: string; id: string }>;
  dataDir: string;
  /** The key-encryption key the app's server keys are sealed under (a second app on the database needs it). */
  kek: Buffer;
  pgUrl?: string;
  pgSchema?: string;
  close(): Promise<void>;
}

let batchCounter = 0;
/** Tells apart the batches of different processes (each counts from 1). */
const PROCESS_TAG = randomBytes(4).toString('hex');

/** The metric values of the event at position `i` of a batch. */
export const METRICS_OF_EVENT = (i: number) => [
  { metricKey: 'tasks_completed', numberValue: 1 + (i % 3) },
  { metricKey: 'spam_flag', booleanValue: i % 5 === 0 },
];

/** A batch of `size` agent events spread over the fixture's agents, each with two metric values. */
export function makeBatch(
  f: Pick<Fixture, 'engine' | 'agents'>,
  size: number,
  now = Date.now(),
): Array<Record<string, unknown>> {
  const b = ++batchCounter;
  return Array.from({ length: size }, (_, i) => ({
    envId: `${SLUG}.production.v1`,
    externalEventId: `b${b}${PROCESS_TAG}-${f.engine}-${i}`,
    eventType: 'task.completed',
    subjectType: 'agent',
    subjectId: f.agents[i % f.agents.length]!.did,
    actorType: 'human',
    actorId: `user-${i % 97}`,
    occurredAt: now - (i % 7) * 86_400_000,
    metricValues: METRICS_OF_EVENT(i),
    data: { i, note: 'bench' },
  }));
}

/**
 * Builds the fixture in a fresh data directory and PostgreSQL schema, or in the given ones (which `close` then
 * leaves in place for their creator to remove).
 */
export async function createFixture(
  engine: 'sqlite' | 'postgres',
  pgUrl: string | undefined,
  agents: number,
  place: { dataDir?: string; pgSchema?: string } = {},
) {
  const dataDir = place.dataDir ?? (await mkdtemp(join(tmpdir(), `vouch-bench-ingest-${engine}-`)));
  const pgSchema = engine === 'postgres' ? (place.pgSchema ?? freshSchema()) : undefined;
  const storage = await openStorage({
    dataDir,
    ...(engine === 'postgres' ? { databaseUrl: pgUrl, pgSchema, pgPoolMax: 10 } : {}),
  });
  const config = loadConfig({
    VOUCH_DATA_DIR: dataDir,
    VOUCH_LOG_LEVEL: 'silent',
    VOUCH_POW_DIFFICULTY: '0',
    VOUCH_RATE_LIMIT_MAX: '1000000',
    VOUCH_INGEST_RATE_MAX: '1000000',
    VOUCH_SIGN_RATE_MAX: '1000000',
  });
  const adminKey = randomBytes(24).toString('hex');
  const kek = randomBytes(32);
  const app = await buildApp({ config, storage, kek, adminKeys: adminKeyDigests(adminKey) });
  const inject = async (url: string, payload: unknown, headers: Record<string, string> = {}) => {
    const res = await app.app.inject({ method: 'POST', url, payload: payload as object, headers });
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json() as Record<string, string>;
  };
  const { apiKey } = await inject(
    '/api/v1/admin/integrators',
    { slug: SLUG, name: 'Bench', domain: 'bench.example', metrics: METRICS },
    { 'x-api-key': adminKey },
  );
  const list: Array<{ did: string; id: string }> = [];
  for (let i = 0; i < agents; i++) {
    const key = await generateKeyPair('Ed25519');
    const { did } = await inject('/api/v1/agents/register', { publicKey: key.publicKeyBase64, powNonce: '0' });
    const signedAt = Date.now();
    const payloadHash = consentPayloadHash({ did: did!, integratorSlug: SLUG, action: 'allow', signedAt });
    const sig = await getDefaultCrypto().sign('EdDSA', key.privateKey, encodeUtf8(`${payloadHash}:${signedAt}`));
    const { signatureHash } = await inject('/api/v1/signatures/sign', {
      did,
      payloadHash,
      signature: encodeBase64(sig),
      signedAt,
    });
    await inject('/api/v1/integrators/consent', {
      integratorSlug: SLUG,
      did,
      action: 'allow',
      signatureHash,
      signedAt,
    });
    list.push({ did: did!, id: did!.slice('did:identity:'.length) });
  }
  const address = await app.app.listen({ host: '127.0.0.1', port: 0 });
  const fixture: Fixture = {
    engine,
    app,
    storage,
    url: address,
    apiKey: apiKey!,
    agents: list,
    dataDir,
    kek,
    pgUrl,
    pgSchema,
    async close() {
      await app.app.close();
      await storage.close();
      if (place.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
      if (pgSchema !== undefined && pgUrl !== undefined && place.pgSchema === undefined)
        await dropSchema(pgUrl, pgSchema);
    },
  };
  return fixture;
}
