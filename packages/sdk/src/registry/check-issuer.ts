import { VouchError } from '../errors.ts';
import type { IssuerEntry, RegistryDocument, RevokedIssuer } from './types.ts';

// A gateway asks once per request: index each (immutable, verified) document once instead of scanning it.
const indexes = new WeakMap<RegistryDocument, Map<string, IssuerStatus>>();

/** Where an issuer stands in a registry document. */
export type IssuerStatus =
  { status: 'active'; issuer: IssuerEntry } | { status: 'revoked'; revoked: RevokedIssuer } | { status: 'unknown' };

/**
 * Looks an issuer up in a registry document that `verifyRegistry` has accepted: `active` with its entry (its current
 * `publicKey`, to check credentials and detect key rotation), `revoked` with the revocation record, or `unknown`.
 * It does not verify anything itself: call it only on a verified document, and treat that document as immutable
 * (lookups are indexed once per document object).
 *
 * @example
 * ```ts
 * const found = checkIssuer(doc, credential.iss);
 * if (found.status !== 'active') deny(found.status === 'revoked' ? 'ISSUER_REVOKED' : 'UNKNOWN_ISSUER');
 * ```
 */
export function checkIssuer(doc: RegistryDocument, issuerId: string): IssuerStatus {
  if (typeof issuerId !== 'string') throw new VouchError('INVALID_ARGUMENT', 'The issuer id must be a string.');
  let index = indexes.get(doc);
  if (index === undefined) {
    const d = doc as Partial<RegistryDocument> | null;
    if (typeof d !== 'object' || d === null || !Array.isArray(d.issuers) || !Array.isArray(d.revoked)) {
      throw new VouchError('INVALID_ARGUMENT', 'checkIssuer expects a registry document that verifyRegistry accepted.');
    }
    index = new Map<string, IssuerStatus>();
    for (const revoked of doc.revoked) index.set(revoked.id, { status: 'revoked', revoked });
    for (const issuer of doc.issuers) index.set(issuer.id, { status: 'active', issuer });
    indexes.set(doc, index);
  }
  return index.get(issuerId) ?? { status: 'unknown' };
}
