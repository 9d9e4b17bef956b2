// Lists ordered by text come back in the same order on both engines, also when the PostgreSQL database's default
// collation is a natural-language one (en_US.UTF-8 is the default of many installations and of the official Docker
// image): SQLite orders by code point, so PostgreSQL must too (`codePointOrder`). The test database itself uses C, so
// the PostgreSQL variant runs on a database of its own, created with an ICU collation that, as glibc's en_US does,
// ignores punctuation at first and sorts case-insensitively.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { ensureServerKey, listPublicServerKeys, listServerKeys, openStorage } from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';
import { ADMIN, appWithAllowingAgent, createIntegrator, event, ingest, resolve } from '../integrators/helpers.ts';
import type { MetricSpec } from '../integrators/helpers.ts';
import { listProofs } from '../../src/modules/agents/store.ts';
import { latestDomainProof, upsertDomainProof } from '../../src/modules/agents/domain-proof-store.ts';

const NATURAL_COLLATION = 'en-US-u-ka-shifted';
/**
 * A backstop for a hang: the PostgreSQL variant creates a database, migrates it and drops it, 15 s here while another
 * suite ran (it had 30 s).
 */
const COLLATED_TIMEOUT_MS = 120_000;

async function onAdminDb<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Runs `fn` on SQLite and on a fresh PostgreSQL database whose default collation is natural-language. */
function eachEngineCollated(name: string, fn: (storage: Storage) => Promise<void>): void {
  test(`${name} [sqlite]`, { timeout: COLLATED_TIMEOUT_MS }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vouch-order-'));
    const storage = await openStorage({ dataDir });
    try {
      await fn(storage);
    } finally {
      await storage.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
  test(`${name} [postgres, ${NATURAL_COLLATION}]`, { timeout: COLLATED_TIMEOUT_MS }, async (t) => {
    if (TEST_DATABASE_URL === undefined) return t.skip(PG_SKIP_REASON);
    const database = `vouch_order_${randomBytes(6).toString('hex')}`;
    try {
      await onAdminDb((c) =>
        c.query(
          `create database ${database} template template0 locale_provider icu ` +
            `icu_locale '${NATURAL_COLLATION}' locale 'C.UTF-8'`,
        ),
      );
    } catch (err) {
      return t.skip(`cannot create a database with an ICU collation here: ${(err as Error).message}`);
    }
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${database}`;
    const dataDir = await mkdtemp(join(tmpdir(), 'vouch-order-'));
    let storage: Storage | undefined;
    try {
      storage = await openStorage({ dataDir, databaseUrl: url.toString(), pgPoolMax: 3 });
      await fn(storage);
    } finally {
      await storage?.close();
      await onAdminDb((c) => c.query(`drop database if exists ${database} with (force)`));
      await rm(dataDir, { recursive: true, force: true });
    }
  });
}

/** Code point order, as SQLite's BINARY compares ASCII text. */
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const METRIC_KEYS = ['alpha', 'Zeta', 'm_1', 'm.1', 'M2'];
const METRICS: MetricSpec[] = METRIC_KEYS.map((metricKey) => ({
  metricKey,
  polarity: 'boost',
  weight: 1,
  lane: 'conduct',
}));

eachEngineCollated('integrators and a metric breakdown are listed in code point order', async (storage) => {
  const { t, key, agent } = await appWithAllowingAgent(storage, 'a-cc', METRICS);
  try {
    for (const slug of ['abc', 'ab-d']) await createIntegrator(t, slug, METRICS);
    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/admin/integrators', headers: ADMIN });
    assert.equal(listed.statusCode, 200, listed.body);
    const slugs = (listed.json() as { integrators: Array<{ slug: string }> }).integrators.map((i) => i.slug);
    assert.deepEqual(slugs, ['a-cc', 'ab-d', 'abc']);

    // Two environments whose ids differ only past a hyphen, and metric keys differing in case and punctuation.
    const values = METRIC_KEYS.map((metricKey) => ({ metricKey, numberValue: 1 }));
    const envs = ['a-cc.p1.v1', 'a-cc.p-2.v1'];
    const sent = await ingest(
      t,
      key,
      envs.map((envId) => event('a-cc', agent, values, { envId })),
    );
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    assert.ok(sent.body.success, JSON.stringify(sent.body));
    const r = await resolve(t, agent.did, key);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const breakdown = (r.body.metricBreakdown as Array<{ environmentId: string; metricKey: string }>).map(
      (m) => `${m.environmentId} ${m.metricKey}`,
    );
    const expected = envs.flatMap((e) => METRIC_KEYS.map((k) => `${e} ${k}`));
    assert.deepEqual(
      breakdown,
      [...expected].sort((a, b) => {
        const [ea, ka] = a.split(' ');
        const [eb, kb] = b.split(' ');
        return byCodePoint(ea!, eb!) || byCodePoint(ka!, kb!);
      }),
    );
    // Spelled out: upper case before lower case, '-' before digits, '.' before '_'.
    assert.deepEqual(breakdown.slice(0, 5), [
      'a-cc.p-2.v1 M2',
      'a-cc.p-2.v1 Zeta',
      'a-cc.p-2.v1 alpha',
      'a-cc.p-2.v1 m.1',
      'a-cc.p-2.v1 m_1',
    ]);
  } finally {
    await t.app.close();
  }
});

eachEngineCollated(
  'domain proofs found at the same time are listed, and the latest chosen, in code point order',
  async (storage) => {
    const { db, engine } = storage;
    const agentId = 'order-test-agent';
    await db
      .insertInto('agents')
      .values({ id: agentId, status: 'unclaimed', registered_via: 'test', created_at: 1, updated_at: 1 } as never)
      .execute();
    const domains = ['abc.example', 'a-cc.example', 'ab-d.example'];
    for (const domain of domains) await upsertDomainProof(db, { agentId, domain, method: 'dns', token: 't', at: 1000 });
    // The profile's proofs, oldest first and then by value; and the proof a lapsed one hands the agent's domain to.
    assert.deepEqual(
      (await listProofs(db, engine, agentId)).map((p) => p.value),
      ['a-cc.example', 'ab-d.example', 'abc.example'],
    );
    assert.equal(await latestDomainProof(db, engine, agentId), 'a-cc.example');
  },
);

eachEngineCollated('server keys of several purposes are listed by purpose in code point order', async (storage) => {
  const kek = randomBytes(32);
  // A natural-language collation ignores the hyphen at first, and puts `ab` before `a-c`.
  for (const purpose of ['ab', 'a-c', 'a.d']) await ensureServerKey(storage, kek, purpose, 'EdDSA', 1000);
  const expected = ['a-c', 'a.d', 'ab'];
  assert.deepEqual(
    (await listPublicServerKeys(storage)).map((k) => k.purpose),
    expected,
  );
  assert.deepEqual(
    (await listServerKeys(storage, kek)).map((k) => k.purpose),
    expected,
  );
});
