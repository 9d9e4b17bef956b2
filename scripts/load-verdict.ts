// What `npm run load` (scripts/load.ts) counts as a failed request. A 2xx answer is not always a success: an
// intercept answers 200 {decision: "deny"}, an ingest 200 with per-event errors; those count as refused.

/** The workloads whose 2xx answers carry a verdict of their own. */
export type Check = 'verify' | 'intercept' | 'ingest';

/** Whether a 2xx answer's body refuses the request (an unparseable body refuses it too). */
export function refused(check: Check, body: string): boolean {
  let answer: Record<string, unknown>;
  try {
    answer = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return true;
  }
  if (check === 'verify') return answer.valid !== true;
  if (check === 'intercept') return answer.decision !== 'allow';
  const results = answer.results;
  return (
    answer.success !== true ||
    !Array.isArray(results) ||
    results.some((r: { error?: unknown; code?: unknown }) => r.error !== undefined || r.code !== undefined)
  );
}

/**
 * Failed requests of one workload: non-2xx answers, socket errors and refused 2xx answers. autocannon counts a
 * timeout in both `errors` and `timeouts`, so `timeouts` is not added again.
 */
export function failures(r: { non2xx: number; errors: number; timeouts: number; refused: number }): number {
  return r.non2xx + r.errors + r.refused;
}
