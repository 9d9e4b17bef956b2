// The ingestion bench's timing loop, shared by its child processes: operations for a fixed time, one at a time or
// `inFlight` at once (each of `inFlight` loops starts its next operation when its last one is answered).
import { performance } from 'node:perf_hooks';
import type { Measurement } from '../lib/index.ts';

/** Repeats `op` for `durationMs` after `warmupMs` of warm-up; each op moves `perOp` events (or 1 request). */
export async function timed(
  durationMs: number,
  warmupMs: number,
  perOp: number,
  op: () => Promise<void>,
  inFlight = 1,
): Promise<Measurement & { cpuUsPerOp: number; warmupOps: number }> {
  const loops = async (until: () => boolean): Promise<number> => {
    let n = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        do {
          await op();
          n++;
        } while (!until());
      }),
    );
    return n;
  };
  const warmEnd = performance.now() + warmupMs;
  const warmupOps = await loops(() => performance.now() >= warmEnd);
  const cpu = process.cpuUsage();
  const start = performance.now();
  const ops = await loops(() => performance.now() - start >= durationMs);
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    /** This process's CPU time per operation (user + system), which other load on the machine skews less. */
    cpuUsPerOp: (used.user + used.system) / ops,
    warmupOps,
    ops: ops * perOp,
    seconds,
    opsPerSec: (ops * perOp) / seconds,
    meanLatencyUs: (seconds * 1e6 * inFlight) / ops,
    async: true,
    concurrency: inFlight,
  };
}
