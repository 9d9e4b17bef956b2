// The SDK's property tests follow VOUCH_FUZZ_RUNS (see property-runs.ts): the runs asked for scale with it, a property
// that ran another number of cases fails, a child process told VOUCH_FUZZ_RUNS=7 runs exactly 7 × factor cases, and no
// SDK test calls fc.assert with a count of its own (only fuzz-parsers.test.ts, which counts its runs the same way).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parseFuzzRuns } from '../../server/test/fuzz/runs.ts';
import { assertProperty, assertPropertyRan, propertyRuns } from './property-runs.ts';

test('a property runs VOUCH_FUZZ_RUNS × its factor cases, and fails on any other count', () => {
  const runs = parseFuzzRuns(process.env.VOUCH_FUZZ_RUNS);
  assert.equal(propertyRuns(1), runs);
  assert.equal(propertyRuns(30), runs * 30);
  assertPropertyRan('p', runs * 3, 3);
  assert.throws(() => assertPropertyRan('p', runs * 3 - 1, 3), /ran \d+ cases where VOUCH_FUZZ_RUNS=\d+ × 3 asks for/);
  assert.throws(() => assertPropertyRan('p', runs * 3 + 1, 3), /ran \d+ cases where VOUCH_FUZZ_RUNS=\d+ × 3 asks for/);
  // Cases skipped by fc.pre are not counted: the property still runs as many to the end as asked.
  let ends = 0;
  const ran = assertProperty('counts', 2, [fc.nat()], (n) => {
    fc.pre(n % 2 === 0);
    ends++;
  });
  assert.equal(ran, runs * 2);
  assert.equal(ends, runs * 2);
});

test('a child process told VOUCH_FUZZ_RUNS=7 runs 7 × factor cases, and names the seed in a failure', () => {
  const helper = new URL('./property-runs.ts', import.meta.url).href;
  const script = [
    `import fc from 'fast-check';`,
    `import { assertProperty } from ${JSON.stringify(helper)};`,
    `let calls = 0;`,
    `const ran = assertProperty('child', 3, [fc.nat()], () => { calls++; });`,
    `console.log(JSON.stringify({ ran, calls }));`,
    `try { assertProperty('child fails', 1, [fc.nat()], (n) => n < 0); }`,
    `catch (e) { console.log(e.message.split('\\n')[0]); }`,
  ].join('\n');
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    env: { ...process.env, VOUCH_FUZZ_RUNS: '7', VOUCH_FUZZ_SEED: '42' },
    encoding: 'utf8',
  });
  assert.equal(child.status, 0, child.stderr);
  const [counts, failure] = child.stdout.trim().split('\n');
  assert.deepEqual(JSON.parse(counts!), { ran: 21, calls: 21 });
  assert.equal(failure, 'replay with VOUCH_FUZZ_SEED=42 VOUCH_FUZZ_RUNS=7');
});

test('no SDK test runs fast-check with a count of its own', () => {
  const dir = fileURLToPath(new URL('.', import.meta.url));
  const own = ['property-runs.ts', 'fuzz-parsers.test.ts'];
  const offenders = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !own.includes(f))
    .filter((f) => /\bfc\.assert\(|\bnumRuns\b/.test(readFileSync(`${dir}/${f}`, 'utf8')));
  assert.deepEqual(offenders, []);
});
