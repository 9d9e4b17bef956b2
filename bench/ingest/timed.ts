// The ingestion bench's timing loop, shared by its child processes: sequential operations for a fixed time.
import { performance } from 'node:perf_hooks';
import type { Measurement } from '../lib/index.ts';

/** Repeats `op` for `durationMs` after `warmupMs` of warm-up; each op moves `perOp` events (or 1 request). */
export async function timed(
  durationMs: number,
  warmupMs: number,
  perOp: number,
  op: () => Promise<void>,
): Promise<Measurement> {
  const warmEnd = performance.now() + warmupMs;
  while (performance.now() < warmEnd) await op();
  let ops = 0;
  const start = performance.now();
  do {
    await op();
    ops++;
  } while (performance.now() - start < durationMs);
  const seconds = (performance.now() - start) / 1000;
  return {
    ops: ops * perOp,
    seconds,
    opsPerSec: (ops * perOp) / seconds,
    meanLatencyUs: (seconds * 1e6) / ops,
    async: true,
    concurrency: 1,
  };
}
