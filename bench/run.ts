// `npm run bench`: imports every bench/*.bench.ts (each default-exports a BenchSuite), measures it, prints a table
// per suite and writes the whole report to bench/results.md. Measures only; asserts nothing about time, and a
// suite that fails is reported as not measured while the others run (benchmarks never fail the build).
//
//   npm run bench                      all suites; writes bench/results.md
//   npm run bench -- crypto            suites whose file or name contains "crypto"; prints only
//   BENCH_TIME_MS=500 npm run bench    shorter runs (per case; default 1500 ms + 300 ms warm-up)
//   BENCH_RESULTS=out.md               where to write the report (also for filtered runs)
import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  environmentLine,
  formatResults,
  machine,
  markdownReport,
  pinned,
  runSuite,
  type BenchSuite,
  type SuiteReport,
} from './lib/index.ts';
import { collectingNotes } from './lib/report.ts';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const durationMs = Number(process.env.BENCH_TIME_MS ?? 1500);
const warmupMs = Math.min(300, durationMs / 5);
const startedAt = new Date();
const machineAtStart = machine();

const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();

console.log(environmentLine());
console.log(`${durationMs} ms per case after ${warmupMs} ms warm-up\n`);

const reports: SuiteReport[] = [];
for (const file of files) {
  let suite: BenchSuite | undefined;
  try {
    suite = ((await import(pathToFileURL(join(here, file)).href)) as { default?: BenchSuite }).default;
  } catch (err) {
    if (filters.length > 0 && !filters.some((s) => file.includes(s))) continue;
    console.error(`${file}: does not load: ${(err as Error).message}`);
    reports.push({ name: file, results: [], seconds: 0, notes: [], error: `does not load: ${(err as Error).message}` });
    continue;
  }
  if (suite === undefined || typeof suite.setup !== 'function') {
    console.error(`${file}: no default-exported BenchSuite, skipped`);
    continue;
  }
  if (filters.length > 0 && !filters.some((s) => file.includes(s) || suite.name.includes(s))) continue;
  console.log(`## ${suite.name}${suite.description ? ` — ${suite.description}` : ''}`);
  const started = Date.now();
  const report: SuiteReport = { name: suite.name, description: suite.description, results: [], seconds: 0, notes: [] };
  try {
    const { notes } = await collectingNotes(async () => {
      report.results = await runSuite(suite, { durationMs, warmupMs }, (r) => {
        report.results.push(r);
        process.stderr.write(`  measured ${r.case.group ? r.case.group + ' / ' : ''}${r.case.name}\n`);
      });
    });
    report.notes = notes;
  } catch (err) {
    report.error = (err as Error).stack?.split('\n').slice(0, 3).join(' ') ?? String(err);
    console.error(`${suite.name}: failed: ${report.error}`);
  }
  report.seconds = (Date.now() - started) / 1000;
  reports.push(report);
  if (report.results.length > 0) console.log(formatResults(report.results));
  console.log(`(${report.seconds.toFixed(1)} s)\n`);
}

if (reports.length === 0) {
  console.error(filters.length > 0 ? `no bench suite matched ${filters.join(', ')}` : 'no bench suites found');
  process.exitCode = 1;
} else {
  const target = process.env.BENCH_RESULTS ?? (filters.length === 0 ? join(here, 'results.md') : undefined);
  if (target !== undefined) {
    const markdown = markdownReport(reports, {
      command: `npm run bench${filters.length > 0 ? ` -- ${filters.join(' ')}` : ''}`,
      durationMs,
      warmupMs,
      pinning: pinned(0).length > 0 ? 'server on core 0, load generator on core 1 (taskset)' : 'unpinned (one core)',
      startedAt,
      machineAtStart,
      seconds: (Date.now() - startedAt.getTime()) / 1000,
    });
    await writeFile(target, markdown);
    console.log(`report written to ${target}`);
  }
}
