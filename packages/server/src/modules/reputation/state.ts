// The incremental reputation update: derived rows held in memory for the agents a batch touches, events applied
// to them one by one in `seq` order, and the changes written back as deltas. The rebuild runs the same code from
// empty state over the whole history, which is why the two agree exactly.
import { PG_INTEGER_MAX } from '../../storage/index.ts';
import { contributionMicro, LANES, utcDay } from './formula.ts';
import type { Lane, MetricDefinition, MetricValue } from './formula.ts';

/**
 * The largest magnitude of a lane sum, in micro-points: Number.MAX_SAFE_INTEGER (2^53 − 1). Namespaces are free and
 * each environment counts up to 1,000,000 contributions of up to 10^9 micro-points, so nothing else bounds an agent's
 * sums; beyond this a JS number is no longer exact (PostgreSQL's int8 parser refuses the value; int8 itself ends
 * at 2^63 − 1). An event whose counted contributions would take a sum past it has no effect: ingestion refuses it
 * (`SCORE_SUM_LIMIT`, not stored), so a rebuild of the history never meets one. Lanes publish clamped to 0..100
 * points, so a sum this far out reads as 0 or 100 either way.
 */
export const MAX_SUM_MICRO = Number.MAX_SAFE_INTEGER;

/**
 * The most `environmentCount` holds: 2^31 - 1, the top of PostgreSQL's 32-bit `integer` column (SQLite's is 64-bit).
 * Environment ids are the integrator's free choice, so an agent's count has no other bound; past this PostgreSQL
 * refused the write (22003, a 500) where SQLite counted on. Both engines hold the count here instead (also
 * store.ts's upsert, which adds to rows this state did not read).
 */
export const MAX_ENVIRONMENT_COUNT = PG_INTEGER_MAX;

/**
 * The most `ev` can move any one lane sum by, in micro-points: |contribution| summed over its values (whether they
 * would count or not), the bound {@link ReputationState.fits} and ingestion's read of near-bound rows start from.
 */
export function reachOf(ev: Pick<ScoredEvent, 'metricValues' | 'metrics'>): number {
  let reach = 0;
  for (const mv of ev.metricValues) {
    const def = ev.metrics.get(mv.metricKey);
    if (def !== undefined) reach += Math.abs(contributionMicro(def, mv));
  }
  return reach;
}

/** The global scope of `reputation_scores`; any other scope is an integrator slug. */
export const GLOBAL_SCOPE = 'global';

export interface ScoreState {
  agentId: string;
  scope: string;
  micro: Record<Lane, number>;
  /** Report penalties ever added and not withdrawn (global scope only); the score subtracts those still in force. */
  penalty: number;
  environmentCount: number;
  updatedAt: number;
}

export interface TotalState {
  agentId: string;
  envId: string;
  metricKey: string;
  integratorSlug: string;
  totalEvents: number;
  weightedMicro: number;
  lastEventAt: number;
}

export interface DayState {
  agentId: string;
  envId: string;
  metricKey: string;
  day: number;
  counted: number;
}

export interface EnvState {
  agentId: string;
  envId: string;
  integratorSlug: string;
  counted: number;
}

/** An event as the reputation update sees it. */
export interface ScoredEvent {
  agentId: string;
  integratorSlug: string;
  envId: string;
  occurredAt: number;
  /** When the event was received: the score's `updatedAt`. */
  receivedAt: number;
  metricValues: readonly MetricValue[];
  /** The metric definitions of the event's environment version, by key. */
  metrics: ReadonlyMap<string, MetricDefinition>;
}

/** A row as loaded (`base`, undefined when absent) and as it is now. */
interface Tracked<T> {
  base: T | undefined;
  now: T;
}

const k = (...parts: Array<string | number>): string => parts.join('\u0000');

/** A copy of a flat row (every field a primitive); ScoreState copies its `micro` too. */
function clone<T extends object>(v: T): T {
  return { ...v };
}

function cloneScore(v: ScoreState): ScoreState {
  return { ...v, micro: { ...v.micro } };
}

/** One agent's rows as apply() reaches them (see ReputationState's index). */
interface AgentRows {
  global: ScoreState;
  scopes: Map<string, ScoreState>;
  envs: Map<string, { row: EnvState; totals: Map<string, TotalState>; days: Map<string, Map<number, DayState>> }>;
}

/**
 * Derived rows for a set of agents. Rows not loaded are taken as absent. The allowances (day and environment counts)
 * decide how an event counts, so the caller must load every such row the events can touch (see store.loadState);
 * scores and totals may be left out, as changes() gives differences to add, which are the same either way.
 */
export class ReputationState {
  readonly scores = new Map<string, Tracked<ScoreState>>();
  readonly totals = new Map<string, Tracked<TotalState>>();
  readonly days = new Map<string, Tracked<DayState>>();
  readonly envs = new Map<string, Tracked<EnvState>>();

  /**
   * apply()'s index of the rows above by agent, then scope or environment, then metric and day: the same row objects
   * (a row is never replaced once in a map, except by addLoaded, which drops this index), reached without building
   * a joined key for each lookup.
   */
  readonly #byAgent = new Map<string, AgentRows>();

  constructor(readonly environmentCap: number) {}

  addLoaded(rows: { scores?: ScoreState[]; totals?: TotalState[]; days?: DayState[]; envs?: EnvState[] }): void {
    this.#byAgent.clear();
    for (const r of rows.scores ?? []) this.scores.set(k(r.agentId, r.scope), { base: r, now: cloneScore(r) });
    for (const r of rows.totals ?? []) this.totals.set(k(r.agentId, r.envId, r.metricKey), { base: r, now: clone(r) });
    for (const r of rows.days ?? [])
      this.days.set(k(r.agentId, r.envId, r.metricKey, r.day), { base: r, now: clone(r) });
    for (const r of rows.envs ?? []) this.envs.set(k(r.agentId, r.envId), { base: r, now: clone(r) });
  }

  score(agentId: string, scope: string): ScoreState {
    const key = k(agentId, scope);
    let t = this.scores.get(key);
    if (t === undefined) {
      const row: ScoreState = {
        agentId,
        scope,
        micro: { origin: 0, presence: 0, conduct: 0 },
        penalty: 0,
        environmentCount: 0,
        updatedAt: 0,
      };
      t = { base: undefined, now: row };
      this.scores.set(key, t);
    }
    return t.now;
  }

  private total(agentId: string, envId: string, metricKey: string, integratorSlug: string): TotalState {
    const key = k(agentId, envId, metricKey);
    let t = this.totals.get(key);
    if (t === undefined) {
      t = {
        base: undefined,
        now: { agentId, envId, metricKey, integratorSlug, totalEvents: 0, weightedMicro: 0, lastEventAt: 0 },
      };
      this.totals.set(key, t);
    }
    return t.now;
  }

  private day(agentId: string, envId: string, metricKey: string, day: number): DayState {
    const key = k(agentId, envId, metricKey, day);
    let t = this.days.get(key);
    if (t === undefined) {
      t = { base: undefined, now: { agentId, envId, metricKey, day, counted: 0 } };
      this.days.set(key, t);
    }
    return t.now;
  }

  /** The agent's row for an environment, and whether it was just created (a new environment for the agent). */
  private env(agentId: string, envId: string, integratorSlug: string): { row: EnvState; created: boolean } {
    const key = k(agentId, envId);
    const t = this.envs.get(key);
    if (t !== undefined) return { row: t.now, created: false };
    const row = { agentId, envId, integratorSlug, counted: 0 };
    this.envs.set(key, { base: undefined, now: row });
    return { row, created: true };
  }

  /**
   * Applies one event (docs/reputation.md, "How an event counts"). Constant work per metric value.
   * Every metric value of the event counts in `totalEvents`; a boost or hurt value with a non-zero contribution
   * takes one slot of its (agent, environment, metric, UTC day) allowance (`maxPerDay`) and one of the (agent,
   * environment) allowance (`environmentCap`) and, if both have room, adds to the lane in both scopes.
   * Returns false, having changed nothing, when the counted contributions would take a lane sum of either scope past
   * ±{@link MAX_SUM_MICRO} (see {@link fits}).
   */
  apply(ev: ScoredEvent): boolean {
    if (!this.fits(ev)) return false;
    let a = this.#byAgent.get(ev.agentId);
    if (a === undefined) {
      a = { global: this.score(ev.agentId, GLOBAL_SCOPE), scopes: new Map(), envs: new Map() };
      this.#byAgent.set(ev.agentId, a);
    }
    const global = a.global;
    let local = a.scopes.get(ev.integratorSlug);
    if (local === undefined) {
      local = this.score(ev.agentId, ev.integratorSlug);
      a.scopes.set(ev.integratorSlug, local);
    }
    let env = a.envs.get(ev.envId);
    if (env === undefined) {
      const { row, created } = this.env(ev.agentId, ev.envId, ev.integratorSlug);
      if (created) {
        global.environmentCount = Math.min(global.environmentCount + 1, MAX_ENVIRONMENT_COUNT);
        local.environmentCount = Math.min(local.environmentCount + 1, MAX_ENVIRONMENT_COUNT);
      }
      env = { row, totals: new Map(), days: new Map() };
      a.envs.set(ev.envId, env);
    }
    const day = utcDay(ev.occurredAt);
    // The event's counted change per lane, added to the sums once: value by value, a boost then a hurt near the bound
    // would pass 2^53 in between, where the sum is rounded (fits() checks this net change).
    const delta: Record<Lane, number> = { origin: 0, presence: 0, conduct: 0 };
    for (const mv of ev.metricValues) {
      const def = ev.metrics.get(mv.metricKey);
      if (def === undefined) continue; // refused at validation; never stored
      let total = env.totals.get(mv.metricKey);
      if (total === undefined) {
        total = this.total(ev.agentId, ev.envId, mv.metricKey, ev.integratorSlug);
        env.totals.set(mv.metricKey, total);
      }
      total.totalEvents += 1;
      total.lastEventAt = Math.max(total.lastEventAt, ev.occurredAt);
      const c = contributionMicro(def, mv);
      if (c === 0) continue;
      let days = env.days.get(mv.metricKey);
      if (days === undefined) {
        days = new Map();
        env.days.set(mv.metricKey, days);
      }
      let perDay = days.get(day);
      if (perDay === undefined) {
        perDay = this.day(ev.agentId, ev.envId, mv.metricKey, day);
        days.set(day, perDay);
      }
      if (perDay.counted >= def.maxPerDay || env.row.counted >= this.environmentCap) continue;
      perDay.counted += 1;
      env.row.counted += 1;
      total.weightedMicro += c;
      delta[def.lane] += c;
    }
    for (const lane of LANES) {
      if (delta[lane] === 0) continue;
      global.micro[lane] += delta[lane];
      local.micro[lane] += delta[lane];
    }
    global.updatedAt = Math.max(global.updatedAt, ev.receivedAt);
    local.updatedAt = Math.max(local.updatedAt, ev.receivedAt);
    return true;
  }

  /**
   * Whether applying `ev` keeps every lane sum it adds to (global and integrator scope) within ±{@link MAX_SUM_MICRO}.
   * Creates no row. Sums far from the bound (more than the event's largest possible change away, |c| summed over its
   * values) need no more; otherwise the values that would count are worked out as apply() does, without taking slots.
   * A lane's new sum is the old one plus the event's change, each a safe integer, so the sums stay exact.
   */
  fits(ev: ScoredEvent): boolean {
    const reach = reachOf(ev);
    if (reach === 0) return true;
    const a = this.#byAgent.get(ev.agentId);
    const sums = [
      a?.global ?? this.scores.get(k(ev.agentId, GLOBAL_SCOPE))?.now,
      a?.scopes.get(ev.integratorSlug) ?? this.scores.get(k(ev.agentId, ev.integratorSlug))?.now,
    ];
    const far = (s: ScoreState | undefined) =>
      s === undefined || LANES.every((lane) => Math.abs(s.micro[lane]) <= MAX_SUM_MICRO - reach);
    if (sums.every(far)) return true;
    const day = utcDay(ev.occurredAt);
    const delta: Record<Lane, number> = { origin: 0, presence: 0, conduct: 0 };
    let envCounted = this.envs.get(k(ev.agentId, ev.envId))?.now.counted ?? 0;
    for (const mv of ev.metricValues) {
      const def = ev.metrics.get(mv.metricKey);
      if (def === undefined) continue;
      const c = contributionMicro(def, mv);
      if (c === 0) continue;
      const perDay = this.days.get(k(ev.agentId, ev.envId, mv.metricKey, day))?.now.counted ?? 0;
      if (perDay >= def.maxPerDay || envCounted >= this.environmentCap) continue;
      envCounted += 1;
      delta[def.lane] += c;
    }
    return sums.every(
      (s) => s === undefined || LANES.every((lane) => Math.abs(s.micro[lane] + delta[lane]) <= MAX_SUM_MICRO),
    );
  }

  /** Adds a report penalty to the agent's global score. */
  applyPenalty(agentId: string, penalty: number, at: number): void {
    const s = this.score(agentId, GLOBAL_SCOPE);
    s.penalty += penalty;
    s.updatedAt = Math.max(s.updatedAt, at);
  }

  /** Takes back a penalty added earlier (its reporter was revoked at `at`). */
  withdrawPenalty(agentId: string, penalty: number, at: number): void {
    const s = this.score(agentId, GLOBAL_SCOPE);
    s.penalty -= penalty;
    s.updatedAt = Math.max(s.updatedAt, at);
  }

  /** What changed since loading, as rows of differences to add (see store.flushState). */
  changes(): StateChanges {
    const scores: ScoreState[] = [];
    for (const { base, now } of this.scores.values()) {
      const d: ScoreState = {
        ...now,
        micro: { origin: 0, presence: 0, conduct: 0 },
        penalty: now.penalty - (base?.penalty ?? 0),
        environmentCount: now.environmentCount - (base?.environmentCount ?? 0),
      };
      let changed = base === undefined || d.penalty !== 0 || d.environmentCount !== 0;
      for (const lane of LANES) {
        d.micro[lane] = now.micro[lane] - (base?.micro[lane] ?? 0);
        if (d.micro[lane] !== 0) changed = true;
      }
      if (base !== undefined && now.updatedAt !== base.updatedAt) changed = true;
      if (changed) scores.push(d);
    }
    const totals: TotalState[] = [];
    for (const { base, now } of this.totals.values()) {
      if (base !== undefined && base.totalEvents === now.totalEvents) continue;
      totals.push({
        ...now,
        totalEvents: now.totalEvents - (base?.totalEvents ?? 0),
        weightedMicro: now.weightedMicro - (base?.weightedMicro ?? 0),
      });
    }
    const days: DayState[] = [];
    for (const { base, now } of this.days.values()) {
      if (now.counted === (base?.counted ?? 0)) continue;
      days.push({ ...now, counted: now.counted - (base?.counted ?? 0) });
    }
    const envs: EnvState[] = [];
    for (const { base, now } of this.envs.values()) {
      if (base !== undefined && now.counted === base.counted) continue;
      envs.push({ ...now, counted: now.counted - (base?.counted ?? 0) });
    }
    return { scores, totals, days, envs };
  }
}

/** Differences to add to stored rows (absolute values for `updatedAt` and `lastEventAt`, which take the maximum). */
export interface StateChanges {
  scores: ScoreState[];
  totals: TotalState[];
  days: DayState[];
  envs: EnvState[];
}
