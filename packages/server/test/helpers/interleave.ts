// Forced interleavings for race tests: a step runs at a chosen point of the code under test, no sleeps.
import { sql, TableNode } from 'kysely';
import type { Kysely, KyselyPlugin, QueryId, RootOperationNode } from 'kysely';
import type { Database, Storage } from '../../src/storage/index.ts';

/** Runs `step` once, just before the next transaction on `db` begins. */
export function beforeNextTransaction(db: Kysely<Database>, step: () => Promise<void>): void {
  const original = db.transaction;
  db.transaction = function () {
    db.transaction = original;
    const builder = original.call(db);
    const execute = builder.execute.bind(builder);
    builder.execute = async (fn) => {
      await step();
      return execute(fn);
    };
    return builder;
  } as typeof db.transaction;
}

/**
 * PostgreSQL: resolves once `count` sessions wait, directly or behind another waiter, for a lock that the session
 * `holder` holds (polled, bounded). A second waiter on a row lock waits for the first in line, not for the holder.
 */
export async function blockedBehind(db: Kysely<Database>, holder: number, count: number): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    const { rows } = await sql<{ n: number }>`
      with direct as (select pid from pg_stat_activity where ${holder} = any(pg_blocking_pids(pid)))
      select count(*)::int as n from pg_stat_activity a
      where a.pid in (select pid from direct)
         or exists (select 1 from direct d where d.pid = any(pg_blocking_pids(a.pid)))`.execute(db);
    if (rows[0]!.n >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`fewer than ${count} sessions ever waited behind ${holder}`);
}

/**
 * Runs `step` once, right after the next query on `db`'s pool (not a transaction's) that `matches` has answered (the
 * `nth` such query, 1 by default), and before its caller sees the answer: "read, not yet acted on".
 */
export function afterNextPoolQuery(
  db: Kysely<Database>,
  matches: RegExp | ((query: { sql: string; parameters: readonly unknown[] }) => boolean),
  step: () => Promise<void>,
  nth = 1,
): void {
  const test = matches instanceof RegExp ? (q: { sql: string }) => matches.test(q.sql) : matches;
  const executor = db.getExecutor();
  const original = executor.executeQuery;
  let seen = 0;
  executor.executeQuery = async function (this: unknown, query: Parameters<typeof original>[0]) {
    const result = await original.call(this, query);
    if (test(query) && ++seen === nth) {
      executor.executeQuery = original;
      await step();
    }
    return result;
  } as typeof original;
}

/** A storage whose `db` runs `step` once, right after its first INSERT INTO `table` has answered. */
export function pausingAfterInsert(storage: Storage, table: string, step: () => Promise<void>): Storage {
  return pausingAfterFirst(
    storage,
    (node) => node.kind === 'InsertQueryNode' && node.into?.table.identifier.name === table,
    step,
  );
}

/** A storage whose `db` runs `step` once, right after its first UPDATE (of `table`, or of any) has answered. */
export function pausingAfterUpdate(storage: Storage, step: () => Promise<void>, table?: string): Storage {
  return pausingAfterFirst(
    storage,
    (node) =>
      node.kind === 'UpdateQueryNode' &&
      (table === undefined ||
        (node.table !== undefined && TableNode.is(node.table) && node.table.table.identifier.name === table)),
    step,
  );
}

/** A storage whose `db` runs `step` once, right after its first SELECT from `table` has answered. */
export function pausingAfterSelect(storage: Storage, table: string, step: () => Promise<void>): Storage {
  return pausingAfterFirst(
    storage,
    (node) =>
      node.kind === 'SelectQueryNode' &&
      (node.from?.froms ?? []).some((f) => TableNode.is(f) && f.table.identifier.name === table),
    step,
  );
}

/** A storage whose `db` runs `step` once, right after the first query `matches` picks has answered. */
function pausingAfterFirst(
  storage: Storage,
  matches: (node: RootOperationNode) => boolean,
  step: () => Promise<void>,
): Storage {
  const picked = new WeakSet<QueryId>();
  let done = false;
  const plugin: KyselyPlugin = {
    transformQuery({ node, queryId }): RootOperationNode {
      if (matches(node)) picked.add(queryId);
      return node;
    },
    async transformResult({ result, queryId }) {
      if (!done && picked.has(queryId)) {
        done = true;
        await step();
      }
      return result;
    },
  };
  return { ...storage, db: storage.db.withPlugin(plugin) };
}

/**
 * `storage` whose every transaction, once committed, waits for `afterCommit` before its caller goes on: another
 * connection's change landing exactly between a commit and whatever the caller does next.
 */
export function pausingAfterCommit(storage: Storage, afterCommit: () => Promise<void>): Storage {
  const db = new Proxy(storage.db, {
    get(target, prop) {
      if (prop === 'transaction') {
        return () => {
          const builder = target.transaction();
          return {
            async execute<T>(fn: Parameters<typeof builder.execute<T>>[0]): Promise<T> {
              const result = await builder.execute(fn);
              await afterCommit();
              return result;
            },
          };
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { ...storage, db, ping: () => storage.ping(), close: () => storage.close() };
}
