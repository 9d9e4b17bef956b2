// A benchmark suite: named cases measured in one process run, printed as one table whose ratio column compares
// each case with the cases it names (e.g. "SDK verify" vs "raw node:crypto" and vs a seed library).
import { cpus, arch, loadavg, platform, release, totalmem } from 'node:os';
import { measure, median, medianBy, type Measurement, type MeasureOptions, type Operation } from './measure.ts';
import { formatNumber, formatRatio, formatTable, type Column } from './table.ts';

export interface BenchCase {
  /** Unique within its group; other cases refer to it in `compareTo`. */
  name: string;
  /** Rows with the same group are printed together, separated from other groups. */
  group?: string;
  /** The operation `measure` repeats. Give either `op` or `run`. */
  op?: Operation;
  /**
   * Measures the case itself instead (e.g. an HTTP load generator in another process) and reports the result in
   * the same units; receives the runner's timing options.
   */
  run?: (options: MeasureOptions) => Promise<Measurement>;
  /** Async operations kept in flight (default 1). */
  concurrency?: number;
  /** Names of cases (same group first, then any) to print this case's throughput ratio against (this / that). */
  compareTo?: string[];
  /** Per-case overrides of the runner's timing. */
  options?: MeasureOptions;
  /**
   * What the figure counts when it is not operations per second (e.g. `'MB'` for a server's RSS): the run's
   * `opsPerSec` then carries that value, and ratios compare it the same way (this / that).
   */
  unit?: string;
  /** A target from the issue, reported as met or not (never an error): this case's ratio against `vs` ≥ `min`. */
  target?: { vs: string; min: number };
  /**
   * Measure in this many rounds, interleaved with the neighbouring cases of the same group that set it too (a, b,
   * c, a, b, c, ...), each round half the case's duration; the figure is the median round. On a shared machine a
   * burst of other work then lands on one round of every case instead of on one whole case. A `run` case is given
   * the full warm-up before its first round only (later rounds get at most 100 ms: its server is already warm).
   */
  rounds?: number;
}

export interface BenchSuite {
  name: string;
  /** One line saying what is measured. */
  description?: string;
  /** Builds the cases (keys, fixtures); runs before any measurement. */
  setup(): Promise<BenchCase[]> | BenchCase[];
  /** Releases resources (servers, databases) after measuring. */
  teardown?(): Promise<void> | void;
}

export interface CaseResult {
  case: BenchCase;
  result: Measurement;
  /** Every round of an interleaved case, in the order measured (its `result` is the median one). */
  rounds?: Measurement[];
}

/** A suite's results, or why it could not be measured. */
export interface SuiteReport {
  name: string;
  description?: string;
  results: CaseResult[];
  seconds: number;
  /** Lines the suite printed for the report (e.g. "PostgreSQL skipped"). */
  notes: string[];
  error?: string;
}

/** Declares a suite (identity function that gives the object its type). */
export function defineSuite(suite: BenchSuite): BenchSuite {
  return suite;
}

/** Measures every case of a suite in order. */
export async function runSuite(
  suite: BenchSuite,
  defaults: MeasureOptions = {},
  onCase?: (r: CaseResult) => void,
): Promise<CaseResult[]> {
  const cases = await suite.setup();
  const results: CaseResult[] = [];
  const optionsOf = (c: BenchCase): MeasureOptions => ({ ...defaults, concurrency: c.concurrency, ...c.options });
  const interleaved = (c: BenchCase | undefined, group: string | undefined): boolean =>
    c !== undefined && (c.rounds ?? 1) > 1 && c.group === group;
  try {
    for (let i = 0; i < cases.length;) {
      const c = cases[i]!;
      if (c.run === undefined && c.op === undefined) throw new Error(`bench case ${c.name} has neither op nor run`);
      if (!interleaved(c, c.group)) {
        const result = c.run !== undefined ? await c.run(optionsOf(c)) : await measure(c.op!, optionsOf(c));
        const r = { case: c, result };
        results.push(r);
        onCase?.(r);
        i++;
        continue;
      }
      let j = i;
      while (interleaved(cases[j], c.group)) j++;
      for (const r of await measureInterleaved(cases.slice(i, j), optionsOf)) {
        results.push(r);
        onCase?.(r);
      }
      i = j;
    }
  } finally {
    await suite.teardown?.();
  }
  return results;
}

/** Measures `block` (cases with `rounds`) round by round, case after case, in alternating directions; each gets its median round. */
async function measureInterleaved(
  block: BenchCase[],
  optionsOf: (c: BenchCase) => MeasureOptions,
): Promise<CaseResult[]> {
  const rounds = Math.max(...block.map((c) => c.rounds ?? 1));
  const measured: Measurement[][] = block.map(() => []);
  for (let round = 0; round < rounds; round++) {
    // Every other round runs the cases in reverse order, so that no case always follows the same neighbour or
    // holds the same place (a server measured right after another's load can find core 0 busy with that process's
    // leftover work, and the first case of a round follows whatever ran before the block).
    for (let i = 0; i < block.length; i++) {
      const k = round % 2 === 0 ? i : block.length - 1 - i;
      const c = block[k]!;
      const options = optionsOf(c);
      const durationMs = (options.durationMs ?? 1500) / 2;
      // Warm up fully before a case's first round; later rounds only re-settle after the other cases ran.
      const warmupMs = round === 0 ? options.warmupMs : Math.min(100, options.warmupMs ?? 300);
      const o = { ...options, durationMs, warmupMs };
      measured[k]!.push(c.run !== undefined ? await c.run(o) : await measure(c.op!, o));
    }
  }
  return block.map((c, k) => ({
    case: c,
    result: medianBy(measured[k]!, (m) => m.opsPerSec),
    rounds: measured[k]!,
  }));
}

/**
 * The median of the round-by-round ratios of two interleaved cases (round k of one against round k of the other,
 * measured moments apart), or undefined unless both have the same rounds. A burst of other load on a shared machine
 * then moves one round's ratio, not the comparison of two medians taken at different times.
 */
function pairedRatio(
  rounds: Measurement[] | undefined,
  c: BenchCase,
  peer: CaseResult | undefined,
): number | undefined {
  if (rounds === undefined || peer?.rounds === undefined || rounds.length !== peer.rounds.length) return undefined;
  if (rounds.length < 2 || c.group !== peer.case.group) return undefined;
  return median(rounds.map((m, k) => m.opsPerSec / peer.rounds![k]!.opsPerSec));
}

/** One row of a results table: group, case, figure, unit, µs/op, in flight, ratios, target. */
export function resultRows(results: CaseResult[]): (string[] | null)[] {
  const find = (name: string, group: string | undefined): CaseResult | undefined =>
    results.find((r) => r.case.name === name && r.case.group === group) ?? results.find((r) => r.case.name === name);
  const ratioOf = (c: BenchCase, result: Measurement, name: string): number | undefined => {
    const other = find(name, c.group);
    return other ? result.opsPerSec / other.result.opsPerSec : undefined;
  };
  const rows: (string[] | null)[] = [];
  let group: string | undefined;
  for (const { case: c, result, rounds } of results) {
    if (rows.length > 0 && c.group !== group) rows.push(null);
    group = c.group;
    const ratios = (c.compareTo ?? [])
      .map((name) => {
        const r = ratioOf(c, result, name);
        return r === undefined ? `(no case ${name})` : `${formatRatio(r)} ${name}`;
      })
      .join(', ');
    let target = '';
    if (c.target !== undefined) {
      const r = ratioOf(c, result, c.target.vs);
      target = `≥ ${formatRatio(c.target.min)}: ${r === undefined ? 'no peer' : r >= c.target.min ? 'met' : 'not met'}`;
      // The verdict stays on the ratio of medians; the paired figure says how much of it noise could have moved.
      const paired = pairedRatio(rounds, c, find(c.target.vs, c.group));
      if (paired !== undefined) target += ` (round by round: ${formatRatio(paired)})`;
    }
    const unit = c.unit ?? 'ops/s';
    rows.push([
      c.group ?? '',
      c.name,
      formatNumber(result.opsPerSec),
      unit,
      c.unit === undefined ? formatNumber(result.meanLatencyUs) : '',
      c.unit !== undefined ? '' : result.async ? String(result.concurrency) : 'sync',
      ratios,
      target,
    ]);
  }
  return rows;
}

export const RESULT_COLUMNS: Column[] = [
  { header: 'group' },
  { header: 'case' },
  { header: 'figure', align: 'right' },
  { header: 'unit' },
  { header: 'µs/op', align: 'right' },
  { header: 'in flight', align: 'right' },
  { header: 'ratio (figure vs case)' },
  { header: 'target' },
];

/** Renders a suite's results as a plain-text table (see {@link resultRows}). */
export function formatResults(results: CaseResult[]): string {
  return formatTable(RESULT_COLUMNS, resultRows(results));
}

/** One line describing the machine, printed above results so numbers can be compared across runs. */
export function environmentLine(): string {
  const cpu = cpus();
  return (
    `node ${process.version} on ${platform()}/${arch()}, ${cpu.length} CPU (${cpu[0]?.model.trim() ?? 'unknown'}), ` +
    `UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`
  );
}

/** The machine as report header fields. */
export function machine(): Record<string, string> {
  const cpu = cpus();
  return {
    CPU: cpu[0]?.model.trim() ?? 'unknown',
    cores: String(cpu.length),
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    Node: process.version,
    OS: `${platform()} ${release()} ${arch()}`,
    UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '4 (default)',
    // Other work on the machine skews every figure: ratios within one run stay comparable, absolute rates do not.
    'load average (1/5/15 min)': loadavg()
      .map((l) => l.toFixed(2))
      .join(' / '),
  };
}
