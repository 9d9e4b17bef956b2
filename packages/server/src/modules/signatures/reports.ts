// identity.app's reports (`POST /api/v1/agents/report`): signed reports by registered agents and anonymous ones,
// with the anti-abuse rules of issue 6 and docs/reputation.md ("Report penalties"): one report per reporter and
// target a day, one penalty per reporter and target in force, a shared cap for reporters of limited standing, and
// revocation taking a reporter's reports back. The penalty a report carries is handed to the reputation module in the
// transaction that stores the report; penalties expire after the reputation module's PENALTY_LIFETIME_MS.
import { createHmac, randomUUID } from 'node:crypto';
import { reportStatement } from '@vouch/sdk';
import type { Kysely, Transaction } from 'kysely';
import type { AppContext } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import type { Database } from '../../storage/index.ts';
import { assertAgentActive, findAgent, holdSigner, resolveAgent, verifyAgentSignature } from '../agents/service.ts';
import type { Agent } from '../agents/service.ts';
import { applyReportPenalty, PENALTY_LIFETIME_MS, withdrawReportPenalties } from '../reputation/service.ts';
import { assertWithinWindow, canonicalSignature, findSignature } from './service.ts';
import * as store from './store.ts';
import type { ReportRow } from './store.ts';

/**
 * How long a report lock row is kept after a report last took it. It only serializes the reports of one target or
 * address while one is filed, so once no transaction that took it can still be running it no longer matters; a day
 * keeps the rows of targets reported often (no insert and delete each time) and is far beyond any transaction and
 * any clock skew between processes.
 */
export const REPORT_LOCK_KEPT_MS = 86_400_000;

/**
 * Housekeeping, safe to run in every process at any time: deletes the report lock rows no report took for
 * {@link REPORT_LOCK_KEPT_MS}. Without it `report_locks` grew by a row per target and anonymous address ever reported.
 *
 * @example
 * setInterval(() => void pruneReportLocks(ctx), 60_000).unref();
 */
export function pruneReportLocks(ctx: AppContext): Promise<number> {
  const { storage, clock } = ctx;
  return store.pruneReportLocks(storage.db, storage.engine, clock.now() - REPORT_LOCK_KEPT_MS);
}

export const REPORT_REASONS = ['spam', 'impersonation', 'malicious', 'other'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

/** The seed's weights: a signed report costs the target 5 points, an anonymous one 2. */
export const SIGNED_REPORT_PENALTY = 5;
export const ANONYMOUS_REPORT_PENALTY = 2;
/** At most this much penalty per target in any 24 hours; reports beyond it are stored with what was left (0..). */
export const REPORT_PENALTY_CAP = 20;
/**
 * Reports of limited standing (anonymous ones, and signed ones by agents without an owner or registered less than
 * {@link ESTABLISHED_REPORTER_AGE_MS} before) hold at most this much penalty in force on one target, together: an
 * unlimited supply of addresses or proof-of-work agents costs a target 10 points at most.
 */
export const LIMITED_STANDING_PENALTY_CAP = 10;
/** A signed report's reporter is established when it has an owner and was registered at least this long before. */
export const ESTABLISHED_REPORTER_AGE_MS = 7 * 86_400_000;
/** Anonymous reports per client address key in any hour. */
export const ANONYMOUS_REPORTS_PER_HOUR = 5;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface ReportInput {
  did: string;
  reason: ReportReason;
  signatureHash?: string;
  details?: string;
  reporterDid?: string;
  signature?: string;
  signedAt?: number;
}

/** What the route answers: the stored report (or, for a repeat within 24 h, the one that counted). */
export interface ReportReceipt {
  reportId: string;
  did: string;
  reason: ReportReason;
  type: 'signed' | 'anonymous';
  /** The reporter's DID for a signed report; null for an anonymous one. */
  reporterDid: string | null;
  /** The penalty this report applied after the caps (0 to 5). */
  penalty: number;
  /** True when the same reporter already reported this target within 24 h, for any reason: nothing was stored. */
  duplicate: boolean;
  createdAt: number;
}

/**
 * A keyed digest of the client address key, so the anonymous limits work without storing addresses. Keyed with the
 * KEK (every process shares it) so the digest of an IPv4 address cannot be reversed by trying all 2^32 of them.
 * Still `v1`: IPv4 keys are the addresses digested before the change to /64 keys for IPv6.
 */
function addressDigest(ctx: AppContext, addressKey: string): string {
  return createHmac('sha256', ctx.kek).update(`vouch-report-address-v1:${addressKey}`).digest('hex');
}

/**
 * Checks the reporter of a signed report; throws 404, 403 `AGENT_REVOKED`, 400 `REPORT_SELF`, `SIGNED_AT_...`,
 * `SIGNATURE_INVALID`. Past the signature window, the reporter's verified statement that already filed a report is
 * that report (`filed`), answered as a repeat however late (docs/PROTOCOL.md, "Reports").
 */
async function checkedReporter(
  ctx: AppContext,
  target: Agent,
  input: ReportInput & { reporterDid: string; signature: string; signedAt: number },
): Promise<{ reporter: Agent; filed?: ReportRow }> {
  const reporter = await findAgent(ctx, input.reporterDid);
  if (reporter === undefined) throw new ApiError('NOT_FOUND', 'No agent has the reporterDid.');
  assertAgentActive(reporter);
  if (reporter.id === target.id) throw new ApiError('REPORT_SELF', 'An agent cannot report itself.');
  try {
    assertWithinWindow(ctx, input.signedAt);
  } catch (late) {
    const filed = await store.findSignedReport(ctx.storage.db, reporter.id, target.id, input.reason, input.signedAt);
    if (filed === undefined || !(await verifiedStatement(reporter, target, input).catch(() => false))) throw late;
    return { reporter, filed };
  }
  if (!(await verifiedStatement(reporter, target, input))) {
    throw new ApiError(
      'SIGNATURE_INVALID',
      'signature does not verify over "report:<targetDid>:<reason>:<signedAt>" with the reporter\'s key.',
    );
  }
  return { reporter };
}

/** Whether `signature` is the reporter's over `report:<targetDid>:<reason>:<signedAt>`; 409 for a keyless reporter. */
async function verifiedStatement(
  reporter: Agent,
  target: Agent,
  input: { reason: ReportReason; signature: string; signedAt: number },
): Promise<boolean> {
  const signature = canonicalSignature(input.signature);
  return (
    signature !== undefined &&
    (await verifyAgentSignature(reporter, reportStatement(target.did, input.reason, input.signedAt), signature))
  );
}

function receipt(row: ReportRow, target: Agent, reporter: Agent | undefined, duplicate: boolean): ReportReceipt {
  return {
    reportId: row.id,
    did: target.did,
    reason: row.reason,
    type: row.kind,
    reporterDid: reporter?.did ?? null,
    penalty: duplicate ? 0 : Number(row.penalty),
    duplicate,
    createdAt: Number(row.created_at),
  };
}

/** Whose report this is, for the caps: `established` only for a signed report by an owned agent a week old. */
function standingOf(reporter: Agent | undefined, now: number): 'established' | 'limited' {
  return reporter !== undefined && reporter.ownerId !== null && now - reporter.createdAt >= ESTABLISHED_REPORTER_AGE_MS
    ? 'established'
    : 'limited';
}

/**
 * Files a report. With all of `reporterDid`, `signature` and `signedAt` it is a signed report (penalty 5) whose
 * signature must verify (else 400, never downgraded); otherwise anonymous (penalty 2), reported from
 * `addressKey` (`clientAddressKey`: an IPv6 client is its /64). Rules, each over a sliding window ending now
 * (docs/PROTOCOL.md, "Reports"):
 * 1. one reporter (agent, or address key for anonymous reports) and one target: one report per 24 h, whatever
 *    the reason; a repeat stores nothing and answers the report that counted, with `duplicate: true`;
 * 2. at most 5 anonymous reports per address key per hour (429 `RATE_LIMITED` with Retry-After);
 * 3. the report is stored with its nominal penalty cut down to what the caps leave, counting only reports not
 *    withdrawn: 0 while an earlier penalty of this reporter on this target is in force (PENALTY_LIFETIME_MS); at
 *    most 20 points per target per 24 h; at most 10 points in force per target from reports of limited standing.
 * The rules are read and the report written in one transaction that holds the reporter unrevoked and first locks
 * the target (and the address), so concurrent reports in any number of processes cannot both slip under a limit,
 * and a revocation either sees the report (and withdraws it) or comes first (and the report is refused).
 *
 * @example
 * const { receipt, created } = await fileReport(ctx, body, clientAddressKey(req.ip));
 */
export async function fileReport(
  ctx: AppContext,
  input: ReportInput,
  addressKey: string,
): Promise<{ receipt: ReportReceipt; created: boolean }> {
  const target = await resolveAgent(ctx, input.did);
  const { reporterDid, signature, signedAt } = input;
  const signed = reporterDid !== undefined && signature !== undefined && signedAt !== undefined;
  const checked = signed
    ? await checkedReporter(ctx, target, { ...input, reporterDid, signature, signedAt })
    : undefined;
  const reporter = checked?.reporter;
  if (input.signatureHash !== undefined) {
    const sig = await findSignature(ctx, input.signatureHash);
    if (sig === undefined) throw new ApiError('NOT_FOUND', 'No signature has this signatureHash.');
    if (sig.agentId !== target.id) {
      throw new ApiError('VALIDATION_FAILED', 'body.signatureHash names a signature by another agent than body.did.', {
        field: 'body.signatureHash',
      });
    }
  }
  if (checked?.filed !== undefined) return { receipt: receipt(checked.filed, target, reporter, true), created: false };
  const address = reporter === undefined ? addressDigest(ctx, addressKey) : null;
  const now = ctx.clock.now();
  const standing = standingOf(reporter, now);
  return ctx.storage.db.transaction().execute(async (trx) => {
    // The reporter's signature was checked outside this transaction, with the key it had then.
    if (reporter !== undefined) await holdSigner(ctx, trx, reporter);
    await store.lockReportKey(trx, `target:${target.id}`, now);
    if (address !== null) await store.lockReportKey(trx, `address:${address}`, now);

    const by: store.ReporterKey =
      reporter === undefined ? { reporterAddress: address! } : { reporterAgentId: reporter.id };
    // The same signed statement again (a replay, or a retry once the 24 h below have passed): the report it filed.
    const filed =
      reporter === undefined
        ? undefined
        : await store.findSignedReport(trx, reporter.id, target.id, input.reason, signedAt!);
    if (filed !== undefined) return { receipt: receipt(filed, target, reporter, true), created: false };
    const earlier = await store.findRecentReport(trx, by, target.id, now - DAY_MS);
    if (earlier !== undefined) return { receipt: receipt(earlier, target, reporter, true), created: false };

    if (address !== null) {
      const recent = await store.anonymousReportsSince(trx, address, now - HOUR_MS);
      if (recent.count >= ANONYMOUS_REPORTS_PER_HOUR) {
        const retry = Math.max(1, Math.ceil(((recent.oldest ?? now) + HOUR_MS - now) / 1000));
        throw new ApiError(
          'RATE_LIMITED',
          `At most ${ANONYMOUS_REPORTS_PER_HOUR} anonymous reports per hour from one address; retry after Retry-After.`,
          { headers: { 'retry-after': String(retry) } },
        );
      }
    }

    const nominal = reporter === undefined ? ANONYMOUS_REPORT_PENALTY : SIGNED_REPORT_PENALTY;
    const inForce = await store.penaltiesInForce(trx, target.id, by, now - PENALTY_LIFETIME_MS, now - DAY_MS);
    let room = inForce.reporter > 0 ? 0 : REPORT_PENALTY_CAP - inForce.day;
    if (standing === 'limited') room = Math.min(room, LIMITED_STANDING_PENALTY_CAP - inForce.limited);
    const penalty = Math.max(0, Math.min(nominal, room));
    const row: ReportRow = {
      id: randomUUID(),
      target_agent_id: target.id,
      reason: input.reason,
      kind: reporter === undefined ? 'anonymous' : 'signed',
      reporter_agent_id: reporter?.id ?? null,
      reporter_address: address,
      signature_hash: input.signatureHash ?? null,
      details: input.details ?? null,
      signed_at: reporter === undefined ? null : signedAt!,
      nominal_penalty: nominal,
      penalty,
      created_at: now,
      standing,
      withdrawn_at: null,
    };
    await store.insertReport(trx, row);
    await applyReportPenalty(trx, target.id, penalty, now, reporter?.id ?? null);
    return { receipt: receipt(row, target, reporter, false), created: true };
  });
}

/**
 * Inside an agent's revocation transaction: withdraws every report the agent filed. Their penalties stop counting at
 * once (the targets' scores are restored), they no longer fill any cap, and the rebuild replays the withdrawal.
 *
 * @example
 * await db.transaction().execute(async (trx) => {
 *   // ... revoke the agent ...
 *   await withdrawReportsOf(ctx, trx, agent.id, now);
 * });
 */
export async function withdrawReportsOf(
  ctx: AppContext,
  trx: Kysely<Database> | Transaction<Database>,
  agentId: string,
  at: number,
): Promise<void> {
  await store.withdrawReportsBy(trx, agentId, at);
  await withdrawReportPenalties(ctx, trx, agentId, at);
}
