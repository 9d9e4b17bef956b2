// The tokens module's tables (migration 0004). Only this module queries them.
import type { Kysely, Selectable } from 'kysely';
import { deleteExpiredFrom, translateErrors } from '../../storage/index.ts';
import type { Database, Engine } from '../../storage/index.ts';
import { noteLocalRevocation } from './local-revocations.ts';

export type Db = Kysely<Database>;
export type IssuedTokenRow = Selectable<Database['issued_tokens']>;
export type RevocationRow = Selectable<Database['token_revocations']>;

const SEQ_NAME = 'revocations';

/** The latest `expires_at` of the tokens each kid signed (only kids with a recorded token appear). */
export async function lastExpiryByKid(db: Db, kids: readonly string[]): Promise<Map<string, number>> {
  if (kids.length === 0) return new Map();
  const rows = await translateErrors(() =>
    db
      .selectFrom('issued_tokens')
      .select((eb) => ['kid', eb.fn.max<number>('expires_at').as('last')])
      .where('kid', 'in', [...kids])
      .groupBy('kid')
      .execute(),
  );
  return new Map(rows.map((r) => [r.kid, Number(r.last)]));
}

export async function insertIssuedToken(db: Db, row: IssuedTokenRow): Promise<void> {
  await translateErrors(() => db.insertInto('issued_tokens').values(row).execute());
}

export function findIssuedToken(db: Db, jti: string): Promise<IssuedTokenRow | undefined> {
  return translateErrors(() => db.selectFrom('issued_tokens').selectAll().where('jti', '=', jti).executeTakeFirst());
}

/** Records a used issuance proof; false if it was used before (the primary key settles races). */
export async function consumeIssueProof(db: Db, digest: string, agentDid: string, expiresAt: number): Promise<boolean> {
  const res = await translateErrors(() =>
    db
      .insertInto('token_issue_proofs')
      .values({ proof_digest: digest, agent_did: agentDid, expires_at: expiresAt })
      .onConflict((oc) => oc.column('proof_digest').doNothing())
      .returning('proof_digest')
      .executeTakeFirst(),
  );
  return res !== undefined;
}

/** Records a consumed session nonce; false if this audience saw it before (UNIQUE(audience, nonce)). */
export async function consumeNonce(
  db: Db,
  row: { audience: string; nonce: string; jti: string; consumedAt: number; expiresAt: number },
): Promise<boolean> {
  const res = await translateErrors(() =>
    db
      .insertInto('token_nonces')
      .values({
        audience: row.audience,
        nonce: row.nonce,
        jti: row.jti,
        consumed_at: row.consumedAt,
        expires_at: row.expiresAt,
      })
      .onConflict((oc) => oc.columns(['audience', 'nonce']).doNothing())
      .returning('nonce')
      .executeTakeFirst(),
  );
  return res !== undefined;
}

export async function isRevoked(db: Db, jti: string): Promise<boolean> {
  const row = await translateErrors(() =>
    db.selectFrom('token_revocations').select('jti').where('jti', '=', jti).executeTakeFirst(),
  );
  return row !== undefined;
}

export function findRevocation(db: Db, jti: string): Promise<RevocationRow | undefined> {
  return translateErrors(() =>
    db.selectFrom('token_revocations').selectAll().where('jti', '=', jti).executeTakeFirst(),
  );
}

/**
 * Inside a transaction, before it reads anything about revocations: holds the revocation counter without taking a
 * number (an update that changes nothing: the row lock on PostgreSQL, the write lock on SQLite), so that what the
 * transaction then reads stays true until it commits. Numbers are taken later with {@link nextRevocationSeq}.
 */
export async function lockRevocationSeq(trx: Db): Promise<void> {
  await translateErrors(() =>
    trx
      .updateTable('token_revocation_seq')
      .set((eb) => ({ value: eb.ref('value') }))
      .where('name', '=', SEQ_NAME)
      .executeTakeFirstOrThrow(),
  );
}

/**
 * Inside a transaction, as its first statement or after {@link lockRevocationSeq}: takes the next revocation
 * sequence number. The update locks the
 * one counter row (PostgreSQL) or takes the write lock (SQLite), so revoking transactions run one after another and
 * each commits before the next number is handed out: sequence order is commit order.
 */
export async function nextRevocationSeq(trx: Db): Promise<number> {
  const row = await translateErrors(() =>
    trx
      .updateTable('token_revocation_seq')
      .set((eb) => ({ value: eb('value', '+', 1) }))
      .where('name', '=', SEQ_NAME)
      .returning('value')
      .executeTakeFirstOrThrow(),
  );
  // The verify cache of this process re-reads the list until it has seen this number (once committed), while
  // this transaction may commit it (local-revocations.ts).
  noteLocalRevocation(trx, Number(row.value));
  return Number(row.value);
}

/** Revocations after sequence number `afterSeq`, in sequence order, at most `limit` (the verify cache's sync). */
export async function revocationsAfter(
  db: Db,
  afterSeq: number,
  limit: number,
): Promise<Array<{ jti: string; seq: number; expires_at: number }>> {
  const rows = await translateErrors(() =>
    db
      .selectFrom('token_revocations')
      .select(['jti', 'seq', 'expires_at'])
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute(),
  );
  return rows.map((r) => ({ jti: r.jti, seq: Number(r.seq), expires_at: Number(r.expires_at) }));
}

export async function insertRevocation(trx: Db, row: RevocationRow): Promise<void> {
  await translateErrors(() => trx.insertInto('token_revocations').values(row).execute());
}

/** The unrevoked tokens of an agent that expire after `after` (ms). */
export function liveTokensOfAgent(db: Db, agentDid: string, after: number): Promise<IssuedTokenRow[]> {
  return translateErrors(() =>
    db
      .selectFrom('issued_tokens')
      .selectAll()
      .where('agent_did', '=', agentDid)
      .where('expires_at', '>', after)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('token_revocations')
              .select('token_revocations.jti')
              .whereRef('token_revocations.jti', '=', 'issued_tokens.jti'),
          ),
        ),
      )
      .orderBy('issued_at')
      .execute(),
  );
}

/**
 * A page of the revocation list: entries after `afterSeq` (and revoked after `sinceMs`, when given) whose token
 * has not expired by `liveAfter`, in sequence order; one more row than `limit` tells whether more follow.
 */
export function revocationsPage(
  db: Db,
  opts: { afterSeq: number; sinceMs?: number; liveAfter: number; limit: number },
): Promise<RevocationRow[]> {
  let q = db
    .selectFrom('token_revocations')
    .selectAll()
    .where('seq', '>', opts.afterSeq)
    .where('expires_at', '>', opts.liveAfter);
  if (opts.sinceMs !== undefined) q = q.where('revoked_at', '>', opts.sinceMs);
  return translateErrors(() =>
    q
      .orderBy('seq')
      .limit(opts.limit + 1)
      .execute(),
  );
}

/** Deletes what can no longer matter: rows whose token (or proof window) ended at or before `before`. */
export async function pruneExpired(
  db: Db,
  engine: Engine,
  before: number,
  batchRows?: number,
): Promise<Record<string, number>> {
  return deleteExpiredFrom(db, engine, EXPIRING, { op: '<=', before, batchRows });
}

const EXPIRING = ['token_revocations', 'token_nonces', 'issued_tokens', 'token_issue_proofs'] as const;
