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
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...selected],
  { stdio: 'inherit', env: { ...process.env, VOUCH_LOG_LEVEL: process.env.VOUCH_LOG_LEVEL ?? 'silent' } },
);
process.exit(res.status ?? 1);
