// Authority mode: this server holds the root key, creates the registry once (genesis), collects co-signatures on
// proposals and, in the same transaction that stores the signature reaching quorum, applies the proposal (under the
// registry's write lock, guarded by the stored sequence); it re-signs the same state at half-life so the served
// document never expires. Recipes: docs/registry.md "Recipes for the server".
import {
  applyProposal,
  assertThresholdReachable,
  canonicalize,
  checkCoSignature,
  checkQuorum,
  createGenesis,
  governanceStepHash,
  proposalId,
  replayGovernance,
  signRegistryDocument,
  validateIssuerEntry,
  validateProposal,
  validateRegistryDocument,
  verifyRegistry,
  type IssuerEntry,
  type IssuerSignature,
  type Proposal,
  type QuorumResult,
  type RegistryDocument,
  type RegistryFailure,
  type RegistryState,
} from '@vouch/sdk';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { AppContext } from '../../context.ts';
import { logThrottle } from '../../log-throttle.ts';
import { ApiError } from '../../errors.ts';
import { recordAudit, type Database } from '../../storage/index.ts';
import { ensureRegistryRootKey, type RootKey } from './root-key.ts';
import * as store from './store.ts';

/** The served document with the state its governance replays to. */
export interface AuthorityDocument {
  doc: RegistryDocument;
  state: RegistryState;
  sequence: number;
  chainHash: string;
  updatedAt: number;
  expiresAt: number;
}

/** A verification refusal: 400 with the first failure's code and every failure. */
export class RegistryRefusal extends Error {
  constructor(readonly failures: RegistryFailure[]) {
    super(failures[0]?.message ?? 'The registry does not verify.');
  }
}

export class Authority {
  readonly #ctx: AppContext;
  readonly #log: FastifyBaseLogger | undefined;
  // A re-sign that cannot be written fails for every reader while it lasts (a full disk): one line per minute.
  readonly #resignFailureLog = logThrottle(60_000);
  #root: RootKey | undefined;
  #cached: AuthorityDocument | undefined;
  // The latest re-sign (under way or done) and the version (sequence, updatedAt, expiresAt) it re-signed: readers of
  // that version past its half-life wait for it instead of each signing the same state again.
  #resigning: { version: string; done: Promise<void> } | undefined;

  constructor(ctx: AppContext, log?: FastifyBaseLogger) {
    this.#ctx = ctx;
    this.#log = log;
  }

  /** The root key, created (or imported) on first use if the server's start did not already. */
  async rootKey(): Promise<RootKey> {
    this.#root ??= await ensureRegistryRootKey(
      this.#ctx.config,
      this.#ctx.storage,
      this.#ctx.kek,
      this.#ctx.clock.now(),
    );
    if (this.#root === undefined) throw new ApiError('REGISTRY_READ_ONLY', 'This server holds no registry root key.');
    return this.#root;
  }

  #fromRow(row: store.DocumentRow): AuthorityDocument {
    const c = this.#cached;
    if (c !== undefined && isVersion(c, row)) return c;
    const doc = JSON.parse(row.document) as RegistryDocument;
    const { state } = replayGovernance(doc.governance);
    if (state === undefined) throw new ApiError('INTERNAL', 'The stored registry document does not replay.');
    this.#cached = {
      doc,
      state,
      sequence: row.sequence,
      chainHash: row.chain_hash,
      updatedAt: row.updated_at,
      expiresAt: row.expires_at,
    };
    return this.#cached;
  }

  /**
   * The stored document: the cached one when the stored head (sequence, `updated_at`, `expires_at`) still matches
   * it, so a caller on every request (the capability gateway's intercept) reads a few columns rather than the whole
   * document, and still sees a change committed by any process on its next call.
   */
  async #load(): Promise<AuthorityDocument | undefined> {
    const db = this.#ctx.storage.db;
    const head = await store.readHead(db, 'authority');
    if (head === undefined) return undefined;
    const c = this.#cached;
    if (c !== undefined && isVersion(c, head)) return c;
    const row = await store.readDocument(db, 'authority');
    return row === undefined ? undefined : this.#fromRow(row);
  }

  /**
   * The current document, or undefined before genesis. Re-signs it first when it is past half-life, or valid for
   * longer than VOUCH_REGISTRY_VALIDITY; a re-sign that fails (the database refusing writes for a while) leaves the
   * document held, served while it is in force.
   */
  async current(): Promise<AuthorityDocument | undefined> {
    const current = await this.#load();
    if (current === undefined) return undefined;
    const now = this.#ctx.clock.now();
    // Signed for longer than this authority signs (a genesis the CLI signed for its own --validity, a validity lowered
    // since): consumers that bound the lifetime they accept just above VOUCH_REGISTRY_VALIDITY refuse it, and it
    // could be replayed for all that time. Re-signed at once; otherwise at half-life.
    const tooLong = current.expiresAt - current.updatedAt > this.#ctx.config.registry.validitySeconds * 1000;
    if (!tooLong && now < current.updatedAt + (current.expiresAt - current.updatedAt) / 2) return current;
    try {
      await this.#resignOnce(current, now);
    } catch (err) {
      if (now >= current.expiresAt) throw err;
      const suppressed = this.#resignFailureLog(now);
      if (suppressed !== undefined) {
        this.#log?.warn(
          { err, suppressed, expiresAt: new Date(current.expiresAt).toISOString() },
          'trust registry re-signing failed; serving the document held until it expires or a re-sign succeeds',
        );
      }
      return current;
    }
    return this.#load();
  }

  #resignOnce(current: AuthorityDocument, now: number): Promise<void> {
    const version = `${current.sequence}:${current.updatedAt}:${current.expiresAt}`;
    const under = this.#resigning;
    if (under !== undefined && under.version === version) return under.done;
    const done = this.resign(current, now);
    // Kept once done: a reader that loaded this version before the new one committed must not sign it again. A
    // failure is forgotten, so the next reader retries.
    this.#resigning = { version, done };
    done.catch(() => {
      if (this.#resigning?.done === done) this.#resigning = undefined;
    });
    return done;
  }

  /** The document as `db` (inside the registry lock) sees it, or 503 `REGISTRY_UNAVAILABLE`. */
  async #requireIn(db: Kysely<Database>): Promise<AuthorityDocument> {
    const row = await store.readDocument(db, 'authority');
    if (row === undefined) {
      throw new ApiError('REGISTRY_UNAVAILABLE', 'This server has no trust registry yet: create it with a genesis.');
    }
    return this.#fromRow(row);
  }

  /** The current document or 503 `REGISTRY_UNAVAILABLE`. */
  async require(): Promise<AuthorityDocument> {
    const current = await this.current();
    if (current === undefined) {
      throw new ApiError('REGISTRY_UNAVAILABLE', 'This server has no trust registry yet: create it with a genesis.');
    }
    return current;
  }

  /** Signs the unchanged state again (new `updatedAt`/`expiresAt`); a no-op if another process got there first. */
  async resign(current: AuthorityDocument, now: number): Promise<void> {
    const root = await this.rootKey();
    const doc = await signRegistryDocument(current.state, {
      rootKey: root.privateKey,
      // Never dated before its last step (an uploaded document from a machine whose clock is ahead), as #apply does.
      now: Math.max(now, Date.parse(current.state.lastAppliedAt)),
      validitySeconds: this.#ctx.config.registry.validitySeconds,
    });
    await store.replaceDocument(
      this.#ctx.storage.db,
      'authority',
      { sequence: current.sequence, updatedAt: current.updatedAt },
      rowOf(doc, current.chainHash),
    );
  }

  /**
   * Genesis: `{document}` (a registry the CLI built with this root key, verified here) or `{issuers, threshold}`
   * (created here). 201 when created, 200 when this exact registry is already the one held, else 409. Audited as
   * `actor` (which admin key: `admin` or `admin:previous`).
   */
  async genesis(
    body: { document?: unknown; issuers?: unknown[]; threshold?: number },
    requestId: string,
    actor = 'admin',
  ): Promise<{ status: 200 | 201; registry: string; sequence: number; chainHash: string }> {
    const root = await this.rootKey();
    const now = this.#ctx.clock.now();
    const hasDoc = body.document !== undefined;
    const hasIssuers = body.issuers !== undefined || body.threshold !== undefined;
    if (hasDoc === hasIssuers || (hasIssuers && (body.issuers === undefined || body.threshold === undefined))) {
      throw new ApiError('VALIDATION_FAILED', 'Send exactly one of `document` or `issuers` with `threshold`.');
    }
    let doc: RegistryDocument;
    let issuers: IssuerEntry[] | undefined;
    if (hasDoc) {
      doc = validateRegistryDocument(body.document, { source: 'body.document' });
      const report = await verifyRegistry(doc, { rootKey: root.publicKey, now });
      if (!report.valid) throw new RegistryRefusal(report.failures);
      // Verification still reads a document whose threshold no proposal can meet; storing it would freeze governance.
      assertThresholdReachable(doc.threshold.required);
    } else {
      issuers = body.issuers!.map((e, i) => validateIssuerEntry(e, { source: `body.issuers[${i}]` }));
      const existing = await this.current();
      if (existing !== undefined) {
        // A retry of the same genesis is idempotent: same founders and threshold.
        if (sameGenesis(existing.doc, issuers, body.threshold!)) return { status: 200, ...summary(existing) };
        throw new ApiError('REGISTRY_EXISTS', 'This server already holds a trust registry.');
      }
      doc = await createGenesis({
        rootKey: root.privateKey,
        issuers,
        threshold: body.threshold!,
        now,
        validitySeconds: this.#ctx.config.registry.validitySeconds,
      });
    }
    const chainHash = governanceStepHash(doc.governance.at(-1)!);
    const inserted = await this.#ctx.storage.db.transaction().execute(async (trx) => {
      if (!(await store.insertDocument(trx, { name: 'authority', ...rowOf(doc, chainHash) }))) return false;
      await recordAudit(trx, {
        at: now,
        actor,
        action: 'registry.genesis',
        target: doc.registry,
        details: { sequence: doc.sequence, chainHash, issuers: doc.issuers.length, uploaded: hasDoc },
        requestId,
      });
      return true;
    });
    if (inserted) return { status: 201, registry: doc.registry, sequence: doc.sequence, chainHash };
    const held = await this.require();
    if (held.sequence === doc.sequence && held.chainHash === chainHash) return { status: 200, ...summary(held) };
    // The same founders sent to two processes at once (a retry behind a balancer): each created its own genesis,
    // signed at its own instant; the one stored first is the registry, and the other request is its retry.
    if (issuers !== undefined && sameGenesis(held.doc, issuers, body.threshold!))
      return { status: 200, ...summary(held) };
    throw new ApiError('REGISTRY_EXISTS', 'This server already holds a trust registry.');
  }

  /** A proposal posted by an active issuer: it must carry at least one co-signature, each of which counts. */
  async propose(body: unknown, requestId: string): Promise<{ created: boolean; view: ProposalView }> {
    const proposal = validateProposal(body, { source: 'body' });
    const id = proposalId(proposal);
    // The registry before the proposal: a proposal applied since the registry was read is seen applied below (one
    // transaction applies it and moves the registry), so that a repeat of it is answered as one, not as stale.
    const current = await this.require();
    const existing = await store.readProposal(this.#ctx.storage.db, id);
    if (existing !== undefined && repeatsApplied(existing, proposal)) {
      return { created: false, view: await appliedView(current, existing) };
    }
    if (existing !== undefined) checkPending(existing);
    const now = this.#ctx.clock.now();
    this.#checkApplicable(current, proposal, now);
    if (proposal.signatures.length === 0) {
      throw new ApiError(
        'REGISTRY_SIGNATURE_REFUSED',
        'A proposal must carry the co-signature of the issuer posting it.',
      );
    }
    // Every signature must count; the first that does not is named. One pass (each verified once, repeats found
    // by id and key sets): checking each against the ones before it cost signatures² × issuers, which anyone could
    // make the server spend by posting a large pending proposal again (over a second for 1,000 on 1,000 issuers).
    const first = (await checkQuorum(current.state, proposal)).ignored[0];
    if (first !== undefined) throw refused(first.issuerId, first.reason);
    const root = await this.rootKey();
    // Storing the proposal and applying it when its signatures already make a quorum: one transaction.
    return store.withRegistryLock(this.#ctx.storage, async (db) => {
      const locked = await this.#requireIn(db);
      const before = await store.readProposal(db, id);
      // Applied meanwhile (the first attempt of this very post, still running when it was retried): its repeat.
      if (before !== undefined && repeatsApplied(before, proposal)) {
        return { created: false, view: await appliedView(locked, before) };
      }
      // Applied (with other co-signatures) or gone stale meanwhile: answered as before the lock, so an application
      // by another process is 409 REGISTRY_CONFLICT here too, not a stale base sequence to propose again.
      if (before !== undefined) checkPending(before);
      // One reference time for the whole transaction: the instant that finds the proposal unexpired applies it.
      const at = this.#ctx.clock.now();
      this.#checkApplicable(locked, proposal, at);
      if (before === undefined) {
        await store.insertProposal(db, {
          id,
          base_sequence: proposal.baseSequence,
          action: proposal.action,
          subject: proposal.subject ?? null,
          proposal: JSON.stringify(proposal),
          status: 'pending',
          version: 0,
          created_at: now,
          expires_at: Date.parse(proposal.expiresAt),
          applied_sequence: null,
        });
      }
      const row = (await store.readProposal(db, id))!;
      let stored = JSON.parse(row.proposal) as Proposal;
      if (before !== undefined) stored = await this.#addSignatures(db, locked, row, stored, proposal);
      const quorum = await checkQuorum(locked.state, stored);
      if (quorum.met) {
        const applied = await this.#apply(db, root, locked, id, stored, requestId, at);
        return { created: true, view: { ...view(row, stored, quorum), status: 'applied', appliedSequence: applied } };
      }
      return { created: before === undefined, view: view(row, stored, quorum) };
    });
  }

  /**
   * A known proposal posted again (a file co-signed offline since): the co-signatures of issuers it does not hold yet
   * are added, each of which must count beside the held ones, instead of being dropped behind a 200 that showed only
   * the held ones. Returns the proposal as now stored.
   */
  async #addSignatures(
    db: Kysely<Database>,
    current: AuthorityDocument,
    row: store.ProposalRow,
    stored: Proposal,
    posted: Proposal,
  ): Promise<Proposal> {
    const held = new Set(stored.signatures.map((s) => s.issuerId));
    const added = posted.signatures.filter((s) => !held.has(s.issuerId));
    if (added.length === 0) return stored;
    const next = validateProposal({ ...stored, signatures: [...stored.signatures, ...added] }, { source: 'body' });
    const first = (await checkQuorum(current.state, next)).ignored[0];
    if (first !== undefined) throw refused(first.issuerId, first.reason);
    if (!(await store.updateProposalSignatures(db, row.id, row.version, JSON.stringify(next)))) {
      throw new ApiError('REGISTRY_CONFLICT', 'The proposal changed at the same time; read it again and retry.');
    }
    return next;
  }

  /**
   * One co-signature, checked at once; storing it and, at quorum, applying the proposal are one transaction under
   * the registry's write lock, so a crash leaves neither and concurrent last signatures apply the proposal once.
   */
  async cosign(id: string, sig: IssuerSignature, requestId: string): Promise<ProposalView> {
    // Refusals that need no lock first; a proposal exists only after genesis, so the root key exists too.
    const first = await store.readProposal(this.#ctx.storage.db, id);
    if (first === undefined) throw new ApiError('NOT_FOUND', `No proposal ${id}.`);
    checkPending(first);
    const root = await this.rootKey();
    return store.withRegistryLock(this.#ctx.storage, async (db) => {
      // Read once the lock is held: a proposal that expired while this waited is refused as expired.
      const now = this.#ctx.clock.now();
      const row = await store.readProposal(db, id);
      if (row === undefined) throw new ApiError('NOT_FOUND', `No proposal ${id}.`);
      checkPending(row);
      const current = await this.#requireIn(db);
      const proposal = JSON.parse(row.proposal) as Proposal;
      this.#checkApplicable(current, proposal, now);
      // Recovery: before signature and apply shared a transaction, a crash between them could leave a stored
      // quorum pending. Finish it here; otherwise the retried last signature would be refused as a duplicate.
      const heldQuorum = await checkQuorum(current.state, proposal);
      if (heldQuorum.met) {
        const applied = await this.#apply(db, root, current, id, proposal, requestId, now);
        return { ...view(row, proposal, heldQuorum), status: 'applied' as const, appliedSequence: applied };
      }
      // Its shape first (REGISTRY_INVALID naming the field), then whether it counts, then its time.
      const check = await checkCoSignature(current.state, proposal, sig);
      if (!check.counted) throw refused(sig.issuerId, check.reason);
      const windowMs = this.#ctx.config.signatureWindowSeconds * 1000;
      if (Math.abs(now - Date.parse(sig.signedAt)) > windowMs) {
        throw new ApiError(
          'REGISTRY_SIGNATURE_REFUSED',
          `signedAt must be within ${this.#ctx.config.signatureWindowSeconds} seconds of the server's time.`,
        );
      }
      const next = validateProposal({ ...proposal, signatures: [...proposal.signatures, sig] }, { source: 'proposal' });
      if (!(await store.updateProposalSignatures(db, id, row.version, JSON.stringify(next)))) {
        throw new ApiError('REGISTRY_CONFLICT', 'The proposal changed at the same time; read it again and retry.');
      }
      const quorum = await checkQuorum(current.state, next);
      const updated = { ...row, version: row.version + 1 };
      if (!quorum.met) return view(updated, next, quorum);
      const applied = await this.#apply(db, root, current, id, next, requestId, now);
      return { ...view(updated, next, quorum), status: 'applied' as const, appliedSequence: applied };
    });
  }

  #checkApplicable(current: AuthorityDocument, proposal: Proposal, now: number): void {
    // A registry stored before admissions by co-signed entry were refused (their co-signatures name no registry):
    // it no longer verifies, so nothing can be applied on top of it (docs/registry.md, "Compatibility").
    const legacy = current.doc.governance.find((step) => step.kind === 'admit');
    if (legacy !== undefined) {
      throw new ApiError(
        'REGISTRY_CONFLICT',
        `The registry held here admits an issuer by a co-signed entry at step ${legacy.sequence}, which no longer ` +
          'verifies (its co-signatures name no registry): create a new registry; no proposal can apply to this one.',
      );
    }
    // Reached by a posted proposal only (a stored one was checked when posted, and a server's registry never changes).
    if (proposal.registry !== current.state.registry) {
      throw new ApiError(
        'VALIDATION_FAILED',
        `body.registry: the proposal is for another registry; this server's is ${current.state.registry}.`,
        { field: 'body.registry' },
      );
    }
    if (proposal.baseSequence !== current.sequence) {
      throw new ApiError(
        'REGISTRY_PROPOSAL_STALE',
        `The proposal was made for sequence ${proposal.baseSequence}; the registry is at ${current.sequence}. Propose it again.`,
      );
    }
    // When it would apply: now, or the last step's appliedAt when that is later (applied by a process whose clock is
    // ahead of this one's), as #apply records it. A deadline before then can never be met.
    const appliedAt = Math.max(now, Date.parse(current.state.lastAppliedAt));
    if (appliedAt >= Date.parse(proposal.expiresAt)) {
      throw new ApiError(
        'REGISTRY_PROPOSAL_EXPIRED',
        `The proposal expired at ${proposal.expiresAt}; it can no longer apply. Propose it again.`,
      );
    }
    // Throws the SDK's reason (e.g. REGISTRY_STEP_INVALID, REGISTRY_THRESHOLD_INVALID) when it could never apply.
    applyProposal(current.state, proposal, { appliedAt });
  }

  /**
   * Applies a proposal with quorum inside the caller's transaction (`db`, holding the registry lock), guarded by the
   * stored sequence; returns the new sequence. `at` is the time the caller checked the proposal against (read once
   * the lock was held): reading the clock again here could find expired a proposal just found in time.
   */
  async #apply(
    db: Kysely<Database>,
    root: RootKey,
    current: AuthorityDocument,
    id: string,
    proposal: Proposal,
    requestId: string,
    at: number,
  ): Promise<number> {
    const now = Math.max(at, Date.parse(current.state.lastAppliedAt));
    const { state } = applyProposal(current.state, proposal, { appliedAt: now });
    const doc = await signRegistryDocument(state, {
      rootKey: root.privateKey,
      now,
      validitySeconds: this.#ctx.config.registry.validitySeconds,
    });
    const report = await verifyRegistry(doc, {
      rootKey: root.publicKey,
      now,
      lastSeen: { sequence: current.sequence, chainHash: current.chainHash },
    });
    if (!report.valid || report.chainHash === undefined) {
      throw new ApiError('INTERNAL', `The new registry document does not verify: ${report.failures[0]?.message}`);
    }
    const chainHash = report.chainHash;
    const moved = !(await store.replaceDocument(
      db,
      'authority',
      { sequence: current.sequence },
      rowOf(doc, chainHash),
    ));
    if (moved) {
      throw new ApiError(
        'REGISTRY_CONFLICT',
        `The registry moved past sequence ${current.sequence} (this proposal was applied already or went stale).`,
      );
    }
    await store.settleProposals(db, id, proposal.baseSequence, doc.sequence, JSON.stringify(proposal));
    await recordAudit(db, {
      at: now,
      actor: 'registry-quorum',
      action: 'registry.apply',
      target: id,
      details: {
        sequence: doc.sequence,
        action: proposal.action,
        subject: proposal.subject ?? null,
        signers: proposal.signatures.map((s) => s.issuerId),
      },
      requestId,
    });
    return doc.sequence;
  }
}

/** A proposal as the API shows it. */
export interface ProposalView {
  id: string;
  /** `expired`: still pending in storage, but past its `expiresAt`, so it can never apply. */
  status: 'pending' | 'applied' | 'stale' | 'expired';
  baseSequence: number;
  action: string;
  subject: string | null;
  expiresAt: string;
  appliedSequence: number | null;
  quorum?: { met: boolean; valid: number; required: number; signers: string[]; text: string };
  proposal: Proposal;
}

/** The API's view of a stored proposal; given `now`, a pending one past its expiry shows as `expired`. */
export function view(row: store.ProposalRow, proposal: Proposal, quorum?: QuorumResult, now?: number): ProposalView {
  return {
    id: row.id,
    status: row.status === 'pending' && now !== undefined && now >= row.expires_at ? 'expired' : row.status,
    baseSequence: row.base_sequence,
    action: row.action,
    subject: row.subject,
    expiresAt: proposal.expiresAt,
    appliedSequence: row.applied_sequence,
    ...(quorum === undefined
      ? {}
      : {
          quorum: {
            met: quorum.met,
            valid: quorum.valid,
            required: quorum.required,
            signers: quorum.signers,
            text: quorum.text,
          },
        }),
    proposal,
  };
}

/**
 * Whether `c` is the stored version `head`: the same sequence and signing. A re-sign may keep `updatedAt` (one at once,
 * in the millisecond of an upload, or dated at a last step in this clock's future), so its expiry tells it apart.
 */
function isVersion(c: AuthorityDocument, head: store.DocumentHead): boolean {
  return c.sequence === head.sequence && c.updatedAt === head.updated_at && c.expiresAt === head.expires_at;
}

function rowOf(doc: RegistryDocument, chainHash: string): Omit<store.DocumentRow, 'name'> {
  return {
    sequence: doc.sequence,
    chain_hash: chainHash,
    document: JSON.stringify(doc),
    updated_at: Date.parse(doc.updatedAt),
    expires_at: Date.parse(doc.expiresAt),
  };
}

function summary(d: AuthorityDocument): { registry: string; sequence: number; chainHash: string } {
  return { registry: d.state.registry, sequence: d.sequence, chainHash: d.chainHash };
}

/** Whether `doc` began with the genesis of exactly these founders and this threshold. */
function sameGenesis(doc: RegistryDocument, issuers: readonly IssuerEntry[], threshold: number): boolean {
  const g = doc.governance[0];
  return g?.kind === 'genesis' && g.threshold.required === threshold && sameEntries(g.issuers, issuers);
}

/**
 * Whether two founder lists are the same entries: compared as RFC 8785 JSON (member order is no difference), by id,
 * without `$schema`, which genesis drops.
 */
function sameEntries(a: readonly IssuerEntry[], b: readonly IssuerEntry[]): boolean {
  const key = (list: readonly IssuerEntry[]) =>
    canonicalize(
      [...list]
        .sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
        .map(({ $schema: _ignored, ...entry }) => entry),
    );
  return key(a) === key(b);
}

/**
 * Whether `posted` is the applied proposal `row` posted again with nothing new: the same id (the hash of everything
 * but the signatures) and at least one co-signature, each exactly (RFC 8785) one the applied proposal holds. Such a
 * post (a retry after a lost answer, the file as first submitted) is answered with the applied state, as the same
 * pending proposal is with its own; anything else posted for an applied proposal is 409 `REGISTRY_CONFLICT`.
 */
function repeatsApplied(row: store.ProposalRow, posted: Proposal): boolean {
  if (row.status !== 'applied' || posted.signatures.length === 0) return false;
  const held = new Set((JSON.parse(row.proposal) as Proposal).signatures.map((s) => canonicalize(s)));
  return posted.signatures.every((s) => held.has(canonicalize(s)));
}

/**
 * An applied proposal as its applying answer showed it: its stored state, with its quorum counted on the registry it
 * applied to (the state at its base sequence, replayed from `current`'s governance), not on the registry since.
 */
async function appliedView(current: AuthorityDocument, row: store.ProposalRow): Promise<ProposalView> {
  const proposal = JSON.parse(row.proposal) as Proposal;
  const { state } = replayGovernance(current.doc.governance.filter((step) => step.sequence <= row.base_sequence));
  return view(row, proposal, state === undefined ? undefined : await checkQuorum(state, proposal));
}

/** Throws unless the proposal is still pending: 409 when applied, `REGISTRY_PROPOSAL_STALE` when stale. */
function checkPending(row: store.ProposalRow): void {
  if (row.status === 'applied') {
    throw new ApiError('REGISTRY_CONFLICT', `Proposal ${row.id} was applied already (step ${row.applied_sequence}).`);
  }
  if (row.status === 'stale') throw stale(row.id);
}

function stale(id: string): ApiError {
  return new ApiError('REGISTRY_PROPOSAL_STALE', `Proposal ${id} is stale: another step was applied first.`);
}

function refused(issuerId: string, reason: string): ApiError {
  return new ApiError('REGISTRY_SIGNATURE_REFUSED', `The co-signature of "${issuerId}" does not count (${reason}).`);
}
