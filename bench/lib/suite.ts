// A benchmark suite: named cases measured in one process run, printed as one table whose ratio column compares
// each case with the cases it names (e.g. "SDK verify" vs "raw node:crypto" and vs a seed library).
import { cpus, arch, platform } from 'node:os';
import { measure, type Measurement, type MeasureOptions, type Operation } from './measure.ts';
import { formatNumber, formatRatio, formatTable } from './table.ts';

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
  try {
    for (const c of cases) {
      const options = { ...defaults, concurrency: c.concurrency, ...c.options };
      if (c.run === undefined && c.op === undefined) throw new Error(`bench case ${c.name} has neither op nor run`);
      const result = c.run !== undefined ? await c.run(options) : await measure(c.op!, options);
      const r = { case: c, result };
      results.push(r);
      onCase?.(r);
    }
  } finally {
    await suite.teardown?.();
  }
  return results;
}

/** Renders a suite's results: case, ops/s, mean latency, in flight, ratios. */
export function formatResults(results: CaseResult[]): string {
  const find = (name: string, group: string | undefined): CaseResult | undefined =>
    results.find((r) => r.case.name === name && r.case.group === group) ?? results.find((r) => r.case.name === name);
  const rows: (string[] | null)[] = [];
  let group: string | undefined;
  for (const { case: c, result } of results) {
    if (rows.length > 0 && c.group !== group) rows.push(null);
    group = c.group;
    const ratios = (c.compareTo ?? [])
      .map((name) => {
        const other = find(name, c.group);
        return other ? `${formatRatio(result.opsPerSec / other.result.opsPerSec)} ${name}` : `(no case ${name})`;
      })
      .join(', ');
    rows.push([
      c.group ?? '',
      c.name,
      formatNumber(result.opsPerSec),
      formatNumber(result.meanLatencyUs),
      result.async ? String(result.concurrency) : 'sync',
      ratios,
    ]);
  }
  return formatTable(
    [
      { header: 'group' },
      { header: 'case' },
      { header: 'ops/s', align: 'right' },
      { header: 'µs/op', align: 'right' },
      { header: 'in flight', align: 'right' },
      { header: 'ratio (ops/s vs case)' },
    ],
    rows,
  );
}

/** One line describing the machine, printed above results so numbers can be compared across runs. */
export function environmentLine(): string {
  const cpu = cpus();
  return (
    `node ${process.version} on ${platform()}/${arch()}, ${cpu.length} CPU (${cpu[0]?.model.trim() ?? 'unknown'}), ` +
    `UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`
  );
}
