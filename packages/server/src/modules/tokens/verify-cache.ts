// What verifyToken reads from the database on every call, cached per app: the set of revoked jtis and the token's
// agent. Without it a verification costs two queries; with it, none in the steady state.
//
// Freshness (the bounds docs/performance.md states):
// - revocations made in THIS process are seen by the next verification after they commit: every revocation takes
//   its sequence number through store.nextRevocationSeq, which notes it (local-revocations.ts), and the cache reads the table again
//   whenever its cursor is behind it (a number whose transaction rolled back stops counting as that transaction ends);
// - revocations made by OTHER processes (several servers on one PostgreSQL) are announced as they commit
//   (LISTEN/NOTIFY, storage/changes.ts): the next verification reads them. Unheard (the listener reconnecting), they
//   are read within REVOCATION_SYNC_MS of the app clock: one indexed range query on `seq > cursor` (sequence order is
//   commit order, see nextRevocationSeq);
// - of an agent, only whether it is revoked is cached (AgentStanding): the one thing verification reads, changed by
//   one write only, its revocation, which revokes its live tokens (revokeTokensOfAgent): that moves the cursor, drops
//   every cached agent here (as it starts and again once its transaction ended, so that a read made while it was open
//   is not kept) and is announced to the other processes. Its slug, owner, claim or key may change
//   unannounced: none is held here. A cached agent is also re-read after AGENT_CACHE_MS.
// Above MAX_REVOCATIONS live entries the cache stops holding the set and asks the database per token, as before.
import type { AppContext } from '../../context.ts';
import { agentDirectory, hasAgentDirectoryOverride } from './agents.ts';
import { localAgentEpoch, localRevocationSeq } from './local-revocations.ts';
import * as store from './store.ts';
import { perApp } from '../../per-app.ts';
import { onSharedChange } from '../../cache-invalidation.ts';

/**
 * What verification reads of a token's agent, and all this cache holds of it: whether it is revoked. Nothing else,
 * so that no unannounced write (a slug, an owner, a claim, a key) can leave a stale field here.
 */
export interface AgentStanding {
  readonly revoked: boolean;
}

const ACTIVE: AgentStanding = Object.freeze({ revoked: false });
const REVOKED: AgentStanding = Object.freeze({ revoked: true });

/** The topic every revocation of a token (or of an agent's tokens) announces. */
export const REVOCATIONS_TOPIC = 'revocations';

/** Other processes' revocations reach this process within this many ms (plus one query). */
export const REVOCATION_SYNC_MS = 250;
/** A cached agent (existence and standing) is read again after this many ms. */
export const AGENT_CACHE_MS = 1000;
const MAX_REVOCATIONS = 200_000;
const MAX_AGENTS = 10_000;
const PAGE = 5000;

interface CachedAgent {
  agent: AgentStanding;
  at: number;
  cursor: number;
  epoch: number;
}

export class VerifyCache {
  readonly #ctx: AppContext;
  /** jti → its token's expiry (ms); entries leave once the token can no longer verify. */
  readonly #revoked = new Map<string, number>();
  #cursor = 0;
  #syncedAt = -Infinity;
  #loaded = false;
  #overflow = false;
  /** Revocations of tokens that expired (ms) at or before this may be left out (skipped or dropped by a sync). */
  #prunedThrough = -Infinity;
  #syncing: Promise<void> | undefined;
  readonly #agents = new Map<string, CachedAgent>();
  /**
   * Agent reads under way, by DID: when a cached agent expires under load, the requests that arrive before its
   * read returns share that read instead of each sending its own query. A read is shared only with requests that
   * see the same cursor and epoch it started from, so none gets an answer older than its own start.
   */
  readonly #agentReads = new Map<string, { read: Promise<AgentStanding | undefined>; cursor: number; epoch: number }>();

  /** Announcements heard of other processes' revocations: a sync or agent read begun before one is stale. */
  #heard = 0;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    onSharedChange(ctx, [REVOCATIONS_TOPIC], () => {
      this.#heard++;
      this.#syncedAt = -Infinity;
      this.#agents.clear();
    });
  }

  /** Changes whenever an agent may have been revoked (here, or announced by another process). */
  #agentEpoch(): number {
    return localAgentEpoch() + this.#heard;
  }

  /**
   * Whether `jti` is revoked, as of the freshness bounds above. Answers synchronously from a fresh cache (the steady
   * state): token verification is the hottest path, and a promise per lookup is measurable there.
   */
  isRevoked(jti: string): boolean | Promise<boolean> {
    if (!this.#overflow && !this.#stale(this.#ctx.clock.now())) return this.#revoked.has(jti);
    return this.#isRevokedAfterSync(jti);
  }

  async #isRevokedAfterSync(jti: string): Promise<boolean> {
    await this.#fresh();
    if (this.#overflow) return store.isRevoked(this.#ctx.storage.db, jti);
    return this.#revoked.has(jti);
  }

  /**
   * The latest `now - skew` a sync left revocations out at: one whose token's `exp` (ms) is at or before it may be
   * missing here, its token having expired by that sync's clock. A verification that started before that sync (its
   * time checks made at its start) cannot read such a token's absence as "not revoked".
   */
  get prunedThrough(): number {
    return this.#prunedThrough;
  }

  /**
   * The standing of the token's agent (found by DID, and only by DID: a slug or internal id names none), or undefined
   * when it is not registered here; synchronous when cached.
   */
  agent(did: string): AgentStanding | undefined | Promise<AgentStanding | undefined> {
    // A replaced directory (tests, embedders) is asked every time: it may change behind the cache's back.
    if (hasAgentDirectoryOverride(this.#ctx)) return this.#findStanding(did);
    const now = this.#ctx.clock.now();
    const hit = this.#agents.get(did);
    if (
      hit !== undefined &&
      hit.cursor === this.#cursor &&
      hit.epoch === this.#agentEpoch() &&
      now >= hit.at &&
      now - hit.at < AGENT_CACHE_MS
    ) {
      return hit.agent;
    }
    const pending = this.#agentReads.get(did);
    if (pending !== undefined && pending.cursor === this.#cursor && pending.epoch === this.#agentEpoch()) {
      return pending.read;
    }
    const entry = { read: this.#readAgent(did, now), cursor: this.#cursor, epoch: this.#agentEpoch() };
    this.#agentReads.set(did, entry);
    void entry.read.then(
      () => this.#forgetRead(did, entry),
      () => this.#forgetRead(did, entry),
    );
    return entry.read;
  }

  #forgetRead(did: string, entry: { read: Promise<AgentStanding | undefined> }): void {
    if (this.#agentReads.get(did) === entry) this.#agentReads.delete(did);
  }

  async #findStanding(did: string): Promise<AgentStanding | undefined> {
    const agent = await agentDirectory(this.#ctx).find(did);
    // The directory also finds an agent by slug or internal id; a token's sub is its DID, exactly as issued.
    if (agent === undefined || agent.did !== did) return undefined;
    return agent.status === 'revoked' ? REVOKED : ACTIVE;
  }

  async #readAgent(did: string, now: number): Promise<AgentStanding | undefined> {
    const cursor = this.#cursor;
    const epoch = this.#agentEpoch();
    const agent = await this.#findStanding(did);
    if (agent === undefined) {
      this.#agents.delete(did);
      return undefined;
    }
    if (this.#agents.size >= MAX_AGENTS) this.#agents.clear();
    this.#agents.set(did, { agent, at: now, cursor, epoch });
    return agent;
  }

  #stale(now: number): boolean {
    return (
      !this.#loaded ||
      this.#cursor < localRevocationSeq() ||
      now < this.#syncedAt ||
      now - this.#syncedAt >= REVOCATION_SYNC_MS
    );
  }

  async #fresh(): Promise<void> {
    if (!this.#stale(this.#ctx.clock.now())) return;
    if (this.#syncing !== undefined) {
      // A read already under way may have started before a local revocation committed: read once more if so.
      await this.#syncing;
      if (!this.#stale(this.#ctx.clock.now())) return;
    }
    this.#syncing ??= this.#sync().finally(() => (this.#syncing = undefined));
    await this.#syncing;
  }

  async #sync(): Promise<void> {
    const { storage, clock, config } = this.#ctx;
    const now = clock.now();
    const skewMs = config.clockSkewSeconds * 1000;
    if (this.#overflow) {
      this.#syncedAt = now;
      return;
    }
    const before = this.#cursor;
    const heard = this.#heard;
    if (now - skewMs > this.#prunedThrough) this.#prunedThrough = now - skewMs;
    for (;;) {
      const rows = await store.revocationsAfter(storage.db, this.#cursor, PAGE);
      for (const r of rows) {
        if (r.expires_at > now - skewMs) this.#revoked.set(r.jti, r.expires_at);
        this.#cursor = Math.max(this.#cursor, r.seq);
      }
      if (rows.length < PAGE) break;
    }
    if (this.#cursor !== before) {
      // Tokens expired beyond the skew fail before the revocation check: their entries are dead weight.
      for (const [jti, exp] of this.#revoked) if (exp <= now - skewMs) this.#revoked.delete(jti);
    }
    if (this.#revoked.size > MAX_REVOCATIONS) {
      this.#overflow = true;
      this.#revoked.clear();
    }
    this.#loaded = true;
    // An announcement heard meanwhile may name a revocation committed after these reads: read again next time.
    this.#syncedAt = heard === this.#heard ? now : -Infinity;
  }
}

/** The verification cache of one app. */
export const verifyCacheOf: (ctx: AppContext) => VerifyCache = perApp((ctx) => new VerifyCache(ctx));
