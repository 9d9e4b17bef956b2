// Counting the queries an app sends, for tests that prove a cache or a shared read: a Kysely plugin sees every query
// the storage compiles, before it runs.
import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { NO_CHANGES } from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/index.ts';

interface TableNode {
  table?: { identifier?: { name: string } };
}

/** A SELECT whose FROM names `table`. */
export function selectsFrom(node: RootOperationNode, table: string): boolean {
  const n = node as { kind: string; from?: { froms: TableNode[] } };
  return n.kind === 'SelectQueryNode' && (n.from?.froms.some((f) => f.table?.identifier?.name === table) ?? false);
}

/** An UPDATE of `table`. */
export function updates(node: RootOperationNode, table: string): boolean {
  const n = node as { kind: string; table?: TableNode };
  return n.kind === 'UpdateQueryNode' && n.table?.table?.identifier?.name === table;
}

/**
 * `storage` with each query shown to `counts` first: `counted()` tells how many matched so far.
 *
 * @example
 * const q = countQueries(storage, (node) => selectsFrom(node, 'agents'));
 * const app = await makeApp(q.storage); ... assert.equal(q.counted(), 1);
 */
export function countQueries(
  storage: Storage,
  counts: (node: RootOperationNode) => boolean,
): { storage: Storage; counted(): number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      if (counts(args.node)) n++;
      return args.node;
    },
    async transformResult(args) {
      return args.result;
    },
  };
  return {
    storage: {
      db: storage.db.withPlugin(plugin),
      engine: storage.engine,
      ping: () => storage.ping(),
      // Deaf to announcements (as one process alone): on PostgreSQL the listener's first connect tells the app to
      // forget its caches, and the reloads that follow would land in whatever window a test is counting.
      changes: NO_CHANGES,
      close: () => storage.close(),
    },
    counted: () => n,
  };
}
