// Runs one operation for a fixed time (or a fixed count) and reports its throughput. Async operations can be kept
// many-in-flight (`concurrency`), which is how work offloaded to libuv's threadpool or to WebCrypto is measured.
import { performance } from 'node:perf_hooks';

export interface MeasureOptions {
  /** Measured time per case in ms (default 1500). Ignored when `iterations` is set. */
  durationMs?: number;
  /** Unmeasured warm-up time in ms before measuring (default 300). */
  warmupMs?: number;
  /** Run exactly this many operations instead of running for `durationMs`. */
  iterations?: number;
  /** Async operations kept in flight at once (default 1). Sync operations always run one at a time. */
  concurrency?: number;
}

export interface Measurement {
  /** Operations completed while measuring. */
  ops: number;
  /** Wall-clock seconds spent measuring. */
  seconds: number;
  opsPerSec: number;
  /** Mean wall-clock latency of one operation as its caller sees it, in microseconds. */
  meanLatencyUs: number;
  /** Whether the operation returned a promise. */
  async: boolean;
  concurrency: number;
}

export type Operation = () => unknown;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

// Sync ops are timed in small batches so that reading the clock does not dominate sub-microsecond operations.
const SYNC_BATCH = 16;

async function runSync(op: Operation, stop: (ops: number) => boolean): Promise<number> {
  let ops = 0;
  do {
    for (let i = 0; i < SYNC_BATCH; i++) op();
    ops += SYNC_BATCH;
  } while (!stop(ops));
  return ops;
}

async function runAsync(op: Operation, stop: (ops: number) => boolean, concurrency: number): Promise<number> {
  let started = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (!stop(started)) {
      started++;
      await op();
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done;
}

async function run(
  op: Operation,
  isAsync: boolean,
  concurrency: number,
  stop: (ops: number) => boolean,
): Promise<number> {
  return isAsync ? runAsync(op, stop, concurrency) : runSync(op, stop);
}

/**
 * Measures `op`. The first call decides whether it is treated as sync or async.
 *
 * @example
 * ```ts
 * const m = await measure(() => provider.verify('EdDSA', key, sig, msg), { concurrency: 64 });
 * console.log(m.opsPerSec);
 * ```
 */
export async function measure(op: Operation, options: MeasureOptions = {}): Promise<Measurement> {
  const { durationMs = 1500, warmupMs = 300, iterations } = options;
  const first = op();
  const isAsync = isThenable(first);
  if (isAsync) await first;
  const concurrency = isAsync ? Math.max(1, options.concurrency ?? 1) : 1;

  if (warmupMs > 0) {
    const warmEnd = performance.now() + warmupMs;
    await run(op, isAsync, concurrency, () => performance.now() >= warmEnd);
  }

  const start = performance.now();
  const end = start + durationMs;
  const stop =
    iterations === undefined ? (): boolean => performance.now() >= end : (n: number): boolean => n >= iterations;
  const ops = await run(op, isAsync, concurrency, stop);
  const seconds = (performance.now() - start) / 1000;
  return {
    ops,
    seconds,
    opsPerSec: ops / seconds,
    meanLatencyUs: ((seconds * 1e6) / ops) * concurrency,
    async: isAsync,
    concurrency,
  };
}

/** The middle of `xs` ordered by `key` (the upper middle of an even count): the one median every bench row takes. */
export function medianBy<T>(xs: readonly T[], key: (x: T) => number): T {
  return [...xs].sort((a, b) => key(a) - key(b))[Math.floor(xs.length / 2)]!;
}

/** {@link medianBy} of plain numbers. */
export function median(xs: readonly number[]): number {
  return medianBy(xs, (x) => x);
}
