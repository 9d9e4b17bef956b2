// The documents an offline verifier needs, fetched once and kept (they are plain JSON: store them anywhere).
import type { VouchClient } from '../client/client.ts';
import { VouchError } from '../errors.ts';
import type { CallOptions } from '../client/http.ts';
import type { SignatureRecord, VouchKeys } from '../client/types.ts';
import type { JsonValue } from '../json/types.ts';
import { documentAnswer, objectOf } from '../aip/fetch-json.ts';
import { parseRevocationPage } from '../aip/revocations.ts';

export interface VerifierCache {
  /** The server's base URL. */
  server: string;
  /** When the documents were fetched (the client's clock, ms). */
  fetchedAt: number;
  /** `/.well-known/agent-registry.json`: the AIP issuer and its token keys. */
  discovery: { issuer: string; keys: Array<Record<string, unknown>> } & Record<string, unknown>;
  /** `/.well-known/vouch-keys.json`: the server's Ed25519 keys (tool manifests, capability tokens). */
  vouchKeys: VouchKeys;
  /**
   * Revoked AIP token ids (every page of `/api/registry/revocations`), and the cursor to continue from. Treat the list
   * as immutable: `verifyToken` indexes it once per `jtis` array (re-reading it only when its length changes), so an
   * entry replaced in place may go unseen; to update it, set a new array (or append only).
   */
  revocations: { jtis: string[]; cursor?: string };
  /** `/.well-known/agent-trust.json`, when the server has a registry (verify it before trusting it). */
  trustRegistry?: JsonValue;
  /** Signature records (`GET /api/v1/signatures/verify`) by signature hash, for `verifyContent`. */
  signatures: Record<string, SignatureRecord>;
}

export interface FetchVerifierCacheOptions extends CallOptions {
  /** Signature hashes whose records to fetch too. */
  signatures?: readonly string[];
  /**
   * Revocation list pages (of up to 1,000 entries) read at most (default 1,000); a longer list fails with
   * `AIP_FETCH_FAILED` rather than giving a cache that lacks part of it.
   */
  maxRevocationPages?: number;
}

const MAX_REVOCATION_PAGES = 1000;

/**
 * Fetches what the offline verifier helpers need from a server, once: the AIP discovery document, the Vouch keys,
 * the whole AIP revocation list, the trust registry document (if any) and the given signature records. The list is
 * read to its end or not at all: past `maxRevocationPages` pages it fails with `AIP_FETCH_FAILED`, and a page that
 * says `has_more` without moving the cursor on fails with `AIP_RESPONSE_INVALID`, as does a revocation page, discovery
 * document or vouch-keys.json of the wrong shape, and a signature record that is not JSON. Every document is read as
 * strict JSON (a repeated member, a non-finite number: `AIP_RESPONSE_INVALID`; a registry document: not cached).
 *
 * @example
 * ```ts
 * const cache = await fetchVerifierCache(client);
 * fs.writeFileSync('vouch-cache.json', JSON.stringify(cache)); // later, offline: verifyToken(token, cache)
 * ```
 */
export async function fetchVerifierCache(
  client: VouchClient,
  options?: FetchVerifierCacheOptions,
): Promise<VerifierCache> {
  // null options, or a null member (settings read from JSON): the defaults, as when absent
  const { signatures: wanted, maxRevocationPages: pagesGiven, ...call } = options ?? {};
  const signatures = wanted ?? [];
  const maxRevocationPages = pagesGiven ?? MAX_REVOCATION_PAGES;
  if (!Number.isSafeInteger(maxRevocationPages) || maxRevocationPages < 1) {
    throw new VouchError('INVALID_ARGUMENT', 'maxRevocationPages must be a positive integer.');
  }
  // Read strictly, as the online verifier reads them: a repeated member is refused, not taken at its last occurrence.
  const noAuth: CallOptions = { ...call, as: 'none', strictJson: true };
  const [discovery, vouchKeys] = await Promise.all([
    documentAnswer(client.tokens.discovery(noAuth), 'discovery document'),
    documentAnswer(client.server.vouchKeys(noAuth), 'vouch-keys.json document'),
  ]);
  // The client hands back whatever a 2xx carried (text, null, any JSON): check what the verifiers will read.
  const doc = objectOf(discovery as unknown as JsonValue, 'discovery document');
  if (typeof doc.issuer !== 'string' || !Array.isArray(doc.keys)) {
    throw new VouchError('AIP_RESPONSE_INVALID', 'The discovery document lacks "issuer" or a "keys" array.');
  }
  if (!Array.isArray(objectOf(vouchKeys as unknown as JsonValue, 'vouch-keys.json document').keys)) {
    throw new VouchError('AIP_RESPONSE_INVALID', 'The vouch-keys.json document has no "keys" array.');
  }
  const jtis: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; ; pages++) {
    if (pages >= maxRevocationPages) {
      throw new VouchError(
        'AIP_FETCH_FAILED',
        `The revocation list is longer than ${maxRevocationPages} pages (maxRevocationPages); no partial cache is given.`,
      );
    }
    const sent = cursor;
    // Checked as the offline verifier checks it: a list of anything but entries must not pass for an empty one.
    const page = parseRevocationPage(
      (await documentAnswer(
        client.tokens.revocations({ since: sent, limit: 1000 }, noAuth),
        'revocation list',
      )) as unknown as JsonValue,
    );
    for (const r of page.entries) jtis.push(r.jti);
    cursor = page.cursor;
    if (!page.hasMore) break;
    if (cursor === sent) {
      throw new VouchError(
        'AIP_RESPONSE_INVALID',
        'The revocation list says it has more but its cursor did not advance.',
      );
    }
  }
  let trustRegistry: JsonValue | undefined;
  try {
    trustRegistry = (await client.registry.document(noAuth)) as unknown as JsonValue;
  } catch {
    // A cancelled call is the caller's decision, not a server without a registry.
    call.signal?.throwIfAborted();
    trustRegistry = undefined; // no registry yet (or a consumer that holds none): registry checks will say so
  }
  const records: Record<string, SignatureRecord> = {};
  for (const hash of signatures) {
    records[hash] = await documentAnswer(client.signatures.verify(hash, noAuth), 'signature record');
  }
  const cache: VerifierCache = {
    server: client.baseUrl,
    fetchedAt: client.http.now(),
    discovery,
    vouchKeys,
    revocations: cursor === undefined ? { jtis } : { jtis, cursor },
    signatures: records,
  };
  if (trustRegistry !== undefined) cache.trustRegistry = trustRegistry;
  return cache;
}
