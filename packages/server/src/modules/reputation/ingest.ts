// Event ingestion: a batch is checked event by event, then every valid new event is stored and applied to the
// reputation of its agent in one transaction, so what the answer acknowledges is durable. Retried events
// (same integrator and externalEventId) are `inserted: false`, whoever stored them first.
import type { AppContext } from '../../context.ts';
import type { Engine } from '../../storage/index.ts';
import { assertAgentActive, findAgents, holdRevokedAgents } from '../agents/service.ts';
import type { Agent } from '../agents/service.ts';
import { getEnvironmentMetricsOf, holdConsentStatuses, holdIntegratorKey } from '../integrators/service.ts';
import { checkMetrics, EventError, parseEvent, validExternalIdOf } from './event.ts';
import type { EventErrorCode, ParsedEvent } from './event.ts';
import type { MetricDefinition } from './formula.ts';
import { MAX_SUM_MICRO, reachOf, ReputationState } from './state.ts';
import type { ScoredEvent } from './state.ts';
import * as store from './store.ts';
import type { NewEventRow } from './store.ts';

export interface IngestResult {
  externalEventId: string | null;
  inserted: boolean;
  error?: string;
  code?: EventErrorCode;
}

export interface IngestAnswer {
  /** True when no event had an error (duplicates are not errors). */
  success: boolean;
  /** Events newly stored by this request. */
  count: number;
  results: IngestResult[];
}

interface Pending {
  index: number;
  event: ParsedEvent;
  agent: Agent | undefined;
  metrics: ReadonlyMap<string, MetricDefinition>;
}

function consentRequired(): EventError {
  return new EventError('CONSENT_REQUIRED', 'The subject agent has not allowed this integrator.');
}

function agentRevoked(): EventError {
  return new EventError('AGENT_REVOKED', 'The subject agent has been revoked.');
}

function scoreSumLimit(): EventError {
  return new EventError(
    'SCORE_SUM_LIMIT',
    "The event's contributions would take a score sum of the subject agent past 2^53 - 1 micro-points.",
  );
}

function eventRow(slug: string, { event: e, agent }: Pending, receivedAt: number): NewEventRow {
  return {
    integrator_slug: slug,
    external_event_id: e.externalEventId,
    env_id: e.envId,
    event_type: e.eventType,
    subject_type: e.subjectType,
    subject_id: e.subjectId,
    agent_id: agent?.id ?? null,
    actor_type: e.actorType,
    actor_id: e.actorId,
    occurred_at: e.occurredAt,
    metric_values: JSON.stringify(e.metricValues),
    severity: e.severity,
    counterparty_type: e.counterpartyType,
    counterparty_id: e.counterpartyId,
    interaction_id: e.interactionId,
    data: e.data,
    received_at: receivedAt,
  };
}

function errorResult(raw: unknown, err: unknown): IngestResult {
  if (!(err instanceof EventError)) throw err;
  return { externalEventId: validExternalIdOf(raw), inserted: false, error: err.message, code: err.code };
}

/**
 * Ingests events for the integrator `slug` (one result per event, in order). `keyHash`, the hash of the API key the
 * request was authenticated with, is held in the transaction that stores the events (401 if it was rotated).
 *
 * @example
 * const answer = await ingestEvents(ctx, 'shop', [{ envId: 'shop.production.v1', externalEventId: 'e1', ... }]);
 */
export async function ingestEvents(
  ctx: AppContext,
  slug: string,
  raws: readonly unknown[],
  keyHash?: string,
): Promise<IngestAnswer> {
  const now = ctx.clock.now();
  const results: IngestResult[] = new Array(raws.length);
  const parsed: Array<{ index: number; event: ParsedEvent }> = [];
  // Refused events, by the external id they are looked up by (null: not a valid id, never looked up).
  const refused: Array<{ index: number; id: string | null; err: unknown }> = [];
  raws.forEach((raw, index) => {
    try {
      parsed.push({ index, event: parseEvent(raw, slug, now) });
    } catch (err) {
      refused.push({ index, id: validExternalIdOf(raw), err });
    }
  });

  // One query for every subject agent of the batch (not one per event or per agent); their consents are read once,
  // inside the transaction. Each subject once: a batch names its few agents many times over.
  const subjects = new Set<string>();
  for (const { event } of parsed) if (event.subjectType === 'agent') subjects.add(event.subjectId);
  const agents = await findAgents(ctx, [...subjects]);
  const metricSets = await getEnvironmentMetricsOf(
    ctx,
    slug,
    parsed.map((p) => p.event.version),
  );
  const pending: Pending[] = [];
  for (const { index, event } of parsed) {
    try {
      const metrics = metricSets.get(event.version);
      if (metrics === undefined) {
        throw new EventError('ENVIRONMENT_NOT_FOUND', `Environment version v${event.version} is not published.`);
      }
      checkMetrics(event, metrics);
      let agent: Agent | undefined;
      if (event.subjectType === 'agent') {
        agent = agents.get(event.subjectId);
        if (agent === undefined) throw new EventError('AGENT_NOT_FOUND', 'subjectId names no agent.');
        try {
          assertAgentActive(agent);
        } catch {
          throw agentRevoked();
        }
      }
      pending.push({ index, event, agent, metrics });
    } catch (err) {
      refused.push({ index, id: event.externalEventId, err });
    }
  }
  let count = 0;
  if (pending.length > 0) {
    const agentIds = pending.flatMap((p) => (p.agent === undefined ? [] : [p.agent.id]));
    const outcome = await retryOnDeadlock(() =>
      ctx.storage.db.transaction().execute(async (trx) => {
        if (keyHash !== undefined) await holdIntegratorKey(ctx, trx, slug, keyHash);
        await store.lockAgents(trx, ctx.storage.engine, agentIds);
        // Consents and the agents' revocation are read again here, held until this commits: a revoke (of the
        // consent or of the agent) that committed first is seen, one that comes later waits, so an event is never
        // stored after the revoke that withdrew it was answered. No query without agents.
        const revokedAgents = await holdRevokedAgents(ctx, trx, agentIds);
        const held = await holdConsentStatuses(ctx, trx, slug, agentIds);
        const late = new Map<Pending, EventError>();
        for (const p of pending) {
          if (p.agent === undefined) continue;
          if (revokedAgents.has(p.agent.id)) late.set(p, agentRevoked());
          else if (held.get(p.agent.id) !== 'allowed') late.set(p, consentRequired());
        }
        const kept = late.size === 0 ? pending : pending.filter((p) => !late.has(p));
        const seqs = await store.insertEvents(
          trx,
          ctx.storage.engine,
          kept.map((p) => eventRow(slug, p, now)),
        );
        const insertedIds = new Set(seqs.keys());
        const scored: Array<ScoredEvent & { seq: number; externalEventId: string }> = [];
        for (const { event: e, agent, metrics } of kept) {
          const seq = seqs.get(e.externalEventId);
          if (seq === undefined) continue;
          seqs.delete(e.externalEventId); // a second event with the same id in this batch is the duplicate
          if (agent === undefined) continue;
          scored.push({
            seq,
            externalEventId: e.externalEventId,
            agentId: agent.id,
            integratorSlug: slug,
            envId: e.envId,
            occurredAt: e.occurredAt,
            receivedAt: now,
            metricValues: e.metricValues,
            metrics,
          });
        }
        const refusedSeqs = await applyScored(trx, ctx.storage.engine, ctx.config.reputation.environmentCap, scored);
        // Events that would have taken a score sum past the bound are taken back, in this transaction: every copy
        // of their ids in the batch answers SCORE_SUM_LIMIT (none of them is stored).
        const overLimit = new Set<string>();
        if (refusedSeqs.length > 0) {
          const refusedSet = new Set(refusedSeqs);
          for (const e of scored) if (refusedSet.has(e.seq)) overLimit.add(e.externalEventId);
          await store.deleteEvents(trx, refusedSeqs);
        }
        return { insertedIds, late, overLimit };
      }),
    );
    const { insertedIds: inserted, late, overLimit } = outcome;
    for (const p of pending) {
      const { index, event } = p;
      const err = late.get(p) ?? (overLimit.has(event.externalEventId) ? scoreSumLimit() : undefined);
      if (err !== undefined) {
        refused.push({ index, id: event.externalEventId, err });
        continue;
      }
      const ok = inserted.has(event.externalEventId);
      if (ok) {
        count++;
        inserted.delete(event.externalEventId);
      }
      results[index] = { externalEventId: event.externalEventId, inserted: ok };
    }
  }
  // An event already stored (a retry, or a copy of an event this very batch stored) is inserted:false whatever
  // these checks say, those that need no database included, so a retried batch never turns into errors. Events that
  // passed them learned that from the insert (ON CONFLICT DO NOTHING), so only refused ones need this lookup, made
  // after the batch's own insert; a batch without refusals (or only with invalid ids) skips it.
  const ids = refused.flatMap((r) => (r.id === null ? [] : [r.id]));
  const stored = ids.length > 0 ? await store.existingExternalIds(ctx.storage.db, slug, ids) : new Set<string>();
  for (const { index, id, err } of refused) {
    results[index] =
      id !== null && stored.has(id) ? { externalEventId: id, inserted: false } : errorResult(raws[index], err);
  }
  return { success: results.every((r) => r.error === undefined), count, results };
}

/**
 * Runs a batch transaction again when PostgreSQL broke a deadlock by aborting it (40P01): two batches of one
 * integrator with disjoint agents but the same external ids in different orders can wait on each other's unique
 * index entries. Nothing of an aborted attempt was committed, so the retry is safe.
 */
async function retryOnDeadlock<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await run();
    } catch (err) {
      if (i >= attempts || (err as { code?: unknown }).code !== '40P01') throw err;
    }
  }
}

/**
 * Applies stored events to their agents' reputation, in `seq` order, with constant work per event. Returns the `seq`
 * of the events that had no effect because they would have taken a score sum past the bound ({@link MAX_SUM_MICRO}):
 * the caller takes them back.
 */
export async function applyScored(
  db: store.Db,
  engine: Engine,
  environmentCap: number,
  events: Array<ScoredEvent & { seq: number }>,
): Promise<number[]> {
  if (events.length === 0) return [];
  events.sort((a, b) => a.seq - b.seq);
  const state = new ReputationState(environmentCap);
  // The most the batch can move any sum by: score rows further than that from the bound cannot reach it, so they are
  // not read (their changes are written as differences); usually no row is nearer.
  const reach = events.reduce((sum, e) => sum + reachOf(e), 0);
  const agentIds = events.map((e) => e.agentId);
  const [allowances, scores] = await Promise.all([
    store.loadState(db, {
      agentIds,
      envIds: events.map((e) => e.envId),
      days: events.map((e) => Math.floor(e.occurredAt / 86_400_000)),
    }),
    store.loadScoresNearBound(db, agentIds, MAX_SUM_MICRO - reach),
  ]);
  state.addLoaded({ ...allowances, scores });
  const refused: number[] = [];
  for (const e of events) if (!state.apply(e)) refused.push(e.seq);
  await store.flushState(db, engine, state.changes());
  return refused;
}
