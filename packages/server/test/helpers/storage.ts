/**
 * Runs one storage test on every engine. Use it for every test that touches the database.
 *
 * ```ts
 * eachEngine('what it checks', async ({ open, engine, dataDir, options, t }) => {
 *   const a = await open(); // a migrated Storage
 *   const b = await open(); // another Storage on the SAME database: a second "process"
 *   ...
 * });
 * ```
 *
 * - `name [sqlite]`: a fresh temporary directory under os.tmpdir() holding `vouch.db`; removed afterwards.
 * - `name [postgres]`: when VOUCH_TEST_DATABASE_URL is set, a fresh schema `t_<random>` on that database (created
 *   by the first `open()`), dropped CASCADE afterwards; `dataDir` is still a fresh temporary directory.
 *   Without the variable the test is registered and reported as skipped with the reason, never passed silently.
 * - `open()` may be called any number of times; every Storage it returns is closed after the test (closing one
 *   yourself first is fine). `options` are the exact `openStorage` options, for tests that open the database
 *   some other way, e.g. from a child process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { openStorage } from '../../src/storage/index.ts';
import { dropSchema, freshSchema } from './pg-schema.ts';
import type { Engine, OpenStorageOptions, Storage } from '../../src/storage/index.ts';

/** The PostgreSQL server tests may use, or undefined when PostgreSQL tests are skipped. */
export const TEST_DATABASE_URL: string | undefined = process.env.VOUCH_TEST_DATABASE_URL || undefined;

export const PG_SKIP_REASON =
  'VOUCH_TEST_DATABASE_URL not set: PostgreSQL variant skipped (set it, e.g. postgres://postgres@127.0.0.1:5432/test, to run it)';

export interface EngineContext {
  engine: Engine;
  /** A fresh, private temporary directory for this test. */
  dataDir: string;
  /** The options `open()` passes to openStorage. */
  options: OpenStorageOptions;
  /** Opens (and migrates) another Storage on this test's database. */
  open(): Promise<Storage>;
  t: TestContext;
}

export interface EachEngineOptions {
  /**
   * Per-variant timeout in ms; default 60 000. A backstop for a hang, not a bound under test: PostgreSQL variants take
   * up to 11 s on this machine while another suite runs, and the project's CI machine is slower still.
   */
  timeout?: number;
}

/** Registers `fn` as `name [sqlite]` and `name [postgres]`; see the file comment. */
export function eachEngine(
  name: string,
  fn: (ctx: EngineContext) => Promise<void>,
  opts: EachEngineOptions = {},
): void {
  const timeout = opts.timeout ?? 60_000;
  test(`${name} [sqlite]`, { timeout }, (t) => runVariant(t, 'sqlite', fn));
  test(`${name} [postgres]`, { timeout }, async (t) => {
    if (TEST_DATABASE_URL === undefined) {
      t.skip(PG_SKIP_REASON);
      return;
    }
    await runVariant(t, 'postgres', fn);
  });
}

async function runVariant(t: TestContext, engine: Engine, fn: (ctx: EngineContext) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-storage-'));
  const schema = freshSchema();
  const options: OpenStorageOptions =
    engine === 'postgres' ? { dataDir, databaseUrl: TEST_DATABASE_URL, pgSchema: schema, pgPoolMax: 5 } : { dataDir };
  const opened: Storage[] = [];
  try {
    await fn({
      engine,
      dataDir,
      options,
      t,
      async open() {
        const storage = await openStorage(options);
        opened.push(storage);
        return storage;
      },
    });
  } finally {
    await Promise.allSettled(opened.map((s) => s.close()));
    if (engine === 'postgres') await dropSchema(TEST_DATABASE_URL!, schema);
    await rm(dataDir, { recursive: true, force: true });
  }
}
