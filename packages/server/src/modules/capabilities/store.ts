// The capabilities module's tables (migrations 0008, 0009, 0020). Only this module queries them; the intercept joins
// the agents module's `agentStandings` to read a token's agent in the same round trip, and checks there that the
// token is the one recorded at issuance (by the SHA-256 of its text: the text, a bearer credential, is not stored;
// an instance of an earlier version, still running during a rolling upgrade, records the text, until
// `scrubTokenText` replaces it by its digest).
import { setImmediate as nextTurn } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import { deleteExpiredFrom, preparedRead, translateErrors } from '../../storage/index.ts';
import type { Database, Engine } from '../../storage/index.ts';
import { hashSecret } from '../../http/secrets.ts';
import { agentStandings } from '../agents/service.ts';

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

/** What an intercept learns about a token from the database, beyond its signature: one query. */
export interface TokenStanding {
  /** The token, or a token in its `par` chain, is revoked. */
  revoked: boolean;
  /** The token, or a token in its `par` chain, was issued to a Vouch agent that is now revoked. */
  agentRevoked: boolean;
  /**
   * The gateway recorded this exact token (the SHA-256 of the compact text it signed, so the same `kid`, `sub`, `exp`
   * and every other claim): a token signed by a leaked capability key, even re-using a known `jti`, is not.
   */
  recorded: boolean;
  /** The Vouch agent the token was issued to; null when none (or the token is not on record here). */
  agentId: string | null;
  /** The agent that holds the slug asked about now; null when none does (or no slug was asked). */
  slugHolder: string | null;
}

type Jtis = string | readonly string[];

/**
 * `revocable`: the token and its ancestors; `owned`: the same (each records the agent it was issued to); `own`: the
 * token's id (twice: each value binds one placeholder); `tokenSha256`: the SHA-256 hex of its compact text
 * (`hashSecret`); `tokenText`: the text, for a row an earlier version wrote (its text, no digest yet); `slug`: the
 * slug its `sub` is, or null. Primary-key and unique-index lookups only.
 */
function standingQuery(
  db: Db,
  revocable: Jtis,
  owned: Jtis,
  own: string,
  ownAgain: string,
  tokenSha256: string,
  tokenText: string,
  slug: string | null,
) {
  return db.selectNoFrom((eb) => {
    const revocations = eb.selectFrom('capability_revocations').select('jti');
    const tokens = eb
      .selectFrom('capability_tokens as t')
      .innerJoin(agentStandings(db).as('a'), 'a.id', 't.vouch_agent_id')
      .select('t.jti');
    return [
      eb
        .exists(
          typeof revocable === 'string'
            ? revocations.where('jti', '=', revocable)
            : revocations.where('jti', 'in', [...revocable]),
        )
        .as('revoked'),
      eb
        .exists(
          (typeof owned === 'string'
            ? tokens.where('t.jti', '=', owned)
            : tokens.where('t.jti', 'in', [...owned])
          ).where('a.status', '=', sql.lit('revoked')),
        )
        .as('agent_revoked'),
      eb.selectFrom('capability_tokens').select('vouch_agent_id').where('jti', '=', own).as('agent_id'),
      // The row found by primary key must hold the presented text's digest (or, written by an earlier version during
      // a rolling upgrade and not yet scrubbed, no digest and the text itself): more comparisons, not a round trip.
      eb
        .exists(
          eb
            .selectFrom('capability_tokens')
            .select('jti')
            .where('jti', '=', ownAgain)
            .where((w) =>
              w.or([
                w('token_sha256', '=', tokenSha256),
                w.and([w('token_sha256', 'is', null), w('token', '=', tokenText)]),
              ]),
            ),
        )
        .as('recorded'),
      eb.selectFrom(agentStandings(db).as('h')).select('h.id').where('h.slug', '=', slug).as('slug_holder'),
    ];
  });
}

// A root token (the common case, on every intercept) takes a prepared statement.
const selectStandingOfRoot = preparedRead(
  (
    db,
    a: string,
    b: string,
    own: string,
    ownAgain: string,
    tokenSha256: string,
    tokenText: string,
    slug: string | null,
  ) => standingQuery(db, a, b, own, ownAgain, tokenSha256, tokenText, slug),
);

/**
 * The standing of `token`, whose ids are `jtis` (its ancestors first, as in `par`, then its own), and who holds
 * `slug` now, in one query.
 *
 * @example
 * const s = await tokenStanding(db, [...claims.par, claims.jti], token, 'my-agent');
 */
export async function tokenStanding(
  db: Db,
  jtis: readonly string[],
  token: string,
  slug: string | null,
): Promise<TokenStanding> {
  const own = jtis.at(-1);
  if (own === undefined) throw new Error('tokenStanding needs the token id');
  const digest = hashSecret(token);
  const rows = await translateErrors(() =>
    jtis.length === 1
      ? selectStandingOfRoot(db, own, own, own, own, digest, token, slug)
      : standingQuery(db, jtis, jtis, own, own, digest, token, slug).execute(),
  );
  const row = rows[0]!;
  return {
    // SQLite answers EXISTS with 1 or 0, PostgreSQL with a boolean.
    revoked: Boolean(row.revoked),
    agentRevoked: Boolean(row.agent_revoked),
    recorded: Boolean(row.recorded),
    agentId: row.agent_id ?? null,
    slugHolder: row.slug_holder ?? null,
  };
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

/** Whether token `jti` itself is on the revocation list (not its ancestors). */
export async function isRevoked(db: Db, jti: string): Promise<boolean> {
  const row = await translateErrors(() =>
    db.selectFrom('capability_revocations').select('jti').where('jti', '=', jti).executeTakeFirst(),
  );
  return row !== undefined;
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

/**
 * Deletes the records of tokens expired before `before`, their revocations, and used proofs too old to be presented
 * again: each is useless once its time has passed (a token's ancestors never expire before it does).
 */
export async function prune(
  db: Db,
  engine: Engine,
  before: number,
  batchRows?: number,
): Promise<Record<'capability_tokens' | 'capability_revocations' | 'capability_proofs', number>> {
  const tables = ['capability_proofs', 'capability_revocations', 'capability_tokens'] as const;
  return deleteExpiredFrom(db, engine, tables, { op: '<', before, batchRows });
}

/** Rows {@link scrubTokenText} reads per statement, and the batches it takes at most in one call. */
export const SCRUB_BATCH_ROWS = 100;
export const SCRUB_MAX_BATCHES = 10;

/**
 * Replaces the text of tokens recorded by an instance of an earlier version (one still running during a rolling
 * upgrade writes `token`, not `token_sha256`) by its digest, in batches of `batchRows`, at most `maxBatches` of them;
 * returns how many rows it scrubbed. Each row is updated only while it still holds the text read (so a row deleted or
 * scrubbed meanwhile is left alone), and stays recorded: the intercept accepts its text either way.
 */
export async function scrubTokenText(
  db: Db,
  batchRows = SCRUB_BATCH_ROWS,
  maxBatches = SCRUB_MAX_BATCHES,
): Promise<number> {
  let total = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const rows = await translateErrors(() =>
      db
        .selectFrom('capability_tokens')
        .select(['jti', 'token'])
        .where('token', 'is not', null)
        .limit(batchRows)
        .execute(),
    );
    for (const { jti, token } of rows) {
      if (token === null) continue;
      const res = await translateErrors(() =>
        db
          .updateTable('capability_tokens')
          .set({ token_sha256: hashSecret(token), token: null })
          .where('jti', '=', jti)
          .where('token', '=', token)
          .executeTakeFirst(),
      );
      total += Number(res.numUpdatedRows);
    }
    if (rows.length < batchRows) break;
    // SQLite runs every statement on this thread: let waiting requests in before the next batch.
    await nextTurn();
  }
  return total;
}
