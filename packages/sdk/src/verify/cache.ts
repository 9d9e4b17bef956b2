// The documents an offline verifier needs, fetched once and kept (they are plain JSON: store them anywhere).
import type { VouchClient } from '../client/client.ts';
import type { CallOptions } from '../client/http.ts';
import type { SignatureRecord, VouchKeys } from '../client/types.ts';
import type { JsonValue } from '../json/types.ts';

export interface VerifierCache {
  /** The server's base URL. */
  server: string;
  /** When the documents were fetched (the client's clock, ms). */
  fetchedAt: number;
  /** `/.well-known/agent-registry.json`: the AIP issuer and its token keys. */
  discovery: { issuer: string; keys: Array<Record<string, unknown>> } & Record<string, unknown>;
  /** `/.well-known/vouch-keys.json`: the server's Ed25519 keys (tool manifests, capability tokens). */
  vouchKeys: VouchKeys;
  /** Revoked AIP token ids (every page of `/api/registry/revocations`), and the cursor to continue from. */
  revocations: { jtis: string[]; cursor?: string };
  /** `/.well-known/agent-trust.json`, when the server has a registry (verify it before trusting it). */
  trustRegistry?: JsonValue;
  /** Signature records (`GET /api/v1/signatures/verify`) by signature hash, for `verifyContent`. */
  signatures: Record<string, SignatureRecord>;
}

export interface FetchVerifierCacheOptions extends CallOptions {
  /** Signature hashes whose records to fetch too. */
  signatures?: readonly string[];
}

/**
 * Fetches what the offline verifier helpers need from a server, once: the AIP discovery document, the Vouch keys,
 * the whole AIP revocation list, the trust registry document (if any) and the given signature records.
 *
 * @example
 * ```ts
 * const cache = await fetchVerifierCache(client);
 * fs.writeFileSync('vouch-cache.json', JSON.stringify(cache)); // later, offline: verifyToken(token, cache)
 * ```
 */
export async function fetchVerifierCache(
  client: VouchClient,
  options: FetchVerifierCacheOptions = {},
): Promise<VerifierCache> {
  const { signatures = [], ...call } = options;
  const noAuth: CallOptions = { ...call, as: 'none' };
  const [discovery, vouchKeys] = await Promise.all([client.tokens.discovery(noAuth), client.server.vouchKeys(noAuth)]);
  const jtis: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await client.tokens.revocations({ since: cursor, limit: 1000 }, noAuth);
    for (const r of page.revoked) jtis.push(r.jti);
    cursor = page.cursor;
    if (!page.has_more) break;
  }
  let trustRegistry: JsonValue | undefined;
  try {
    trustRegistry = (await client.registry.document(noAuth)) as unknown as JsonValue;
  } catch {
    trustRegistry = undefined; // no registry yet (or a consumer that holds none): registry checks will say so
  }
  const records: Record<string, SignatureRecord> = {};
  for (const hash of signatures) records[hash] = await client.signatures.verify(hash, noAuth);
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
