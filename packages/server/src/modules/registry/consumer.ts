// Consumer mode: this server follows a registry published elsewhere (VOUCH_TRUST_REGISTRY_URL, an http(s) URL or a
// file), pinned to VOUCH_TRUST_REGISTRY_ROOT_KEY. A fetched document replaces the current one only when it verifies
// fully, rollback rule included, against the highest {sequence, chainHash} this database has accepted; the last good
// document is kept in the database and used when the source is unreachable at start.
import type { FastifyBaseLogger } from 'fastify';
import {
  parsePublicKey,
  parseRegistryDocument,
  REGISTRY_LIMITS,
  verifyRegistry,
  type PublicKey,
  type RegistryDocument,
  type RegistryFailure,
} from '@vouch/sdk';
import { ConfigError } from '../../config.ts';
import type { AppContext } from '../../context.ts';
import { readRegularFile } from '../../files/index.ts';
import { announceChange, recordAudit, type AuditInput } from '../../storage/index.ts';
import { onSharedChange } from '../../cache-invalidation.ts';
import * as store from './store.ts';

const FETCH_TIMEOUT_MS = 10_000;
/** Largest document fetched (bytes). */
export const MAX_DOCUMENT_BYTES = REGISTRY_LIMITS.maxDocumentBytes;

/** The document this consumer trusts now. */
export interface ConsumerDocument {
  doc: RegistryDocument;
  sequence: number;
  chainHash: string;
  expiresAt: number;
}

/** What one refresh did. */
export interface RefreshResult {
  accepted: boolean;
  /** `unchanged`, `updated`, or why it was refused (`UNREACHABLE`, `REGISTRY_INVALID`, a verification code). */
  outcome: string;
  sequence?: number;
  chainHash?: string;
  message?: string;
  failures?: RegistryFailure[];
}

/** A refresh the admin asked for (`POST /v1/registry/refresh`): audited as `registry.refresh` by the refresh itself. */
export interface RefreshRequest {
  /** Who asked, as the audit names them (`admin`, or `admin:previous` for the key being replaced). */
  actor: string;
  requestId?: string;
}

/** The topic a consumer's write of the stored document announces. */
const CONSUMER_DOCUMENT_TOPIC = 'registry:consumer';

export class Consumer {
  readonly #ctx: AppContext;
  readonly #log: FastifyBaseLogger;
  readonly #rootKey: PublicKey;
  #current: ConsumerDocument | undefined;
  #lastAttempt = -Infinity;
  #refreshing: Promise<RefreshResult> | undefined;
  // The source's ETag for the last document fetched and accepted: sent as If-None-Match, and a 304 stands for that
  // document. Kept while a refresh learns nothing against that document (the source unreachable, another document
  // fetched and refused), so an outage does not cost a full download; replaced by the next document accepted, and
  // forgotten when a 304 brings that document back refused (expired, rolled back), so the next refresh fetches whole.
  #validator: { etag: string; doc: RegistryDocument } | undefined;

  constructor(ctx: AppContext, log: FastifyBaseLogger) {
    this.#ctx = ctx;
    this.#log = log;
    this.#rootKey = pinnedRootKey(ctx.config.registry.trustRootKey);
    // Another process stored a later document (announced as it committed): serve it now, not at the next refresh.
    onSharedChange(ctx, [CONSUMER_DOCUMENT_TOPIC], () => void this.#adoptStored());
  }

  get #config() {
    return this.#ctx.config.registry;
  }

  /** The source as logs, messages and audit entries show it: without a URL's userinfo, query or fragment. */
  get source(): string {
    return displaySource(this.#config.trustUrl!);
  }

  /** The id of the registry held now (undefined while none is). */
  get registry(): string | undefined {
    return this.#current?.doc.registry;
  }

  /** At start: the stored last good document (if it still verifies), then a first refresh. */
  async start(): Promise<void> {
    const row = await store.readDocument(this.#ctx.storage.db, 'consumer');
    if (row !== undefined) {
      const { taken, failures } = await this.#verifyStored(row, undefined);
      if (taken !== undefined) this.#current = taken;
      else {
        this.#log.warn({ sequence: row.sequence, failures }, 'stored trust registry document no longer verifies');
      }
    }
    await this.refresh();
  }

  /** The trusted document, refreshing first when the TTL has passed; undefined when none is valid now. */
  async current(): Promise<ConsumerDocument | undefined> {
    const now = this.#ctx.clock.now();
    if (now - this.#lastAttempt >= this.#config.trustTtlSeconds * 1000) await this.refresh();
    const c = this.#current;
    if (c === undefined || this.#ctx.clock.now() >= c.expiresAt) return undefined;
    return c;
  }

  /**
   * Fetches and verifies the source once (one refresh at a time per process). A refresh nobody asked for joins the one
   * running; one `asked` for runs after it, as its own, so that its `registry.refresh` entry is written in the
   * transaction that stores what it fetched (alone when it stores nothing): never a refresh stored without its entry,
   * nor an entry for a refresh whose write failed.
   */
  refresh(asked?: RefreshRequest): Promise<RefreshResult> {
    const running = this.#refreshing;
    if (asked === undefined && running !== undefined) return running;
    const run = () => this.#refresh(asked);
    const tracked: Promise<RefreshResult> = (running === undefined ? run() : running.then(run, run)).finally(() => {
      if (this.#refreshing === tracked) this.#refreshing = undefined;
    });
    this.#refreshing = tracked;
    return tracked;
  }

  async #refresh(asked: RefreshRequest | undefined): Promise<RefreshResult> {
    const result = await this.#fetchAndAccept(asked);
    if (result.outcome === 'updated') return result; // audited with the document it stored
    // Another process may have accepted a later document than this one's source serves (a lagging cache, a source
    // unreachable from here): without this, a stale process refused the source as a rollback and kept serving its
    // own older document while the database held the newer one.
    await this.#adoptStored();
    // Nothing stored: the entry is the refresh's only write.
    if (asked !== undefined) {
      await recordAudit(this.#ctx.storage.db, this.#refreshEntry(asked, result, this.registry, this.#ctx.clock.now()));
    }
    return result;
  }

  /** The `registry.refresh` audit entry of a refresh the admin asked for. */
  #refreshEntry(asked: RefreshRequest, result: RefreshResult, registry: string | undefined, at: number): AuditInput {
    return {
      at,
      actor: asked.actor,
      action: 'registry.refresh',
      ...(registry === undefined ? {} : { target: registry }),
      details: {
        outcome: result.outcome,
        accepted: result.accepted,
        sequence: result.sequence ?? null,
        source: this.source,
      },
      ...(asked.requestId === undefined ? {} : { requestId: asked.requestId }),
    };
  }

  /**
   * Takes the stored document when it is later than the one held (a higher sequence, or a later signing of the same)
   * and verifies now, as an extension of the held chain. A failure to read keeps the held document: this runs on a
   * refresh whose own outcome is already decided.
   */
  async #adoptStored(): Promise<void> {
    try {
      const row = await store.readDocument(this.#ctx.storage.db, 'consumer');
      const held = this.#current;
      if (row === undefined) return;
      if (held !== undefined) {
        const heldAt = Date.parse(held.doc.updatedAt);
        if (row.sequence < held.sequence || (row.sequence === held.sequence && row.updated_at <= heldAt)) return;
      }
      const { taken } = await this.#verifyStored(row, held);
      // Taken meanwhile by a refresh (or an announcement heard since): that one decided; never go back from it.
      if (taken === undefined || this.#current !== held) return;
      this.#current = taken;
      this.#log.info({ sequence: row.sequence }, 'trust registry: took the later document another process stored');
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'trust registry: could not read the stored document');
    }
  }

  /**
   * Verifies a stored document now (as an extension of `held`'s chain, when one is held): the document to hold, or
   * the codes of why not.
   */
  async #verifyStored(
    row: store.DocumentRow,
    held: ConsumerDocument | undefined,
  ): Promise<{ taken?: ConsumerDocument; failures: readonly string[] }> {
    let doc: RegistryDocument;
    let report: Awaited<ReturnType<typeof verifyRegistry>>;
    try {
      doc = JSON.parse(row.document) as RegistryDocument;
      report = await verifyRegistry(doc, {
        rootKey: this.#rootKey,
        now: this.#ctx.clock.now(),
        maxLifetimeSeconds: this.#config.trustMaxLifetimeSeconds,
        ...(held === undefined ? {} : { lastSeen: { sequence: held.sequence, chainHash: held.chainHash } }),
      });
    } catch (err) {
      // Malformed to this version's validator (stored by a laxer one): no document to hold, and no reason not to start.
      return { failures: [(err as { code?: string }).code ?? 'REGISTRY_INVALID'] };
    }
    if (!report.valid) return { failures: report.failures.map((f) => f.code) };
    return {
      taken: { doc, sequence: row.sequence, chainHash: row.chain_hash, expiresAt: row.expires_at },
      failures: [],
    };
  }

  async #fetchAndAccept(asked: RefreshRequest | undefined): Promise<RefreshResult> {
    this.#lastAttempt = this.#ctx.clock.now();
    const url = this.#config.trustUrl!;
    // Logs, messages and the refresh response show `source`, never `url`: its query may be a signed URL's token.
    const source = displaySource(url);
    const validator = this.#validator;
    let fetched: Fetched;
    try {
      fetched = await fetchDocument(url, validator?.etag);
    } catch (err) {
      const message = scrubSource((err as Error).message, url);
      this.#log.warn({ source, err: message }, 'trust registry unreachable; keeping the last good document');
      return { accepted: false, outcome: 'UNREACHABLE', message };
    }
    let doc: RegistryDocument;
    let etag: string | undefined;
    if (fetched.notModified) {
      // The bytes fetched last time, sent again in effect: the same checks (expiry and rollback included) follow, so a
      // 304 never keeps a document past its expiresAt.
      ({ doc, etag } = validator!);
    } else {
      etag = fetched.etag;
      try {
        doc = parseRegistryDocument(fetched.bytes, { source, maxBytes: MAX_DOCUMENT_BYTES });
      } catch (err) {
        const message = scrubSource((err as Error).message, url);
        this.#log.warn({ source, err: message }, 'trust registry document refused: malformed');
        return { accepted: false, outcome: 'REGISTRY_INVALID', message };
      }
    }
    const result = await this.#acceptRetrying(doc, source, asked);
    if (fetched.notModified) {
      if (!result.accepted) this.#validator = undefined;
    } else if (result.accepted) {
      this.#validator = etag === undefined ? undefined : { etag, doc };
    }
    return result;
  }

  async #acceptRetrying(
    doc: RegistryDocument,
    source: string,
    asked: RefreshRequest | undefined,
  ): Promise<RefreshResult> {
    // Written only over the exact row it was verified against: when another process stored a document meanwhile,
    // verify against that one (the rollback rule holds against the highest document accepted, not a stale read).
    for (let attempt = 1; ; attempt++) {
      const result = await this.#accept(doc, source, asked);
      if (result !== undefined) return result;
      if (attempt === 3) {
        this.#log.warn({ source, sequence: doc.sequence }, 'trust registry: another process stored a later document');
        return { accepted: false, outcome: 'REGISTRY_ROLLBACK', message: 'A later document was stored meanwhile.' };
      }
    }
  }

  /** Verifies `doc` against the stored document and stores it; undefined when the stored one changed meanwhile. */
  async #accept(
    doc: RegistryDocument,
    source: string,
    asked: RefreshRequest | undefined,
  ): Promise<RefreshResult | undefined> {
    const db = this.#ctx.storage.db;
    const stored = await store.readDocument(db, 'consumer');
    const now = this.#ctx.clock.now();
    const rootKey = this.#rootKey;
    const maxLifetimeSeconds = this.#config.trustMaxLifetimeSeconds;
    let report = await verifyRegistry(doc, {
      rootKey,
      now,
      maxLifetimeSeconds,
      ...(stored === undefined ? {} : { lastSeen: { sequence: stored.sequence, chainHash: stored.chain_hash } }),
    });
    // The stored document may be another registry's: the operator pinned a new root key and source. Its sequence
    // and chain are no history of this registry, so they cannot make a rollback (checked only on that refusal,
    // as it parses the stored document). The document this process holds of the pinned registry still is: a process
    // still on the old pin (a rolling change) may have stored its registry over the one held here.
    const foreign =
      stored !== undefined &&
      !report.valid &&
      report.failures.every((f) => f.code === 'REGISTRY_ROLLBACK') &&
      registryOf(stored.document) !== doc.registry;
    if (foreign) {
      const held = this.#current;
      const lastSeen =
        held !== undefined && held.doc.registry === doc.registry
          ? { lastSeen: { sequence: held.sequence, chainHash: held.chainHash } }
          : {};
      report = await verifyRegistry(doc, { rootKey, now, maxLifetimeSeconds, ...lastSeen });
    }
    if (!report.valid || report.chainHash === undefined) {
      const first = report.failures[0];
      this.#log.warn(
        { source, sequence: doc.sequence, failures: report.failures.map((f) => `${f.code}: ${f.message}`) },
        'trust registry document refused; keeping the last good document',
      );
      return {
        accepted: false,
        outcome: first?.code ?? 'REGISTRY_INVALID',
        message: first?.message,
        failures: report.failures,
      };
    }
    const chainHash = report.chainHash;
    const updatedAt = Date.parse(doc.updatedAt);
    const next = { doc, sequence: doc.sequence, chainHash, expiresAt: Date.parse(doc.expiresAt) };
    if (!foreign && stored !== undefined && stored.sequence === doc.sequence && updatedAt <= stored.updated_at) {
      // The same chain, not newer than what is stored (another process may have stored it): keep it unless this
      // process holds none, an earlier sequence, or an earlier signing of it, which expires first.
      const held = this.#current;
      if (
        held === undefined ||
        held.sequence < doc.sequence ||
        (held.sequence === doc.sequence && Date.parse(held.doc.updatedAt) < updatedAt)
      ) {
        this.#current = next;
      }
      return { accepted: true, outcome: 'unchanged', sequence: doc.sequence, chainHash };
    }
    const row = {
      sequence: doc.sequence,
      chain_hash: chainHash,
      document: JSON.stringify(doc),
      updated_at: updatedAt,
      expires_at: next.expiresAt,
    };
    // Replaces exactly the row read above (foreign or not); a process that stored meanwhile wins this round. A new
    // sequence (or another registry's) is audited with the write: only the process whose write took records it. So is
    // the admin's refresh that stored it.
    const updated: RefreshResult = { accepted: true, outcome: 'updated', sequence: doc.sequence, chainHash };
    const adopted = stored === undefined || foreign || stored.sequence !== doc.sequence;
    const written = await store.withRegistryLock(this.#ctx.storage, async (trx) => {
      const took =
        stored === undefined
          ? await store.insertDocument(trx, { name: 'consumer', ...row })
          : await store.replaceDocument(
              trx,
              'consumer',
              { sequence: stored.sequence, updatedAt: stored.updated_at },
              row,
            );
      // Every process that holds an earlier document takes this one as the write commits.
      if (took) await announceChange(trx, this.#ctx.storage.engine, CONSUMER_DOCUMENT_TOPIC);
      if (took && adopted) {
        await recordAudit(trx, {
          at: now,
          actor: 'registry-refresh',
          action: 'registry.adopt',
          target: doc.registry,
          details: {
            registry: doc.registry,
            oldSequence: stored?.sequence ?? null,
            newSequence: doc.sequence,
            source,
            ...(foreign && stored !== undefined ? { replacedRegistry: registryOf(stored.document) ?? null } : {}),
          },
        });
      }
      if (took && asked !== undefined) await recordAudit(trx, this.#refreshEntry(asked, updated, doc.registry, now));
      return took;
    });
    if (!written) return undefined;
    this.#current = next;
    if (foreign)
      this.#log.warn({ source, registry: doc.registry }, "trust registry: replaced another registry's stored document");
    this.#log.info({ source, sequence: doc.sequence }, 'trust registry document accepted');
    return updated;
  }
}

/**
 * The pinned root key, parsed once at start: a value that is no Ed25519 public key (a thumbprint or registry id
 * pasted in its place) stops the start, instead of failing every refresh, registry read and bound intercept later
 * with the SDK's INVALID_KEY, which names no setting.
 */
function pinnedRootKey(text: string | undefined): PublicKey {
  try {
    return parsePublicKey(text!, { type: 'Ed25519' });
  } catch {
    throw new ConfigError(
      'VOUCH_TRUST_REGISTRY_ROOT_KEY must be the registry root public key, `ed25519:<base64url>` (as `vouch registry ' +
        'keygen` prints it), not its id or another kind of key.',
    );
  }
}

/**
 * The source as logs and messages show it: a URL as its origin and path, without userinfo, query or fragment (a
 * signed URL carries its credential in the query); a file path unchanged.
 */
function displaySource(source: string): string {
  if (!/^https?:\/\//i.test(source)) return source;
  try {
    const url = new URL(source);
    return `${url.origin}${url.pathname}`;
  } catch {
    return '(the configured registry URL)';
  }
}

/** `message` with the configured URL shown as `displaySource` does, and its query or userinfo redacted wherever alone. */
function scrubSource(message: string, source: string): string {
  if (!/^https?:\/\//i.test(source)) return message;
  const shown = displaySource(source);
  const replacements: Array<[string, string]> = [[source, shown]];
  try {
    const url = new URL(source);
    replacements.push([url.href, shown]);
    for (const part of [url.search, url.hash, url.username, url.password]) replacements.push([part, '[redacted]']);
  } catch {
    // Unparsable: only the raw text can be replaced.
  }
  let out = message;
  // Longest first: the whole URL goes before its query alone; one-character parts ("?") are no secret.
  for (const [text, by] of replacements.filter(([t]) => t.length > 1).sort((a, b) => b[0].length - a[0].length)) {
    out = out.split(text).join(by);
  }
  return out;
}

/** The `registry` id a stored document names (undefined when it names none). */
function registryOf(document: string): unknown {
  try {
    return (JSON.parse(document) as { registry?: unknown }).registry;
  } catch {
    return undefined;
  }
}

/** What a read of the source gave: the bytes (with the source's ETag, if any), or 304 to the ETag sent. */
type Fetched = { notModified: false; bytes: Uint8Array; etag?: string } | { notModified: true };

// An entity tag as RFC 9110 writes it, of a length worth keeping; any other ETag header is not sent back.
const ENTITY_TAG = /^(?:W\/)?"[\x21\x23-\x7e]{0,256}"$/;

/**
 * Reads the configured source: an http(s) URL (timeout, size cap, no redirects; `etag` sent as If-None-Match) or a
 * file. A 304 counts only as the answer to an ETag sent.
 */
async function fetchDocument(source: string, etag?: string): Promise<Fetched> {
  if (!/^https?:\/\//i.test(source)) {
    // Only a regular file, opened without blocking: a named pipe hung the refresh for good, /dev/zero read without end.
    try {
      return { notModified: false, bytes: await readRegularFile(source, MAX_DOCUMENT_BYTES) };
    } catch (err) {
      throw new Error(`the file ${(err as Error).message}`);
    }
  }
  const res = await fetch(source, {
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    redirect: 'error',
    headers: { accept: 'application/json', ...(etag === undefined ? {} : { 'if-none-match': etag }) },
  });
  if (res.status === 304 && etag !== undefined) {
    await res.body?.cancel();
    return { notModified: true };
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > MAX_DOCUMENT_BYTES) {
    await res.body?.cancel();
    throw new Error(`the document is larger than ${MAX_DOCUMENT_BYTES} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (res.body !== null) {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength;
      if (total > MAX_DOCUMENT_BYTES) throw new Error(`the document is larger than ${MAX_DOCUMENT_BYTES} bytes`);
      chunks.push(chunk);
    }
  }
  const tag = res.headers.get('etag') ?? '';
  return { notModified: false, bytes: Buffer.concat(chunks), ...(ENTITY_TAG.test(tag) ? { etag: tag } : {}) };
}
