// What this process has revoked, as two watermarks the verify cache compares against (verify-cache.ts). Process-wide
// on purpose: a revocation is noted before its transaction commits, by code that holds a transaction, not an app.
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/index.ts';

/** The highest revocation sequence number taken by a transaction that committed (or was not tracked). */
let seq = 0;
/**
 * Revoking transactions still open ({@link revocationTransaction}), each with the highest number it took (0: none
 * yet). A number counts while its transaction is open and, once it ended, only if it committed: a rolled-back one is
 * taken again by the next revocation, and waiting for it meanwhile made every verification read the revocation list.
 */
const open = new Map<object, number>();
let agentEpoch = 0;

/**
 * Called with every revocation sequence number this process takes (store.nextRevocationSeq), by the transaction
 * `trx` that took it. Outside {@link revocationTransaction} it counts for good, as if committed: never missed, at worst
 * waited for until the number is taken again.
 */
export function noteLocalRevocation(trx: object, value: number): void {
  const taken = open.get(trx);
  if (taken === undefined) {
    if (value > seq) seq = value;
  } else if (value > taken) open.set(trx, value);
}

/** The highest revocation sequence number taken in this process by a transaction still open or committed. */
export function localRevocationSeq(): number {
  // Every verification asks: no iterator when no revocation is open, as almost always.
  if (open.size === 0) return seq;
  let highest = seq;
  for (const taken of open.values()) if (taken > highest) highest = taken;
  return highest;
}

/**
 * Runs `body` in a transaction on `db`, as every transaction that takes revocation numbers should (revokeToken, and the
 * callers of revokeTokensOfAgent): the numbers it takes count while it is open and, once it ended, only if it
 * committed. A commit that failed may have committed: its numbers count.
 *
 * @example
 * await revocationTransaction(ctx.storage.db, (trx) => revokeTokensOfAgent(ctx, trx, did, { at, actor }));
 */
export async function revocationTransaction<T>(
  db: Kysely<Database>,
  body: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  let trx: object | undefined;
  let ran = false;
  try {
    return await db.transaction().execute(async (t) => {
      trx = t;
      open.set(t, 0);
      const result = await body(t);
      ran = true;
      return result;
    });
  } finally {
    if (trx !== undefined) {
      const taken = open.get(trx) ?? 0;
      open.delete(trx);
      if (ran && taken > seq) seq = taken;
    }
  }
}

/**
 * Called when an agent's tokens are revoked in this process (revokeTokensOfAgent, before its transaction commits) and
 * again once the transaction that revoked the agent has ended (agentRevocationEnded): an agent read in between, which
 * may not have seen the revocation, is not kept.
 */
export function noteAgentRevocation(): void {
  agentEpoch++;
}

/** Changes whenever an agent is revoked in this process. */
export function localAgentEpoch(): number {
  return agentEpoch;
}
