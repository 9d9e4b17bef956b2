// The registry module's tables (migration 0005): the served or followed document, and the authority's proposals.
import type { Kysely, Selectable } from 'kysely';
import type { Database, RegistryDocumentsTable, RegistryProposalsTable } from '../../storage/schema.ts';
import { translateErrors } from '../../storage/index.ts';

export type DocumentRole = RegistryDocumentsTable['name'];
export type DocumentRow = Selectable<RegistryDocumentsTable>;
export type ProposalRow = Selectable<RegistryProposalsTable>;

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
  expected: { sequence: number; updatedAt?: number; maxSequence?: boolean },
  row: Omit<RegistryDocumentsTable, 'name'>,
): Promise<boolean> {
  let query = db.updateTable('registry_documents').set(row).where('name', '=', role);
  query = expected.maxSequence
    ? query.where('sequence', '<=', row.sequence)
    : query.where('sequence', '=', expected.sequence);
  if (expected.updatedAt !== undefined) query = query.where('updated_at', '=', expected.updatedAt);
  const result = await translateErrors(() => query.executeTakeFirst());
  return Number(result.numUpdatedRows) === 1;
}

export function readProposal(db: Kysely<Database>, id: string): Promise<ProposalRow | undefined> {
  return translateErrors(() => db.selectFrom('registry_proposals').selectAll().where('id', '=', id).executeTakeFirst());
}

export function listProposals(
  db: Kysely<Database>,
  options: { status?: ProposalRow['status']; limit: number },
): Promise<ProposalRow[]> {
  let query = db.selectFrom('registry_proposals').selectAll();
  if (options.status !== undefined) query = query.where('status', '=', options.status);
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
