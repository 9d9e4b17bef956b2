// The re-check state of domain proofs (`agent_proofs` rows of type `domain`, migration 0013). Only the agents module
// queries these tables; domain verification reaches them through ./domain-port.ts.
import { codePointOrder } from '../../storage/index.ts';
import type { Engine } from '../../storage/index.ts';
import type { Db } from './store.ts';

const DOMAIN = 'domain';

/** Domain proofs one agent may hold: each is re-checked every day while it stands, and listed in its profile. */
export const MAX_DOMAIN_PROOFS = 10;

/** A domain proof a re-check pass has claimed: what it needs to check it, and to record the outcome safely. */
export interface ClaimedDomainProof {
  agentId: string;
  domain: string;
  /** Null for a proof recorded without a token (before migration 0013): it cannot be re-checked. */
  token: string | null;
  /** The method that last found the token, which a re-check tries first. */
  method: string;
  /** The last successful check as the claim saw it; an outcome is recorded only if it is still so. */
  succeededAt: number;
}

/**
 * Records a domain proof found now: a new row, or the existing one with the method and token just checked and both
 * check times moved to `at` (its first `verified_at` is kept: the proof has stood since then). Ends any claim on it:
 * a re-check that was running for the old token records nothing (see {@link markDomainChecked}). Returns the proof as
 * stored, which is what the caller answers.
 */
export async function upsertDomainProof(
  db: Db,
  p: { agentId: string; domain: string; method: string; token: string | undefined; at: number },
): Promise<{ method: string; verifiedAt: number }> {
  const token = p.token ?? null;
  const row = await db
    .insertInto('agent_proofs')
    .values({
      agent_id: p.agentId,
      type: DOMAIN,
      value: p.domain,
      method: p.method,
      verified_at: p.at,
      token,
      succeeded_at: p.at,
      checked_at: p.at,
      claimed_until: null,
    })
    .onConflict((oc) =>
      oc.columns(['agent_id', 'type', 'value']).doUpdateSet({
        // A caller without a token (tests, older code) keeps the one stored, and the method that found it.
        ...(token === null ? {} : { token, method: p.method }),
        succeeded_at: p.at,
        checked_at: p.at,
        claimed_until: null,
      }),
    )
    .returning(['method', 'verified_at'])
    .executeTakeFirstOrThrow();
  return { method: row.method, verifiedAt: Number(row.verified_at) };
}

/** How many domain proofs the agent holds. */
export async function countDomainProofs(db: Db, agentId: string): Promise<number> {
  const row = await db
    .selectFrom('agent_proofs')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('agent_id', '=', agentId)
    .where('type', '=', DOMAIN)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Whether the agent has a proof of `domain` (found, and not lapsed). */
export async function hasDomainProof(db: Db, agentId: string, domain: string): Promise<boolean> {
  const row = await db
    .selectFrom('agent_proofs')
    .select('agent_id')
    .where('agent_id', '=', agentId)
    .where('type', '=', DOMAIN)
    .where('value', '=', domain)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Claims up to `limit` domain proofs last checked at or before `checkedBefore`, oldest first, of agents that are not
 * revoked, and not claimed by another pass (or whose claim ran out): each is held until `leaseUntil`. Two processes
 * never claim one proof. PostgreSQL: one transaction picks the rows, locking them and skipping rows another process
 * holds (`FOR UPDATE SKIP LOCKED`), then claims them; the pick is its own statement because, as a subquery of the
 * UPDATE, PostgreSQL may run it again per row, each run skipping the rows just claimed, and so claim past the limit.
 * SQLite: one UPDATE (its subquery runs once), atomic under SQLite's single writer.
 */
export async function claimDueDomainProofs(
  db: Db,
  engine: Engine,
  c: { now: number; checkedBefore: number; leaseUntil: number; limit: number },
): Promise<ClaimedDomainProof[]> {
  const due = (d: Db) =>
    d
      .selectFrom('agent_proofs as p')
      .select(['p.agent_id', 'p.value'])
      .where('p.type', '=', DOMAIN)
      .where('p.checked_at', '<=', c.checkedBefore)
      .where((eb) => eb.or([eb('p.claimed_until', 'is', null), eb('p.claimed_until', '<=', c.now)]))
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('agents as a')
            .select('a.id')
            .whereRef('a.id', '=', 'p.agent_id')
            .where('a.status', '!=', 'revoked'),
        ),
      )
      .orderBy('p.checked_at')
      .limit(c.limit);
  const claim = (d: Db) =>
    d.updateTable('agent_proofs').set({ claimed_until: c.leaseUntil }).where('type', '=', DOMAIN);
  const rows =
    engine === 'postgres'
      ? await db.transaction().execute(async (trx) => {
          const picked = await due(trx).forUpdate().skipLocked().execute();
          if (picked.length === 0) return [];
          return claim(trx)
            .where((eb) =>
              eb(
                eb.refTuple('agent_id', 'value'),
                'in',
                picked.map((r) => eb.tuple(r.agent_id, r.value)),
              ),
            )
            .returning(['agent_id', 'value', 'token', 'method', 'succeeded_at'])
            .execute();
        })
      : await claim(db)
          .where((eb) => eb(eb.refTuple('agent_id', 'value'), 'in', due(db).$asTuple('agent_id', 'value')))
          .returning(['agent_id', 'value', 'token', 'method', 'succeeded_at'])
          .execute();
  return rows.map((r) => ({
    agentId: r.agent_id,
    domain: r.value,
    token: r.token,
    method: r.method,
    succeededAt: Number(r.succeeded_at),
  }));
}

/**
 * Records a re-check of a claimed proof and ends the claim: `found` (the method that found the token) moves the last
 * success too, and stores that method, which the next re-check tries first. Nothing is written if
 * the proof changed since the claim (proven again, or lapsed), or if its agent was revoked while it was checked (a
 * revoked agent's proofs are not re-checked): that newer state stands. `false` then.
 */
export async function markDomainChecked(
  db: Db,
  claim: ClaimedDomainProof,
  at: number,
  found: string | false,
): Promise<boolean> {
  const result = await db
    .updateTable('agent_proofs')
    .set({ checked_at: at, claimed_until: null, ...(found === false ? {} : { succeeded_at: at, method: found }) })
    .where('agent_id', '=', claim.agentId)
    .where('type', '=', DOMAIN)
    .where('value', '=', claim.domain)
    .where('succeeded_at', '=', claim.succeededAt)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('agents')
          .select('agents.id')
          .whereRef('agents.id', '=', 'agent_proofs.agent_id')
          .where('agents.status', '!=', 'revoked'),
      ),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Deletes a claimed proof whose last success is at or before `succeededBefore`, unless it changed since the claim;
 * `true` when it was deleted. Run it in the transaction that clears the agent's domain and writes the audit entry.
 */
export async function deleteLapsedDomainProof(
  db: Db,
  claim: ClaimedDomainProof,
  succeededBefore: number,
): Promise<boolean> {
  const result = await db
    .deleteFrom('agent_proofs')
    .where('agent_id', '=', claim.agentId)
    .where('type', '=', DOMAIN)
    .where('value', '=', claim.domain)
    .where('succeeded_at', '=', claim.succeededAt)
    .where('succeeded_at', '<=', succeededBefore)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** The agent's most recently found domain proof, if any is left. */
export async function latestDomainProof(db: Db, engine: Engine, agentId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('agent_proofs')
    .select('value')
    .where('agent_id', '=', agentId)
    .where('type', '=', DOMAIN)
    .orderBy('succeeded_at', 'desc')
    .orderBy(codePointOrder(engine, 'value'))
    .limit(1)
    .executeTakeFirst();
  return row?.value;
}

/** Sets (or clears) the agent's verified domain. */
export async function setAgentDomain(db: Db, agentId: string, domain: string | null, now: number): Promise<void> {
  await db.updateTable('agents').set({ verified_domain: domain, updated_at: now }).where('id', '=', agentId).execute();
}
