// `npm run bench`: imports every bench/*.bench.ts (each default-exports a BenchSuite), measures it and prints a
// table. Measures only; asserts nothing about time.
//
//   npm run bench                      all suites
//   npm run bench -- crypto            suites whose file or name contains "crypto"
//   BENCH_TIME_MS=500 npm run bench    shorter runs (per case; default 1500 ms + 300 ms warm-up)
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { environmentLine, formatResults, runSuite, type BenchSuite } from './lib/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const durationMs = Number(process.env.BENCH_TIME_MS ?? 1500);
const warmupMs = Math.min(300, durationMs / 5);

const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();

console.log(environmentLine());
console.log(`${durationMs} ms per case after ${warmupMs} ms warm-up\n`);

let ran = 0;
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default?: BenchSuite };
  const suite = mod.default;
  if (suite === undefined || typeof suite.setup !== 'function') {
    console.error(`${file}: no default-exported BenchSuite, skipped`);
    continue;
  }
  if (filters.length > 0 && !filters.some((s) => file.includes(s) || suite.name.includes(s))) continue;
  ran++;
  console.log(`## ${suite.name}${suite.description ? ` — ${suite.description}` : ''}`);
  const started = Date.now();
  const results = await runSuite(suite, { durationMs, warmupMs }, (r) =>
    process.stderr.write(`  measured ${r.case.group ? r.case.group + ' / ' : ''}${r.case.name}\n`),
  );
  console.log(formatResults(results));
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}
if (ran === 0) {
  console.error(filters.length > 0 ? `no bench suite matched ${filters.join(', ')}` : 'no bench suites found');
  process.exitCode = 1;
}
