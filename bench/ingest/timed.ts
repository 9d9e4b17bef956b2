// The ingestion bench's timing loop, shared by its child processes: sequential operations for a fixed time.
import { performance } from 'node:perf_hooks';
import type { Measurement } from '../lib/index.ts';

/** Repeats `op` for `durationMs` after `warmupMs` of warm-up; each op moves `perOp` events (or 1 request). */
export async function timed(
  durationMs: number,
  warmupMs: number,
  perOp: number,
  op: () => Promise<void>,
): Promise<Measurement & { cpuUsPerOp: number; warmupOps: number }> {
  const warmEnd = performance.now() + warmupMs;
  let warmupOps = 0;
  while (performance.now() < warmEnd) {
    await op();
    warmupOps++;
  }
  let ops = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  do {
    await op();
    ops++;
  } while (performance.now() - start < durationMs);
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    /** This process's CPU time per operation (user + system), which other load on the machine skews less. */
    cpuUsPerOp: (used.user + used.system) / ops,
    warmupOps,
    ops: ops * perOp,
    seconds,
    opsPerSec: (ops * perOp) / seconds,
    meanLatencyUs: (seconds * 1e6) / ops,
    async: true,
    concurrency: 1,
  };
}
