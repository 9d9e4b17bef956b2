import { checkEntry, type RegistrySourceOptions } from './entry.ts';
import { readJson } from './lib/read-json.ts';
import {
  array,
  ed25519PublicKey,
  ed25519Signature,
  fail,
  index,
  integer,
  isoTime,
  issuerId,
  literal,
  member,
  object,
  oneOf,
  root,
  sha256Hex,
  string,
  thumbprint,
  type At,
} from './lib/shape.ts';
import { checkProposal } from './proposal.ts';
import { REGISTRY_LIMITS } from './limits.ts';
import { REGISTRY_FORMAT_VERSION, type GovernanceStep, type RegistryDocument } from './types.ts';

/** Internal: one `revoked[]` record. */
export function checkRevoked(value: unknown, at: At): void {
  const r = object(value, at, ['id', 'publicKey', 'revokedAt', 'reason']);
  issuerId(r.id, member(at, 'id'));
  ed25519PublicKey(r.publicKey, member(at, 'publicKey'));
  isoTime(r.revokedAt, member(at, 'revokedAt'));
  string(r.reason, member(at, 'reason'), 1000);
}

/** Internal: one governance step, by kind. Whether it belongs where it is (sequence, prev) is rule 2's business. */
export function checkStep(value: unknown, at: At): GovernanceStep {
  const probe = object(
    value,
    at,
    ['sequence', 'kind', 'appliedAt'],
    ['prev', 'entry', 'proposal', 'registry', 'rootKey', 'threshold', 'issuers'],
  );
  const kind = oneOf(probe.kind, member(at, 'kind'), ['genesis', 'admit', 'proposal'] as const);
  const common = ['sequence', 'kind', 'appliedAt'];
  if (kind === 'genesis') {
    const s = object(value, at, [...common, 'registry', 'rootKey', 'threshold', 'issuers']);
    thumbprint(s.registry, member(at, 'registry'));
    ed25519PublicKey(s.rootKey, member(at, 'rootKey'));
    const t = object(s.threshold, member(at, 'threshold'), ['required']);
    integer(t.required, member(member(at, 'threshold'), 'required'), 0, REGISTRY_LIMITS.maxIssuers);
    const issuers = array(s.issuers, member(at, 'issuers'), REGISTRY_LIMITS.maxIssuers);
    issuers.forEach((e, i) => checkEntry(e, index(member(at, 'issuers'), i)));
  } else if (kind === 'admit') {
    const s = object(value, at, [...common, 'prev', 'entry']);
    sha256Hex(s.prev, member(at, 'prev'));
    checkEntry(s.entry, member(at, 'entry'));
  } else {
    const s = object(value, at, [...common, 'prev', 'proposal']);
    sha256Hex(s.prev, member(at, 'prev'));
    checkProposal(s.proposal, member(at, 'proposal'));
  }
  integer(probe.sequence, member(at, 'sequence'), 1);
  isoTime(probe.appliedAt, member(at, 'appliedAt'));
  return value as GovernanceStep;
}

/**
 * Checks that `value` is a registry document (docs/registry.md, `schemas/registry.schema.json`) and returns it
 * typed: every entry, revoked record, governance step and embedded proposal by its shape, unknown members refused,
 * sizes bounded by `REGISTRY_LIMITS`. Says nothing about signatures, chain or quorum: that is `verifyRegistry`.
 * Throws `RegistryFormatError` (`REGISTRY_INVALID`) naming the source and the field.
 *
 * @example
 * ```ts
 * const doc = validateRegistryDocument(body.document, { source: 'body.document' });
 * ```
 */
export function validateRegistryDocument(value: unknown, options: RegistrySourceOptions = {}): RegistryDocument {
  const at = root(options.source);
  const d = object(
    value,
    at,
    [
      'version',
      'registry',
      'sequence',
      'updatedAt',
      'expiresAt',
      'issuers',
      'revoked',
      'threshold',
      'governance',
      'rootSignature',
    ],
    ['$schema'],
  );
  literal(d.version, member(at, 'version'), REGISTRY_FORMAT_VERSION);
  thumbprint(d.registry, member(at, 'registry'));
  integer(d.sequence, member(at, 'sequence'), 1);
  const updatedAt = isoTime(d.updatedAt, member(at, 'updatedAt'));
  const expiresAt = isoTime(d.expiresAt, member(at, 'expiresAt'));
  if (expiresAt <= updatedAt) fail(member(at, 'expiresAt'), 'must be later than updatedAt.');
  if (d.$schema !== undefined) string(d.$schema, member(at, '$schema'), 2048);
  const issuers = array(d.issuers, member(at, 'issuers'), REGISTRY_LIMITS.maxIssuers);
  issuers.forEach((e, i) => checkEntry(e, index(member(at, 'issuers'), i)));
  const revoked = array(d.revoked, member(at, 'revoked'), REGISTRY_LIMITS.maxSteps);
  revoked.forEach((r, i) => checkRevoked(r, index(member(at, 'revoked'), i)));
  const t = object(d.threshold, member(at, 'threshold'), ['required', 'total']);
  integer(t.required, member(member(at, 'threshold'), 'required'), 0, REGISTRY_LIMITS.maxIssuers);
  integer(t.total, member(member(at, 'threshold'), 'total'), 0, REGISTRY_LIMITS.maxIssuers);
  const governance = array(d.governance, member(at, 'governance'), REGISTRY_LIMITS.maxSteps);
  if (governance.length === 0) fail(member(at, 'governance'), 'must start with the genesis step.');
  governance.forEach((s, i) => checkStep(s, index(member(at, 'governance'), i)));
  ed25519Signature(d.rootSignature, member(at, 'rootSignature'));
  return d as unknown as RegistryDocument;
}

/** Options of {@link parseRegistryDocument}. */
export interface ParseRegistryOptions extends RegistrySourceOptions {
  /** Largest input accepted (default `REGISTRY_LIMITS.maxDocumentBytes`, 64 MiB). */
  maxBytes?: number;
}

/**
 * Parses a registry document from bytes that came from outside (a file, a URL, a request body) with the SDK's
 * strict JSON parser — duplicate keys, non-finite numbers, deep nesting, invalid UTF-8 and oversize input refused —
 * and validates its shape. Verify it next with `verifyRegistry`. Throws `REGISTRY_INVALID` naming the source and
 * the field.
 *
 * @example
 * ```ts
 * const doc = parseRegistryDocument(await readFile('registry/registry.json'), { source: 'registry.json' });
 * const report = await verifyRegistry(doc, { rootKey, now: new Date() });
 * ```
 */
export function parseRegistryDocument(
  input: string | Uint8Array,
  options: ParseRegistryOptions = {},
): RegistryDocument {
  const maxBytes = options.maxBytes ?? REGISTRY_LIMITS.maxDocumentBytes;
  return validateRegistryDocument(readJson(input, options.source, maxBytes), options);
}
