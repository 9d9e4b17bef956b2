import { VouchError } from '../errors.ts';
import { checkSignatures, checkUnsignedEntry, type RegistrySourceOptions } from './entry.ts';
import { readJson } from './lib/read-json.ts';
import { toIso } from './lib/time.ts';
import {
  fail,
  integer,
  isoTime,
  issuerId,
  literal,
  member,
  object,
  oneOf,
  root,
  string,
  thumbprint,
  type At,
} from './lib/shape.ts';
import { REGISTRY_LIMITS } from './limits.ts';
import { PROPOSAL_TYPE, type Proposal, type ProposalAction, type UnsignedIssuerEntry } from './types.ts';

const ACTIONS: readonly ProposalAction[] = ['add', 'update', 'remove', 'threshold'];

function forbid(p: Record<string, unknown>, at: At, names: readonly string[], action: string): void {
  for (const name of names) {
    if (p[name] !== undefined) fail(member(at, name), `must be absent in a "${action}" proposal.`);
  }
}

/** Internal: a proposal at `at` (in a file or a governance step). */
export function checkProposal(value: unknown, at: At): Proposal {
  const p = object(
    value,
    at,
    ['type', 'registry', 'baseSequence', 'action', 'expiresAt', 'signatures'],
    ['$schema', 'subject', 'entry', 'threshold', 'reason'],
  );
  literal(p.type, member(at, 'type'), PROPOSAL_TYPE);
  thumbprint(p.registry, member(at, 'registry'));
  integer(p.baseSequence, member(at, 'baseSequence'), 1);
  const action = oneOf(p.action, member(at, 'action'), ACTIONS);
  isoTime(p.expiresAt, member(at, 'expiresAt'));
  if (p.$schema !== undefined) string(p.$schema, member(at, '$schema'), 2048);
  if (p.reason !== undefined) string(p.reason, member(at, 'reason'), 1000);
  switch (action) {
    case 'add':
    case 'update': {
      forbid(p, at, ['threshold'], action);
      const subject = issuerId(p.subject, member(at, 'subject'));
      if (p.entry === undefined) fail(member(at, 'entry'), `is required in an "${action}" proposal.`);
      const entry = checkUnsignedEntry(p.entry, member(at, 'entry'));
      if (entry.id !== subject) fail(member(member(at, 'entry'), 'id'), 'must equal the proposal subject.');
      break;
    }
    case 'remove':
      forbid(p, at, ['entry', 'threshold'], action);
      issuerId(p.subject, member(at, 'subject'));
      if (p.reason === undefined) fail(member(at, 'reason'), 'is required in a "remove" proposal.');
      break;
    case 'threshold': {
      forbid(p, at, ['subject', 'entry'], action);
      const t = object(p.threshold, member(at, 'threshold'), ['required']);
      integer(t.required, member(member(at, 'threshold'), 'required'), 2, REGISTRY_LIMITS.maxIssuers);
      break;
    }
  }
  checkSignatures(p.signatures, member(at, 'signatures'));
  return p as unknown as Proposal;
}

/**
 * Checks that `value` is a governance proposal (docs/registry.md, `schemas/proposal.schema.json`) and returns it
 * typed: members by action (`subject` for add/update/remove, `entry` for add/update with `entry.id === subject`,
 * `reason` for remove, `threshold` for threshold), unknown members refused. Does not check signatures or whether
 * it applies (`checkQuorum`, `applyProposal`). Throws `RegistryFormatError` (`REGISTRY_INVALID`).
 *
 * @example
 * ```ts
 * const proposal = validateProposal(body.proposal, { source: 'body.proposal' });
 * ```
 */
export function validateProposal(value: unknown, options: RegistrySourceOptions = {}): Proposal {
  return checkProposal(value, root(options.source));
}

/**
 * Parses a proposal file with the SDK's strict JSON parser and validates it. Throws `REGISTRY_INVALID` naming the
 * source and the field.
 *
 * @example
 * ```ts
 * const proposal = parseProposal(await readFile(path), { source: path });
 * ```
 */
export function parseProposal(input: string | Uint8Array, options: RegistrySourceOptions = {}): Proposal {
  return validateProposal(readJson(input, options.source, REGISTRY_LIMITS.maxFileBytes), options);
}

/** The fields of a new proposal. `baseSequence` and `registry` come from the document it is meant for. */
export interface DraftProposalInput {
  registry: string;
  baseSequence: number;
  action: ProposalAction;
  subject?: string;
  entry?: UnsignedIssuerEntry;
  threshold?: { required: number };
  reason?: string;
  /** When co-signers may no longer have it applied. */
  expiresAt: Date | string;
}

/**
 * Builds a new, unsigned proposal (`signatures: []`) and validates it. For `add` and `update`, `subject` defaults
 * to `entry.id`, and any `signatures`/`$schema` on `entry` are dropped (a proposal's entry is covered by the
 * proposal's own co-signatures).
 *
 * @example
 * ```ts
 * const proposal = draftProposal({
 *   registry: doc.registry, baseSequence: doc.sequence, action: 'remove', subject: 'acme',
 *   reason: 'key compromised', expiresAt: new Date(Date.now() + 7 * 86_400_000),
 * });
 * ```
 */
export function draftProposal(input: DraftProposalInput): Proposal {
  if (typeof input !== 'object' || input === null) {
    throw new VouchError('INVALID_ARGUMENT', 'draftProposal expects an object of proposal fields.');
  }
  const proposal: Record<string, unknown> = {
    type: PROPOSAL_TYPE,
    registry: input.registry,
    baseSequence: input.baseSequence,
    action: input.action,
  };
  let subject = input.subject;
  // A member that is no object (null from JSON, a typo) goes to the validator as it is, which names it.
  const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (input.entry !== undefined && !isObject(input.entry)) proposal.entry = input.entry;
  else if (input.entry !== undefined) {
    const {
      signatures: _s,
      $schema: _d,
      ...entry
    } = input.entry as UnsignedIssuerEntry & {
      signatures?: unknown;
      $schema?: unknown;
    };
    subject ??= entry.id;
    proposal.entry = entry;
  }
  if (subject !== undefined) proposal.subject = subject;
  if (input.threshold !== undefined) {
    proposal.threshold = isObject(input.threshold) ? { required: input.threshold.required } : input.threshold;
  }
  if (input.reason !== undefined) proposal.reason = input.reason;
  proposal.expiresAt = input.expiresAt instanceof Date ? toIso(input.expiresAt, 'expiresAt') : input.expiresAt;
  proposal.signatures = [];
  return validateProposal(proposal);
}
