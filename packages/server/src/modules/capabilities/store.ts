// The capabilities module's tables (migration 0008). Only this module queries them.
import type { Kysely, Selectable } from 'kysely';
import { preparedRead, translateErrors } from '../../storage/index.ts';
import type { Database } from '../../storage/index.ts';

export type Db = Kysely<Database>;
export type CapabilityTokenRow = Selectable<Database['capability_tokens']>;

export async function insertToken(db: Db, row: CapabilityTokenRow): Promise<void> {
  await translateErrors(() => db.insertInto('capability_tokens').values(row).execute());
}

export function findToken(db: Db, jti: string): Promise<CapabilityTokenRow | undefined> {
  return translateErrors(() =>
    db.selectFrom('capability_tokens').selectAll().where('jti', '=', jti).executeTakeFirst(),
  );
}

const selectRevoked = preparedRead((db, jti: string) =>
  db.selectFrom('capability_revocations').select('jti').where('jti', '=', jti),
);

/**
 * Whether any of `jtis` is revoked: one primary-key lookup for a token and all its ancestors. A token that has none
 * (the common case, on every intercept) takes a prepared statement.
 */
export async function anyRevoked(db: Db, jtis: readonly string[]): Promise<boolean> {
  if (jtis.length === 0) return false;
  if (jtis.length === 1) return (await translateErrors(() => selectRevoked(db, jtis[0]!))).length > 0;
  const row = await translateErrors(() =>
    db
      .selectFrom('capability_revocations')
      .select('jti')
      .where('jti', 'in', [...jtis])
      .limit(1)
      .executeTakeFirst(),
  );
  return row !== undefined;
}

/** Records a revocation; false when the token was revoked already (the primary key settles races). */
export async function insertRevocation(db: Db, row: Selectable<Database['capability_revocations']>): Promise<boolean> {
  const res = await translateErrors(() =>
    db
      .insertInto('capability_revocations')
      .values(row)
      .onConflict((oc) => oc.column('jti').doNothing())
      .returning('jti')
      .executeTakeFirst(),
  );
  return res !== undefined;
}

/** Records a used proof of possession; false when it was used before. */
export async function consumeProof(db: Db, digest: string, expiresAt: number): Promise<boolean> {
  const res = await translateErrors(() =>
    db
      .insertInto('capability_proofs')
      .values({ proof_digest: digest, expires_at: expiresAt })
      .onConflict((oc) => oc.column('proof_digest').doNothing())
      .returning('proof_digest')
      .executeTakeFirst(),
  );
  return res !== undefined;
}

/** Deletes used proofs and revocations whose tokens have expired (each is useless after `now`). */
export async function prune(db: Db, now: number): Promise<void> {
  await translateErrors(async () => {
    await db.deleteFrom('capability_proofs').where('expires_at', '<', now).execute();
    await db.deleteFrom('capability_revocations').where('expires_at', '<', now).execute();
  });
}
