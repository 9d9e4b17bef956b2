import { VouchError } from '../errors.ts';
import { getDefaultCrypto } from '../crypto/default.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import { formatPublicKey } from '../keys/format.ts';
import { isPublicKey, type PublicKey } from '../keys/key.ts';
import { parsePublicKey } from '../keys/parse-public.ts';
import { validateRegistryDocument } from './document.ts';
import { jsonEqual } from './lib/json-equal.ts';
import { boundsProblem, countQuorum, signatureBytes, type Ledger } from './lib/ledger.ts';
import { toMs, type TimeInput } from './lib/time.ts';
import { verifyPlan } from './lib/verify-signatures.ts';
import { registryIdOf } from './registry-id.ts';
import { replay } from './replay.ts';
import { documentBytes } from './signing-bytes.ts';
import { canonicalize } from '../json/canonicalize.ts';
import { sha256HexSync } from '../hash/sha256.ts';
import type {
  EntryReport,
  QuorumResult,
  RegistryDocument,
  RegistryFailure,
  RegistryVerification,
  StepReport,
} from './types.ts';

/** What a consumer remembers of the last document it accepted (rule 4). */
export interface LastSeen {
  sequence: number;
  chainHash: string;
}

/** Options of {@link verifyRegistry}. */
export interface VerifyRegistryOptions {
  /** The pinned root public key (an SDK key, `ed25519:<base64url>`, PEM or JWK), obtained out of band. */
  rootKey: PublicKey | string;
  /** The one reference time for every check (default: read once at the call). */
  now?: TimeInput;
  /** The last document this consumer accepted; enables the rollback rule. */
  lastSeen?: LastSeen;
  /**
   * The longest a document may be valid, in seconds: `expiresAt` minus the earlier of `updatedAt` and `now` (a
   * document dated in the future counts from now). Unset, any lifetime is accepted. Set it above the lifetime the
   * registry is signed with (the authority's `VOUCH_REGISTRY_VALIDITY`, `vouch registry build --validity`).
   */
  maxLifetimeSeconds?: number;
  crypto?: CryptoProvider;
}

// By rule, then by step; failures about the document as a whole come after the steps of their rule.
const ORDER = (a: RegistryFailure, b: RegistryFailure): number =>
  a.rule - b.rule || (a.step ?? Number.MAX_SAFE_INTEGER) - (b.step ?? Number.MAX_SAFE_INTEGER);

function checkLastSeen(lastSeen: unknown): LastSeen | undefined {
  if (lastSeen === undefined) return undefined;
  const l = lastSeen as Partial<LastSeen>;
  if (
    typeof l !== 'object' ||
    l === null ||
    !Number.isSafeInteger(l.sequence) ||
    (l.sequence as number) < 1 ||
    typeof l.chainHash !== 'string' ||
    !/^[0-9a-f]{64}$/.test(l.chainHash)
  ) {
    throw new VouchError('INVALID_ARGUMENT', 'lastSeen must be {sequence: integer ≥ 1, chainHash: 64 hex digits}.');
  }
  return { sequence: l.sequence!, chainHash: l.chainHash };
}

function checkMaxLifetime(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new VouchError('INVALID_ARGUMENT', 'maxLifetimeSeconds must be a positive number of seconds.');
  }
  return value;
}

/** Rule 1 with `maxLifetimeSeconds`: the document is valid no longer than that from its signing (or from now). */
function lifetime(doc: RegistryDocument, now: number, maxSeconds: number): RegistryFailure | undefined {
  const seconds = (Date.parse(doc.expiresAt) - Math.min(Date.parse(doc.updatedAt), now)) / 1000;
  if (seconds <= maxSeconds) return undefined;
  return {
    rule: 1,
    code: 'REGISTRY_LIFETIME_EXCEEDED',
    message: `the document is valid for ${Math.ceil(seconds)} seconds, longer than the ${maxSeconds} allowed.`,
  };
}

function rollback(doc: RegistryDocument, hashes: readonly string[], lastSeen: LastSeen): RegistryFailure | undefined {
  const fail = (message: string): RegistryFailure => ({
    rule: 4,
    code: 'REGISTRY_ROLLBACK',
    step: doc.sequence,
    message,
  });
  if (doc.sequence < lastSeen.sequence) {
    return fail(`sequence ${doc.sequence} is lower than the sequence ${lastSeen.sequence} already seen.`);
  }
  const seen = hashes[lastSeen.sequence - 1];
  if (seen === lastSeen.chainHash) return undefined;
  return fail(
    doc.sequence === lastSeen.sequence
      ? `same sequence ${doc.sequence} as already seen but a different chain.`
      : `the history up to sequence ${lastSeen.sequence} differs from the one already seen (a rewritten chain).`,
  );
}

const sameJson = jsonEqual;

/** Rule 3: the document's issuers, revoked and threshold are exactly what the governance replay gives. */
function compareWithReplay(doc: RegistryDocument, ledger: Ledger): RegistryFailure[] {
  const out: RegistryFailure[] = [];
  const fail = (message: string, issuerId?: string, step?: number): void =>
    void out.push({
      rule: 3,
      code: 'REGISTRY_REPLAY_MISMATCH',
      ...(step !== undefined ? { step } : {}),
      ...(issuerId !== undefined ? { issuerId } : {}),
      message,
    });
  if (doc.sequence !== ledger.sequence) {
    fail(`sequence is ${doc.sequence} but governance has ${ledger.sequence} steps.`);
  }
  if (doc.registry !== ledger.registry) fail('registry is not the id named by the genesis step.');

  const listed = new Map<string, unknown>();
  for (const entry of doc.issuers) {
    if (listed.has(entry.id)) fail(`issuer ${entry.id} is listed twice.`, entry.id);
    listed.set(entry.id, entry);
  }
  for (const [id, entry] of ledger.issuers) {
    const step = ledger.origins.get(id);
    const shown = listed.get(id);
    if (shown === undefined)
      fail(`issuer ${id} was admitted by governance but is missing: dropped without a quorum.`, id, step);
    else if (!sameJson(shown, entry)) {
      fail(`issuer ${id} differs from the entry governance set: altered without a quorum.`, id, step);
    }
  }
  for (const id of listed.keys()) {
    if (!ledger.issuers.has(id)) {
      const why = ledger.known.has(id) ? 'was removed by governance' : 'was never admitted by governance';
      fail(`issuer ${id} is listed but ${why}: added without a quorum.`, id);
    }
  }
  if (
    out.length === 0 &&
    !sameJson(
      doc.issuers.map((e) => e.id),
      [...ledger.issuers.keys()].sort(),
    )
  ) {
    fail('issuers are not sorted by id.');
  }

  const before = out.length;
  const revokedNow = ledger.revoked;
  const revokedShown = new Map(doc.revoked.map((r) => [r.id, r]));
  for (const [id, r] of revokedNow) {
    const shown = revokedShown.get(id);
    if (shown === undefined) fail(`revoked issuer ${id} is missing from revoked.`, id);
    else if (!sameJson(shown, r)) fail(`the revocation record of ${id} differs from governance.`, id);
  }
  for (const id of revokedShown.keys()) {
    if (!revokedNow.has(id)) fail(`revoked lists ${id}, which no governance step removed.`, id);
  }
  if (out.length === before && !sameJson(doc.revoked, [...ledger.revoked.values()])) {
    fail('revoked is not exactly the removals in governance order.');
  }

  if (doc.threshold.required !== ledger.required) {
    fail(
      `threshold.required is ${doc.threshold.required} but governance set ${ledger.required}: changed without a quorum.`,
    );
  }
  if (doc.threshold.total !== ledger.issuers.size) {
    fail(`threshold.total is ${doc.threshold.total} but governance leaves ${ledger.issuers.size} active issuers.`);
  }
  return out;
}

/**
 * Verifies a registry document against a pinned root key — the one verification function the CLI, the server
 * authority, consumers and the capability gateway all call. Each failure names its rule, step and issuer:
 *
 * 1. the root signature is valid for the pinned key (if not, nothing else is evaluated), the document and its
 *    genesis name that key, and the document is not expired at `now` (`REGISTRY_SIGNATURE_INVALID`,
 *    `REGISTRY_ROOT_MISMATCH`, `REGISTRY_EXPIRED`) nor, with `maxLifetimeSeconds`, valid for longer than that
 *    (`REGISTRY_LIFETIME_EXCEEDED`);
 * 2. `governance[]` is an unbroken hash chain from genesis, every step applies where it stands, and every step after
 *    genesis is co-signed by at least the `required` in force at that step, counted over distinct active issuers
 *    at that step — never the subject, revoked or unknown signers, one issuer twice, or one key under two ids
 *    (`REGISTRY_CHAIN_BROKEN`, `REGISTRY_STEP_INVALID`, `QUORUM_NOT_MET`);
 * 3. replaying `governance[]` gives exactly the document's `issuers`, `revoked` and `threshold`
 *    (`REGISTRY_REPLAY_MISMATCH`);
 * 4. with `lastSeen`: not a lower sequence, and the chain contains the step last seen (`REGISTRY_ROLLBACK`);
 * 5. `2 ≤ threshold.required ≤ total − 1` after every step, `total` the number of active issuers
 *    (`REGISTRY_THRESHOLD_INVALID`).
 *
 * Returns a report (`valid` only when there is no failure) with "signed by n/m" for every active issuer and step,
 * and `{sequence, chainHash}` to keep as the next `lastSeen`. Throws only for a malformed document
 * (`REGISTRY_INVALID`) or bad options (`INVALID_ARGUMENT`, key codes).
 *
 * @example
 * ```ts
 * const report = await verifyRegistry(doc, { rootKey: 'ed25519:…', now: new Date(), lastSeen });
 * if (!report.valid) for (const f of report.failures) console.error(`rule ${f.rule} step ${f.step}: ${f.message}`);
 * else lastSeen = { sequence: report.sequence, chainHash: report.chainHash! };
 * ```
 */
export async function verifyRegistry(
  doc: RegistryDocument,
  options: VerifyRegistryOptions,
): Promise<RegistryVerification> {
  if (typeof options !== 'object' || options === null || options.rootKey === undefined) {
    throw new VouchError('INVALID_ARGUMENT', 'verifyRegistry needs the pinned rootKey.');
  }
  const now = toMs(options.now ?? Date.now(), 'now');
  const rootKey = isPublicKey(options.rootKey) ? options.rootKey : parsePublicKey(options.rootKey, { type: 'Ed25519' });
  if (rootKey.type !== 'Ed25519') throw new VouchError('WRONG_CURVE', 'A registry root key is an Ed25519 key.');
  const lastSeen = checkLastSeen(options.lastSeen);
  const maxLifetime = checkMaxLifetime(options.maxLifetimeSeconds);
  const crypto = options.crypto ?? getDefaultCrypto();
  validateRegistryDocument(doc);

  const failures: RegistryFailure[] = [];
  const report = (extra: Partial<RegistryVerification> = {}): RegistryVerification => {
    failures.sort(ORDER);
    return {
      valid: failures.length === 0,
      registry: doc.registry,
      sequence: doc.sequence,
      checkedAt: new Date(now).toISOString(),
      expiresAt: doc.expiresAt,
      threshold: { ...doc.threshold },
      entries: [],
      steps: [],
      ...extra,
      failures,
    };
  };

  // Rule 1. An unsigned document is not worth replaying: stop here. Each step's RFC 8785 text serves twice, in the
  // document's signing bytes and for the step's hash.
  const stepTexts = doc.governance.map((step) => canonicalize(step));
  const signed = await crypto.verify(
    'EdDSA',
    rootKey,
    signatureBytes(doc.rootSignature),
    documentBytes(doc, stepTexts),
  );
  if (!signed) {
    failures.push({
      rule: 1,
      code: 'REGISTRY_SIGNATURE_INVALID',
      message: 'the root signature does not verify with the pinned root key.',
    });
    return report();
  }
  const rootText = formatPublicKey(rootKey, 'registry');
  if (doc.registry !== registryIdOf(rootKey)) {
    failures.push({
      rule: 1,
      code: 'REGISTRY_ROOT_MISMATCH',
      message: 'registry is not the id of the pinned root key.',
    });
  }
  const genesis = doc.governance[0]!;
  if (genesis.kind === 'genesis' && genesis.rootKey !== rootText) {
    failures.push({
      rule: 1,
      code: 'REGISTRY_ROOT_MISMATCH',
      step: 1,
      message: 'the genesis step names another root key.',
    });
  }
  if (now >= Date.parse(doc.expiresAt)) {
    failures.push({ rule: 1, code: 'REGISTRY_EXPIRED', message: `the document expired at ${doc.expiresAt}.` });
  }
  const tooLong = maxLifetime === undefined ? undefined : lifetime(doc, now, maxLifetime);
  if (tooLong) failures.push(tooLong);

  // Rules 2 (chain, applicability) and 5, by replay. Each step's co-signatures start verifying on the threadpool
  // as soon as the step is planned, while the replay goes on.
  const verifying: Promise<boolean[]>[] = [];
  const replayed = replay(
    doc.governance,
    (plan) => verifying.push(verifyPlan(plan, crypto)),
    stepTexts.map((text) => sha256HexSync(text)),
  );
  failures.push(...replayed.failures);
  const ledger = replayed.ledger;
  const chainHash = replayed.hashes.at(-1);

  // Rule 4.
  if (lastSeen) {
    const f = rollback(doc, replayed.hashes, lastSeen);
    if (f) failures.push(f);
  }
  if (ledger === undefined) {
    await Promise.all(verifying);
    return report();
  }
  if (Date.parse(ledger.lastAppliedAt) > Date.parse(doc.updatedAt)) {
    failures.push({
      rule: 2,
      code: 'REGISTRY_STEP_INVALID',
      step: ledger.sequence,
      message: 'a governance step is dated after the document was updated.',
    });
  }

  // Rule 3 while the signatures are being verified, and rule 5 on the document's own threshold.
  failures.push(...compareWithReplay(doc, ledger));
  const bounds = boundsProblem(doc.threshold.required, doc.threshold.total);
  if (bounds) failures.push({ rule: 5, code: bounds.code, message: `the document's ${bounds.message}` });

  // Rule 2: quorum per step.
  const valid = await Promise.all(verifying);
  const quorums = new Map<number, QuorumResult>();
  const steps: StepReport[] = [{ sequence: 1, kind: 'genesis', hash: replayed.hashes[0]! }];
  replayed.plans.forEach((plan, i) => {
    const q = countQuorum(plan.candidates, valid[i]!, plan.required);
    quorums.set(plan.sequence, q);
    steps.push({
      sequence: plan.sequence,
      kind: plan.kind,
      ...(plan.action !== undefined ? { action: plan.action } : {}),
      ...(plan.subject !== undefined ? { subject: plan.subject } : {}),
      hash: replayed.hashes[i + 1]!,
      quorum: q,
    });
    if (!q.met) {
      const ignored = q.ignored.map((x) => `${x.issuerId}: ${x.reason}`).join(', ');
      failures.push({
        rule: 2,
        code: 'QUORUM_NOT_MET',
        step: plan.sequence,
        ...(plan.subject !== undefined ? { issuerId: plan.subject } : {}),
        message: `${plan.action ?? plan.kind}${plan.subject ? ` ${plan.subject}` : ''} is ${q.text}${ignored ? ` (not counted: ${ignored})` : ''}.`,
      });
    }
  });

  const entries: EntryReport[] = [...ledger.issuers.keys()].sort().map((id) => {
    const step = ledger.origins.get(id)!;
    const q = quorums.get(step);
    if (q === undefined) {
      return { id, step, kind: 'genesis', signedBy: 0, required: 0, signers: [], text: 'genesis (root key)' };
    }
    const kind = steps[step - 1]!.kind;
    return { id, step, kind, signedBy: q.valid, required: q.required, signers: q.signers, text: q.text };
  });
  return report({ ...(chainHash !== undefined ? { chainHash } : {}), entries, steps });
}
