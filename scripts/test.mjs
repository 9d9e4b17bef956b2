#!/usr/bin/env node
// Runs every packages/*/test/**/*.test.ts file with Node's test runner through tsx.
// Node 20's `--test` takes no globs, so the files are listed here.
// Usage: node scripts/test.mjs [substring filter ...]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = [];
for (const pkg of readdirSync('packages')) {
  try {
    walk(join('packages', pkg, 'test'), files);
  } catch {
    // a package without tests
  }
}
const selected = files.sort().filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
if (!process.env.VOUCH_TEST_DATABASE_URL) {
  console.log('note: VOUCH_TEST_DATABASE_URL is not set; PostgreSQL test cases will be skipped (each says why).');
}
// Node 20's --test-timeout bounds each test file's process as a whole, so a file that hangs (a synchronous loop no
// per-test timeout can stop) fails with its name instead of running CI out of time. The slowest file (the route
// fuzzer, both engines) takes minutes at the default VOUCH_FUZZ_RUNS of 100; more runs scale the bound.
const fuzzRuns = Number(process.env.VOUCH_FUZZ_RUNS ?? 100);
const scale = Number.isFinite(fuzzRuns) && fuzzRuns > 100 ? fuzzRuns / 100 : 1;
const fileTimeoutMs = Number(process.env.VOUCH_TEST_FILE_TIMEOUT_MS ?? Math.ceil(30 * 60_000 * scale));
if (!Number.isSafeInteger(fileTimeoutMs) || fileTimeoutMs < 0) {
  console.error('VOUCH_TEST_FILE_TIMEOUT_MS must be a whole number of milliseconds (0: no bound)');
  process.exit(1);
}
const timeout = fileTimeoutMs === 0 ? [] : [`--test-timeout=${fileTimeoutMs}`];
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...timeout, ...selected],
  { stdio: 'inherit', env: { ...process.env, VOUCH_LOG_LEVEL: process.env.VOUCH_LOG_LEVEL ?? 'silent' } },
);
process.exit(res.status ?? 1);
