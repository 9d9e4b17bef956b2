import { VouchError } from '../errors.ts';
import { encodeUtf8 } from '../encoding/utf8.ts';
import { sha256HexSync } from '../hash/sha256.ts';
import { canonicalize } from '../json/canonicalize.ts';
import type { GovernanceStep, IssuerEntry, Proposal, RegistryDocument, UnsignedIssuerEntry } from './types.ts';

function without(value: unknown, names: readonly string[], what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VouchError('INVALID_ARGUMENT', `Expected ${what} object.`);
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const name of names) delete copy[name];
  return copy;
}

/**
 * Internal: the bytes the co-signatures of a legacy `admit` step cover — the UTF-8 RFC 8785 JSON of the entry
 * without `signatures` and `$schema`. They name no registry, sequence or deadline, which is why `admit` steps are
 * refused (docs/registry.md, "Admission"): these bytes serve only to report how such a step was signed. Nothing in
 * Vouch signs them any more, and they are not exported.
 */
export function legacyEntrySigningBytes(entry: IssuerEntry | UnsignedIssuerEntry): Uint8Array {
  return encodeUtf8(canonicalize(without(entry, ['signatures', '$schema'], 'an issuer entry')));
}

/**
 * The bytes co-signers of a proposal sign: the UTF-8 RFC 8785 JSON of the proposal without `signatures` and
 * `$schema` (so `type`, `registry`, `baseSequence` and `expiresAt` bind it to one registry, one sequence and a
 * deadline).
 *
 * @example
 * ```ts
 * const ok = await crypto.verify('EdDSA', issuerKey, sig, proposalSigningBytes(proposal));
 * ```
 */
export function proposalSigningBytes(proposal: Proposal): Uint8Array {
  return encodeUtf8(canonicalize(without(proposal, ['signatures', '$schema'], 'a proposal')));
}

/**
 * The bytes the root key signs: the UTF-8 RFC 8785 JSON of the document without `rootSignature` (its `$schema`,
 * if any, is covered).
 *
 * @example
 * ```ts
 * const ok = await crypto.verify('EdDSA', rootKey, sig, registryDocumentSigningBytes(doc));
 * ```
 */
export function registryDocumentSigningBytes(doc: RegistryDocument): Uint8Array {
  const governance = (doc as { governance?: unknown } | null)?.governance;
  const steps = Array.isArray(governance) ? governance.map((step) => canonicalize(step)) : undefined;
  return documentBytes(doc, steps);
}

/**
 * Internal: the document's signing bytes from the RFC 8785 text of each governance step, already computed for the
 * step hashes (the steps are most of the document: this saves canonicalizing them twice). Same bytes as
 * `canonicalize(doc without rootSignature)`: members in sorted order, `governance` spliced in as `[s1,s2,…]`.
 */
export function documentBytes(doc: RegistryDocument, steps: readonly string[] | undefined): Uint8Array {
  const rest = without(doc, ['rootSignature'], 'a registry document');
  if (steps === undefined) return encodeUtf8(canonicalize(rest));
  const names = Object.keys(rest).sort();
  const parts = names.map(
    // canonicalize, not JSON.stringify, writes the name: it refuses a lone surrogate, as for the other path.
    (name) => `${canonicalize(name)}:${name === 'governance' ? `[${steps.join(',')}]` : canonicalize(rest[name])}`,
  );
  return encodeUtf8(`{${parts.join(',')}}`);
}

/**
 * The hash that links governance steps: lowercase hex SHA-256 of the RFC 8785 JSON of the whole step (with its
 * `prev` and co-signatures). The next step's `prev` is this; the last step's is the document's chain hash, which
 * a consumer keeps with the sequence to detect rollbacks.
 *
 * @example
 * ```ts
 * const chainHash = governanceStepHash(doc.governance.at(-1)!);
 * ```
 */
export function governanceStepHash(step: GovernanceStep): string {
  return sha256HexSync(canonicalize(step));
}

/**
 * A proposal's stable id: lowercase hex SHA-256 of its signing bytes (the same for every set of signatures), for
 * file names and `GET /v1/registry/proposals/:id`.
 *
 * @example
 * ```ts
 * proposalId(proposal); // '3f1c…' (64 hex digits)
 * ```
 */
export function proposalId(proposal: Proposal): string {
  return sha256HexSync(proposalSigningBytes(proposal));
}
