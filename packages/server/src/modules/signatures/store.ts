// The signatures module's tables (migrations 0006, 0012): signatures, reports and the report locks. Only this module
// queries them; others call ./service.ts and ./reports.ts.
import { sql } from 'kysely';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { deleteExpired, translateErrors } from '../../storage/index.ts';
import type { Database, Engine } from '../../storage/index.ts';

export type Db = Kysely<Database> | Transaction<Database>;
export type SignatureRow = Selectable<Database['signatures']>;
export type ReportRow = Selectable<Database['reports']>;

export function findSignature(db: Db, signatureHash: string): Promise<SignatureRow | undefined> {
  return translateErrors(() =>
    db.selectFrom('signatures').selectAll().where('signature_hash', '=', signatureHash).executeTakeFirst(),
  );
}

/**
 * Inserts a signature unless its hash is stored already (the primary key settles concurrent submissions);
 * returns the stored row either way and whether this call inserted it.
 */
export async function insertSignature(
  db: Db,
  row: Omit<SignatureRow, 'certification_count'>,
): Promise<{ row: SignatureRow; inserted: boolean }> {
  const inserted = await translateErrors(() =>
    db
      .insertInto('signatures')
      .values({ ...row, certification_count: 0 })
      .onConflict((oc) => oc.column('signature_hash').doNothing())
      .returningAll()
      .executeTakeFirst(),
  );
  // A new row comes back from the insert itself; only a submission seen before reads the stored one.
  if (inserted !== undefined) return { row: inserted, inserted: true };
  const stored = await findSignature(db, row.signature_hash);
  if (stored === undefined) throw new Error('A stored signature vanished.');
  return { row: stored, inserted: false };
}

export async function countSignaturesOfAgent(db: Db, agentId: string): Promise<number> {
  const row = await translateErrors(() =>
    db
      .selectFrom('signatures')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('agent_id', '=', agentId)
      .executeTakeFirstOrThrow(),
  );
  return Number(row.n);
}

/** How many signatures are recorded, by every agent. */
export async function countSignatures(db: Db): Promise<number> {
  const row = await translateErrors(() =>
    db
      .selectFrom('signatures')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow(),
  );
  return Number(row.n);
}

/** Adds one certification; returns the new count, or undefined for an unknown hash. */
export async function incrementCertifications(db: Db, signatureHash: string): Promise<number | undefined> {
  const row = await translateErrors(() =>
    db
      .updateTable('signatures')
      .set((eb) => ({ certification_count: eb('certification_count', '+', 1) }))
      .where('signature_hash', '=', signatureHash)
      .returning('certification_count')
      .executeTakeFirst(),
  );
  return row === undefined ? undefined : Number(row.certification_count);
}

/**
 * Inside a report's transaction: takes the lock row `key`. The upsert's row lock (PostgreSQL) or the write lock
 * (SQLite) holds until commit, so every later read of that target's or address's reports sees every report that
 * committed before it.
 */
export async function lockReportKey(trx: Db, key: string, now: number): Promise<void> {
  await translateErrors(() =>
    trx
      .insertInto('report_locks')
      .values({ key, touched_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ touched_at: now }))
      .execute(),
  );
}

/**
 * Housekeeping: deletes the report lock rows last taken before `before`, in bounded batches; returns how many went.
 * A row carries nothing a report reads: it exists to be locked, and a report's transaction upserts it again. A row
 * that a transaction in flight holds (or took since) is kept: on PostgreSQL the delete waits for that transaction and
 * checks `touched_at` again on the row it left; SQLite runs one write transaction at a time.
 */
export function pruneReportLocks(db: Kysely<Database>, engine: Engine, before: number): Promise<number> {
  return deleteExpired(db, engine, 'report_locks', { op: '<', before, column: 'touched_at' });
}

export type ReporterKey = { reporterAgentId: string } | { reporterAddress: string };

/** The report by this reporter (agent id or address hash) against `targetId` since `since`, whatever its reason. */
export function findRecentReport(
  db: Db,
  by: ReporterKey,
  targetId: string,
  since: number,
): Promise<ReportRow | undefined> {
  let q = db.selectFrom('reports').selectAll().where('target_agent_id', '=', targetId).where('created_at', '>', since);
  q =
    'reporterAgentId' in by
      ? q.where('reporter_agent_id', '=', by.reporterAgentId)
      : q.where('kind', '=', 'anonymous').where('reporter_address', '=', by.reporterAddress);
  return translateErrors(() => q.orderBy('created_at').limit(1).executeTakeFirst());
}

/**
 * The report filed by the signed statement `report:<target>:<reason>:<signedAt>` of this reporter, if any, whenever it
 * was filed: the same signature is one report (reporter and target lead the reporter-target index).
 */
export function findSignedReport(
  db: Db,
  reporterAgentId: string,
  targetId: string,
  reason: ReportRow['reason'],
  signedAt: number,
): Promise<ReportRow | undefined> {
  const q = db
    .selectFrom('reports')
    .selectAll()
    .where('reporter_agent_id', '=', reporterAgentId)
    .where('target_agent_id', '=', targetId)
    .where('kind', '=', 'signed')
    .where('reason', '=', reason)
    .where('signed_at', '=', signedAt);
  return translateErrors(() => q.orderBy('created_at').limit(1).executeTakeFirst());
}

/** Penalty points against a target that the report caps add up (see {@link penaltiesInForce}). */
export interface PenaltiesInForce {
  /** Carried by reports since `daySince` (the 24-hour cap). */
  day: number;
  /** Carried by reports of limited standing since `since`. */
  limited: number;
  /** Carried by this reporter's reports since `since`. */
  reporter: number;
}

/**
 * The penalties that reports not withdrawn carried against `targetId` since `since` (the penalty lifetime), split as
 * the caps need them; one statement over the target's penalized reports (partial index
 * `reports_target_penalized_idx`: at most 20 points, so 20 rows, a day).
 */
export async function penaltiesInForce(
  db: Db,
  targetId: string,
  by: ReporterKey,
  since: number,
  daySince: number,
): Promise<PenaltiesInForce> {
  const mine =
    'reporterAgentId' in by
      ? sql<boolean>`reporter_agent_id = ${by.reporterAgentId}`
      : sql<boolean>`kind = 'anonymous' and reporter_address = ${by.reporterAddress}`;
  const row = await translateErrors(() =>
    db
      .selectFrom('reports')
      .select([
        sql<number>`coalesce(sum(case when created_at > ${daySince} then penalty else 0 end), 0)`.as('day'),
        sql<number>`coalesce(sum(case when standing = 'limited' then penalty else 0 end), 0)`.as('limited'),
        sql<number>`coalesce(sum(case when ${mine} then penalty else 0 end), 0)`.as('reporter'),
      ])
      .where('target_agent_id', '=', targetId)
      .where('created_at', '>', since)
      // A literal, not a parameter, so that PostgreSQL matches the partial index's predicate.
      .where(sql<boolean>`penalty > 0`)
      .where('withdrawn_at', 'is', null)
      .executeTakeFirstOrThrow(),
  );
  return { day: Number(row.day), limited: Number(row.limited), reporter: Number(row.reporter) };
}

/** Anonymous reports sent from this address (hash) since `since`: their count and the oldest one's time. */
export async function anonymousReportsSince(
  db: Db,
  reporterAddress: string,
  since: number,
): Promise<{ count: number; oldest: number | null }> {
  const row = await translateErrors(() =>
    db
      .selectFrom('reports')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min<number>('created_at').as('oldest')])
      .where('kind', '=', 'anonymous')
      .where('reporter_address', '=', reporterAddress)
      .where('created_at', '>', since)
      .executeTakeFirstOrThrow(),
  );
  return { count: Number(row.n), oldest: row.oldest === null ? null : Number(row.oldest) };
}

export async function insertReport(db: Db, row: ReportRow): Promise<void> {
  await translateErrors(() => db.insertInto('reports').values(row).execute());
}

/** Marks every report of this agent not yet withdrawn as withdrawn at `at` (its revocation). */
export async function withdrawReportsBy(db: Db, reporterAgentId: string, at: number): Promise<void> {
  await translateErrors(() =>
    db
      .updateTable('reports')
      .set({ withdrawn_at: at })
      .where('reporter_agent_id', '=', reporterAgentId)
      .where('withdrawn_at', 'is', null)
      .execute(),
  );
}
