import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { AppContext } from '../../../context.ts';
import { ApiError } from '../../../errors.ts';
import { deleteExpired } from '../../../storage/expired-rows.ts';
import type { Database, DomainChallengesTable } from '../../../storage/schema.ts';
import type { AgentRef } from '../domain-port.ts';
import { MAX_DOMAIN_LENGTH, normalizeDomain } from './domain-name.ts';

/** A challenge token is valid for 24 hours after it is issued. */
export const CHALLENGE_TTL_MS = 24 * 60 * 60 * 1000;
/** Expired challenges are deleted this long after they expired (until then, verifying reports them expired). */
const PRUNE_AFTER_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Unexpired challenges one agent may hold at once (one per domain): a challenge for one more domain is refused until
 * the oldest expires, so one agent's rows are bounded (each lives its 24 h and the week after) whoever asks, and
 * from how many addresses.
 */
export const MAX_LIVE_CHALLENGES = 10;

/** DNS name that holds the TXT record, meta tag name, and well-known file path of the three methods. */
export const TXT_RECORD_PREFIX = '_vouch-verify.';
export const META_TAG_NAME = 'vouch-verify';
export const WELL_KNOWN_PATH = '/.well-known/vouch-verify.txt';

/**
 * Why no TXT record can prove `domain`, or null if one can: a valid domain of over 239 characters makes
 * `_vouch-verify.<domain>` longer than DNS allows (253), so the method is neither offered nor queried.
 */
export function txtNameUnavailable(domain: string): string | null {
  const name = `${TXT_RECORD_PREFIX}${domain}`;
  if (name.length <= MAX_DOMAIN_LENGTH) return null;
  return `DNS TXT cannot prove this domain: ${name} would be ${name.length} characters, longer than DNS allows (${MAX_DOMAIN_LENGTH}); use the meta tag or the file.`;
}

export type DomainMethod = 'dns_txt' | 'meta_tag' | 'file';
/** The three methods, in the order a check prefers them when several hold the token. */
export const DOMAIN_METHODS: readonly DomainMethod[] = ['dns_txt', 'meta_tag', 'file'];

/** How to publish the token, one entry per method: a sentence for people and the exact values for programs. */
export type VerificationMethod =
  | { method: 'dns_txt'; instruction: string; name: string; value: string }
  | { method: 'meta_tag'; instruction: string; url: string; tag: string }
  | { method: 'file'; instruction: string; url: string; content: string };

/** The answer of `GET /v1/identity/{slug}/domain-challenge` (Treeship's shape, plus `did`). */
export interface DomainChallengeView {
  agent_slug: string | null;
  did: string;
  domain: string;
  challenge_token: string;
  verification_methods: VerificationMethod[];
  /** ISO-8601. */
  expires_at: string;
}

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Issues (or returns) the challenge for an agent and a domain: the current token while it is valid, a new one once
 * it has expired. Idempotent and race-safe: concurrent callers all get the same token (one upsert that replaces only an
 * expired row's token). Throws `DOMAIN_INVALID` for a bad domain, `AGENT_REVOKED` for a revoked
 * agent, and `DOMAIN_CHALLENGE_LIMIT` (429, `Retry-After` until the oldest expires) for a new challenge of an agent
 * that holds {@link MAX_LIVE_CHALLENGES} unexpired ones. `db` lets a caller run it inside its own transaction; one
 * that holds the agent's row locked (the routes do) makes that count exact under concurrent requests.
 *
 * @example
 * const c = await createDomainChallenge(ctx, agent, 'agent.example.com');
 * c.verification_methods[0].instruction; // 'Add TXT record: _vouch-verify.agent.example.com = 3f1c…'
 */
export async function createDomainChallenge(
  ctx: AppContext,
  agent: AgentRef,
  domain: string,
  db: Db = ctx.storage.db,
): Promise<DomainChallengeView> {
  const name = normalizeDomain(domain);
  if (agent.status === 'revoked') throw new ApiError('AGENT_REVOKED', 'This agent is revoked.');
  const now = ctx.clock.now();
  const token = randomBytes(24).toString('hex');
  // One bounded batch per new challenge: each request adds one row, so this keeps up without a housekeeping loop.
  await deleteExpired(db, ctx.storage.engine, 'domain_challenges', {
    op: '<',
    before: now - PRUNE_AFTER_MS,
    batchRows: 100,
    maxBatches: 1,
  });
  const current = await findChallenge(db, agent.id, name);
  if (current === undefined || current.expires_at <= now) await assertRoomForChallenge(db, agent.id, name, now);
  // One statement: inserts the challenge, or replaces the token only if it has expired (a concurrent caller's fresh
  // token is left alone). An insert-if-absent and then an update let another process's housekeeping delete the
  // expired row between the two (its clock a little ahead): nothing was left to answer. The upsert locks the row it
  // finds (PostgreSQL) until the transaction ends, and a renewed row is no longer expired.
  await db
    .insertInto('domain_challenges')
    .values({ agent_id: agent.id, domain: name, token, created_at: now, expires_at: now + CHALLENGE_TTL_MS })
    .onConflict((oc) =>
      oc
        .columns(['agent_id', 'domain'])
        .doUpdateSet({ token, created_at: now, expires_at: now + CHALLENGE_TTL_MS })
        .where('domain_challenges.expires_at', '<=', now),
    )
    .execute();
  const row = await findChallenge(db, agent.id, name);
  if (row === undefined) throw new Error('domain challenge vanished after it was written');
  return challengeView(agent, row);
}

/** ApiError DOMAIN_CHALLENGE_LIMIT unless the agent holds fewer than MAX_LIVE_CHALLENGES live ones for other domains. */
async function assertRoomForChallenge(db: Db, agentId: string, domain: string, now: number): Promise<void> {
  const live = await db
    .selectFrom('domain_challenges')
    .select('expires_at')
    .where('agent_id', '=', agentId)
    .where('domain', '!=', domain)
    .where('expires_at', '>', now)
    .orderBy('expires_at')
    .limit(MAX_LIVE_CHALLENGES)
    .execute();
  if (live.length < MAX_LIVE_CHALLENGES) return;
  const retry = Math.max(1, Math.ceil((Number(live[0]!.expires_at) - now) / 1000));
  throw new ApiError(
    'DOMAIN_CHALLENGE_LIMIT',
    `This agent holds ${MAX_LIVE_CHALLENGES} unexpired domain challenges; prove or wait out one of them (see Retry-After).`,
    { headers: { 'retry-after': String(retry) } },
  );
}

/**
 * Housekeeping, safe to run in every process at any time: deletes the challenges that expired more than a week ago,
 * in batches, and returns how many went. Issuing a challenge prunes a bounded batch too; this keeps the table
 * bounded while nobody asks for one.
 *
 * @example
 * setInterval(() => void pruneDomainChallenges(ctx), 60_000).unref();
 */
export function pruneDomainChallenges(ctx: AppContext): Promise<number> {
  return deleteExpired(ctx.storage.db, ctx.storage.engine, 'domain_challenges', {
    op: '<',
    before: ctx.clock.now() - PRUNE_AFTER_MS,
  });
}

/** The stored challenge for an agent and a canonical domain, if any. */
export async function findChallenge(
  db: Db,
  agentId: string,
  domain: string,
): Promise<DomainChallengesTable | undefined> {
  const row = await db
    .selectFrom('domain_challenges')
    .selectAll()
    .where('agent_id', '=', agentId)
    .where('domain', '=', domain)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : { ...row, created_at: Number(row.created_at), expires_at: Number(row.expires_at) };
}

function challengeView(agent: AgentRef, row: DomainChallengesTable): DomainChallengeView {
  return {
    agent_slug: agent.slug,
    did: agent.did,
    domain: row.domain,
    challenge_token: row.token,
    verification_methods: verificationMethods(row.domain, row.token),
    expires_at: new Date(row.expires_at).toISOString(),
  };
}

/** The ways to publish `token` for `domain` (canonical form): three, or the two web ones when its TXT name is too long. */
export function verificationMethods(domain: string, token: string): VerificationMethod[] {
  const txt = `${TXT_RECORD_PREFIX}${domain}`;
  const home = `https://${domain}/`;
  const tag = `<meta name="${META_TAG_NAME}" content="${token}">`;
  const file = `https://${domain}${WELL_KNOWN_PATH}`;
  const web: VerificationMethod[] = [
    { method: 'meta_tag', instruction: `Add to <head> of ${home}: ${tag}`, url: home, tag },
    { method: 'file', instruction: `Create file: ${file} containing: ${token}`, url: file, content: token },
  ];
  if (txtNameUnavailable(domain) !== null) return web;
  return [{ method: 'dns_txt', instruction: `Add TXT record: ${txt} = ${token}`, name: txt, value: token }, ...web];
}
