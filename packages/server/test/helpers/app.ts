import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { sql } from 'kysely';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildApp } from '../../src/app.ts';
import type { AppDeps, VouchApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { ManualClock } from '../../src/clock.ts';
import type { Storage } from '../../src/storage/index.ts';
import { createLogger } from '../../src/logger.ts';
import { hashSecret } from '../../src/http/secrets.ts';
import { startOnFreePort } from './net.ts';

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef';

/** A pinned start time for tests: 2026-01-01T00:00:00Z. */
export const T0 = Date.UTC(2026, 0, 1);

/** Collects log lines in memory, to assert what was (and was not) logged. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    cb();
  }
  text(): string {
    return this.lines.join('\n');
  }
}

export interface TestApp extends VouchApp {
  clock: ManualClock;
  adminKey: string;
  kek: Buffer;
  logs: LogCapture;
}

/**
 * Builds an app on an open storage with a pinned clock, a fixed admin key and captured logs.
 * `env` adds VOUCH_* settings on top of test defaults; a name the server does not read is refused, as a setting the
 * test would only believe it made.
 */
export async function makeApp(
  storage: Storage,
  options: { env?: Record<string, string>; modules?: AppDeps['modules']; kek?: Buffer; clock?: ManualClock } = {},
): Promise<TestApp> {
  const config = loadConfig({ VOUCH_DATA_DIR: '/nonexistent-test-dir', VOUCH_LOG_LEVEL: 'info', ...options.env });
  if (config.unknownVariables.length > 0) {
    throw new Error(`makeApp: the server reads no ${config.unknownVariables.join(', ')} (see CONFIG_VARIABLES)`);
  }
  const clock = options.clock ?? new ManualClock(T0);
  const kek = options.kek ?? randomBytes(32);
  const logs = new LogCapture();
  const vouch = await buildApp({
    config,
    storage,
    kek,
    // The previous key, as loadConfig read it from VOUCH_ADMIN_KEY_PREVIOUS, goes with the fixed current one.
    adminKeys: { current: hashSecret(TEST_ADMIN_KEY), previous: config.adminKeyPreviousDigest },
    clock,
    logger: createLogger(config.logLevel, logs),
    modules: options.modules,
  });
  return { ...vouch, clock, adminKey: TEST_ADMIN_KEY, kek, logs };
}

/**
 * An app (makeApp) listening on 127.0.0.1 at the port its VOUCH_PUBLIC_URL names, `origin`: for tests that load its
 * pages in a browser. The port is chosen before the app is built, and again if it was taken meanwhile
 * (startOnFreePort).
 */
export function listeningApp(storage: Storage, env: Record<string, string>): Promise<TestApp & { origin: string }> {
  return startOnFreePort(async (port) => {
    const origin = `http://127.0.0.1:${port}`;
    const t = await makeApp(storage, { env: { ...env, VOUCH_PUBLIC_URL: origin } });
    try {
      await t.app.listen({ host: '127.0.0.1', port });
    } catch (err) {
      await t.app.close();
      throw err;
    }
    return { ...t, origin };
  });
}

/**
 * Row counts of every table, to prove a refused request wrote nothing. Rate-limit counters are left out: they
 * count the requests themselves (a refused request is still counted), and so are the migration tables.
 */
export async function tableCounts(storage: Storage): Promise<Record<string, number>> {
  // Only this database's (or this PostgreSQL schema's) own tables, read directly from the catalog: Kysely's
  // introspection scans every schema and trips over schemas other test files drop concurrently.
  const names =
    storage.engine === 'postgres'
      ? (
          await sql<{ name: string }>`select table_name as name from information_schema.tables
            where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(storage.db)
        ).rows
      : (
          await sql<{ name: string }>`select name from sqlite_master
            where type = 'table' and name not like 'sqlite_%'`.execute(storage.db)
        ).rows;
  // Bookkeeping, not what a request asks for: rate-limit counters, and the used-request record an agent-signed
  // request leaves even when it is refused for good (so that it cannot act later; agents/auth.ts).
  const tables = names.map((r) => r.name).filter((n) => !/migration|^rate_limits$|^agent_signed_requests$/.test(n));
  const out: Record<string, number> = {};
  for (const name of tables.sort()) {
    const row = await storage.db
      .selectFrom(name as never)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    out[name] = Number((row as { n: number | string }).n);
  }
  return out;
}

/** Writes a fresh KEK file (0600) unless one is there already: what an operator does once for PostgreSQL. */
export function writeTestKek(file: string): void {
  try {
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/**
 * The VOUCH_* environment for a real server (`startServer`) on a test's database: port 0, silent logs, the test
 * admin key and data dir, and on PostgreSQL the test schema with a KEK file every "process" shares (written here,
 * once: the server never creates it on PostgreSQL).
 */
export function serverEnv(
  engine: 'sqlite' | 'postgres',
  options: { dataDir: string; databaseUrl?: string; pgSchema?: string },
): Record<string, string> {
  const env: Record<string, string> = {
    VOUCH_PORT: '0',
    // Port 0 needs a public URL; no test follows a URL the server prints to a real server.
    VOUCH_PUBLIC_URL: 'http://vouch.test',
    VOUCH_LOG_LEVEL: 'silent',
    VOUCH_DATA_DIR: options.dataDir,
    VOUCH_ADMIN_KEY: TEST_ADMIN_KEY,
  };
  if (engine === 'postgres') {
    env.VOUCH_DATABASE_URL = options.databaseUrl!;
    env.VOUCH_DATABASE_SCHEMA = options.pgSchema!;
    env.VOUCH_KEK_FILE = join(options.dataDir, 'shared-kek.key');
    writeTestKek(env.VOUCH_KEK_FILE);
  }
  return env;
}

/**
 * Two apps on two storages of one database, with one clock and one KEK: two server processes behind a load
 * balancer, for race tests. `storage` is the first app's.
 */
export async function twoProcesses(
  open: () => Promise<Storage>,
  env: Record<string, string>,
): Promise<{ a: TestApp; b: TestApp; storage: Storage; clock: ManualClock }> {
  const clock = new ManualClock(T0);
  const storage = await open();
  const a = await makeApp(storage, { env, clock });
  const b = await makeApp(await open(), { env, clock, kek: a.kek });
  return { a, b, storage, clock };
}
