// "The same statements as raw SQL": records every statement the Vouch app issues for one ingestion request (rate
// limit, authentication, lookups, the event inserts and the reputation upserts), then replays them straight
// through the database driver — prepared, in one transaction, with fresh external ids each time. That is the
// limit the HTTP path is compared with.
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  UnknownRow,
} from 'kysely';
import pg from 'pg';
import { buildApp, loadConfig } from '../../packages/server/src/index.ts';
import type { Storage } from '../../packages/server/src/storage/index.ts';
import { randomBytes } from 'node:crypto';
import type { Fixture } from './fixture.ts';

export interface Recorded {
  sql: string;
  parameters: readonly unknown[];
}

class Recorder implements KyselyPlugin {
  readonly nodes: PluginTransformQueryArgs[] = [];
  transformQuery(args: PluginTransformQueryArgs) {
    this.nodes.push(args);
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

/**
 * Runs `batch` through a second app on the fixture's database whose queries are recorded, and returns them
 * (after an unrecorded `warmup` batch, so per-process caches are as warm as in the measured server).
 */
export async function recordIngest(f: Fixture, warmup: unknown[], batch: unknown[]): Promise<Recorded[]> {
  const recorder = new Recorder();
  const recording: Storage = { ...f.storage, db: f.storage.db.withPlugin(recorder) };
  const adminKey = randomBytes(24).toString('hex');
  const config = loadConfig({
    VOUCH_DATA_DIR: f.dataDir,
    VOUCH_LOG_LEVEL: 'silent',
    VOUCH_RATE_LIMIT_MAX: '1000000',
    VOUCH_INGEST_RATE_MAX: '1000000',
  });
  const app = await buildApp({ config, storage: recording, kek: f.kek, adminKey });
  const warm = await app.app.inject({
    method: 'POST',
    url: '/api/v1/ingest',
    payload: warmup as object[],
    headers: { authorization: `Bearer ${f.apiKey}` },
  });
  if (warm.statusCode !== 200) throw new Error(`warm-up ingest failed: ${warm.statusCode}`);
  recorder.nodes.length = 0;
  const res = await app.app.inject({
    method: 'POST',
    url: '/api/v1/ingest',
    payload: batch as object[],
    headers: { authorization: `Bearer ${f.apiKey}` },
  });
  if (res.statusCode !== 200 || (res.json() as { count: number }).count !== batch.length) {
    throw new Error(`recording ingest failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
  }
  const executor = f.storage.db.getExecutor();
  const out = recorder.nodes.map(({ node, queryId }) => {
    const c = executor.compileQuery(node, queryId);
    return { sql: c.sql, parameters: c.parameters };
  });
  await app.app.close();
  return out;
}

/** Replaces the recorded batch's external-id prefix with a fresh one in every parameter. */
function withPrefix(params: readonly unknown[], from: string, to: string): unknown[] {
  return params.map((p) => (typeof p === 'string' && p.startsWith(from) ? to + p.slice(from.length) : p));
}

export interface RawReplayer {
  /** Replays the recorded statements once, with external ids starting `prefix`. */
  replay(prefix: string): Promise<void>;
  close(): Promise<void>;
}

/** Where the fixture's database is. */
export type DatabasePlace = Pick<Fixture, 'engine' | 'dataDir' | 'pgUrl' | 'pgSchema'>;

/** A replayer on the fixture's database through its own driver connection. */
export async function rawReplayer(
  f: DatabasePlace,
  recorded: Recorded[],
  recordedPrefix: string,
): Promise<RawReplayer> {
  if (f.engine === 'sqlite') {
    const db = new BetterSqlite3(join(f.dataDir, 'vouch.db'));
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    const statements = recorded.map((r) => ({ stmt: db.prepare(r.sql), parameters: r.parameters }));
    return {
      async replay(prefix) {
        db.exec('begin');
        try {
          for (const { stmt, parameters } of statements) {
            const params = withPrefix(parameters, recordedPrefix, prefix);
            if (stmt.reader) stmt.all(...params);
            else stmt.run(...params);
          }
          db.exec('commit');
        } catch (err) {
          db.exec('rollback');
          throw err;
        }
      },
      async close() {
        db.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: f.pgUrl, options: `-c search_path=${f.pgSchema}` });
  await client.connect();
  const named = recorded.map((r, i) => ({ name: `vouch_bench_${i}`, text: r.sql, parameters: r.parameters }));
  return {
    async replay(prefix) {
      await client.query('begin');
      try {
        for (const q of named) {
          await client.query({ name: q.name, text: q.text, values: withPrefix(q.parameters, recordedPrefix, prefix) });
        }
        await client.query('commit');
      } catch (err) {
        await client.query('rollback');
        throw err;
      }
    },
    async close() {
      await client.end();
    },
  };
}
