// The registry module's tables (migration 0005): the served or followed document, and the authority's proposals.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, RegistryDocumentsTable, RegistryProposalsTable } from '../../storage/schema.ts';
import { preparedRead, translateErrors, type Engine, type Storage } from '../../storage/index.ts';

export type DocumentRole = RegistryDocumentsTable['name'];
export type DocumentRow = Selectable<RegistryDocumentsTable>;
export type ProposalRow = Selectable<RegistryProposalsTable>;

/** What identifies a stored document's version without reading the document itself. */
export type DocumentHead = Pick<DocumentRow, 'sequence' | 'updated_at' | 'expires_at'>;

const selectHead = preparedRead((db, role: DocumentRole) =>
  db.selectFrom('registry_documents').select(['sequence', 'updated_at', 'expires_at']).where('name', '=', role),
);

/**
 * The head of the document of `role`: a primary-key lookup that leaves the (large) document text unread. Prepared:
 * the gateway's intercept reads it on every request.
 */
export async function readHead(db: Kysely<Database>, role: DocumentRole): Promise<DocumentHead | undefined> {
  return (await translateErrors(() => selectHead(db, role)))[0];
}

/**
 * Runs `fn` in one transaction that holds the registry's write lock from its first statement: on PostgreSQL a row
 * lock on the authority document (`FOR UPDATE`), on SQLite `BEGIN IMMEDIATE`. Storing a co-signature and applying
 * the proposal at quorum happen inside it, so a crash leaves neither, and two processes sending the last
 * co-signatures of one proposal take turns: the second reads what the first committed. `fn` must query only through
 * the handle it is given (on SQLite the process's one connection is held for it).
 */
export async function withRegistryLock<T>(storage: Storage, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  if (storage.engine === 'postgres') {
    return translateErrors(() =>
      storage.db.transaction().execute(async (trx) => {
        await trx.selectFrom('registry_documents').select('name').where('name', '=', 'authority').forUpdate().execute();
        return fn(trx);
      }),
    );
  }
  return sqliteTurn(() =>
    storage.db.connection().execute(async (conn) => {
      await translateErrors(() => sql`begin immediate`.execute(conn));
      try {
        const out = await fn(conn);
        await translateErrors(() => sql`commit`.execute(conn));
        return out;
      } catch (err) {
        // A failed commit may already have ended the transaction; rolling back is then a no-op worth ignoring.
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw err;
      }
    }),
  );
}

/*
 * better-sqlite3 waits for a busy lock synchronously: a second connection to the same file in this process (tests
 * open one database twice) would block the only thread while the holder, mid-transaction, can never finish. So the
 * registry transactions of this process take turns here before asking SQLite for its lock.
 */
let sqliteQueue: Promise<void> = Promise.resolve();

function sqliteTurn<T>(fn: () => Promise<T>): Promise<T> {
  const run = sqliteQueue.then(fn);
  sqliteQueue = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}

/**
 * The stored sequence of `role`, read inside the caller's transaction and, on PostgreSQL, share-locked (`FOR KEY
 * SHARE`) until it ends: an apply, which holds the authority row `FOR UPDATE` from its first statement, either has
 * committed (this read waits for it and sees its sequence) or starts only after this transaction ends. On SQLite the
 * caller must have written in the transaction first, so that it holds the database's write lock and reads the latest.
 */
export async function holdSequence(
  db: Kysely<Database>,
  engine: Engine,
  role: DocumentRole,
): Promise<number | undefined> {
  const query = db.selectFrom('registry_documents').select('sequence').where('name', '=', role);
  const row = await translateErrors(() =>
    engine === 'postgres' ? query.forKeyShare().executeTakeFirst() : query.executeTakeFirst(),
  );
  return row?.sequence;
}

export function readDocument(db: Kysely<Database>, role: DocumentRole): Promise<DocumentRow | undefined> {
  return translateErrors(() =>
    db.selectFrom('registry_documents').selectAll().where('name', '=', role).executeTakeFirst(),
  );
}

/** Inserts the first document of `role`; false when one is already there (the primary key settles races). */
export async function insertDocument(db: Kysely<Database>, row: RegistryDocumentsTable): Promise<boolean> {
  const result = await translateErrors(() =>
    db
      .insertInto('registry_documents')
      .values(row)
      .onConflict((oc) => oc.column('name').doNothing())
      .returning('name')
      .executeTakeFirst(),
  );
  return result !== undefined;
}

/**
 * Replaces the document of `role` only if the stored one is still at `expected` (sequence, and `updated_at` when
 * given): the guard that makes a second application of the same step, from any process, change nothing.
 */
export async function replaceDocument(
  db: Kysely<Database>,
  role: DocumentRole,
  expected: { sequence: number; updatedAt?: number },
  row: Omit<RegistryDocumentsTable, 'name'>,
): Promise<boolean> {
  let query = db
    .updateTable('registry_documents')
    .set(row)
    .where('name', '=', role)
    .where('sequence', '=', expected.sequence);
  if (expected.updatedAt !== undefined) query = query.where('updated_at', '=', expected.updatedAt);
  const result = await translateErrors(() => query.executeTakeFirst());
  return Number(result.numUpdatedRows) === 1;
}

export function readProposal(db: Kysely<Database>, id: string): Promise<ProposalRow | undefined> {
  return translateErrors(() => db.selectFrom('registry_proposals').selectAll().where('id', '=', id).executeTakeFirst());
}

/**
 * Proposals, newest first. `pending` means still able to apply at `now`; `expired` those pending in storage whose
 * expiry has passed (no process rewrites them: the status is read against the clock).
 */
export function listProposals(
  db: Kysely<Database>,
  options: { status?: ProposalRow['status'] | 'expired'; limit: number; now: number },
): Promise<ProposalRow[]> {
  let query = db.selectFrom('registry_proposals').selectAll();
  if (options.status === 'expired') {
    query = query.where('status', '=', 'pending').where('expires_at', '<=', options.now);
  } else if (options.status === 'pending') {
    query = query.where('status', '=', 'pending').where('expires_at', '>', options.now);
  } else if (options.status !== undefined) {
    query = query.where('status', '=', options.status);
  }
  return translateErrors(() => query.orderBy('created_at', 'desc').orderBy('id').limit(options.limit).execute());
}

/** Inserts a new proposal; false when one with this id exists already. */
export async function insertProposal(db: Kysely<Database>, row: RegistryProposalsTable): Promise<boolean> {
  const result = await translateErrors(() =>
    db
      .insertInto('registry_proposals')
      .values(row)
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .executeTakeFirst(),
  );
  return result !== undefined;
}

/** Stores the proposal's new signature list if nobody else changed it since `version`. */
export async function updateProposalSignatures(
  db: Kysely<Database>,
  id: string,
  version: number,
  proposalJson: string,
): Promise<boolean> {
  const result = await translateErrors(() =>
    db
      .updateTable('registry_proposals')
      .set({ proposal: proposalJson, version: version + 1 })
      .where('id', '=', id)
      .where('version', '=', version)
      .where('status', '=', 'pending')
      .executeTakeFirst(),
  );
  return Number(result.numUpdatedRows) === 1;
}

/** Marks the applied proposal, and every other pending one made for the same sequence as stale. */
export async function settleProposals(
  db: Kysely<Database>,
  appliedId: string,
  baseSequence: number,
  appliedSequence: number,
  proposalJson: string,
): Promise<void> {
  await db
    .updateTable('registry_proposals')
    .set({ status: 'applied', applied_sequence: appliedSequence, proposal: proposalJson })
    .where('id', '=', appliedId)
    .execute();
  await db
    .updateTable('registry_proposals')
    .set({ status: 'stale' })
    .where('status', '=', 'pending')
    .where('base_sequence', '<=', baseSequence)
    .where('id', '!=', appliedId)
    .execute();
}
