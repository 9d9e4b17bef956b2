// `vouch registry verify --at` and `verify-credential --at` say "an ISO-8601 time" (or epoch milliseconds), but took
// whatever Date.parse makes of a string: `--at -1` and `--at "Dec 5"` verified as of 2001, `--at 2027-02-30` as of
// 2 March, and an epoch beyond Date's range ended with "now must be a valid time", naming no option. A verification
// as of a time the caller did not ask for can answer VALID. These are now usage errors (exit 2) naming --at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { draftRegistry, json, ok, run, tempDir } from './helpers.ts';

test('--at takes an ISO-8601 time or epoch milliseconds, and nothing else', async (t) => {
  const base = await tempDir(t, 'vouch-at-strict-');
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  const cred = join(base, 'a.cred');
  await ok(
    0,
    'registry',
    'credential',
    '--key',
    key('acme'),
    '--as',
    'acme',
    '--agent',
    'agent:a',
    '--dir',
    reg,
    '--output',
    cred,
  );
  const { updatedAt } = await json<{ updatedAt: string }>(join(reg, 'registry.json'));
  const at = (value: string) => [
    ['registry', 'verify', '--root-key', key('root'), '--dir', reg, `--at=${value}`],
    ['registry', 'verify-credential', cred, '--root-key', key('root'), '--dir', reg, `--at=${value}`],
  ];
  for (const value of ['-1', 'Dec 5', '1/2/2027', '2027-02-30T00:00:00Z', '2027-13-01', '99999999999999999999', '']) {
    for (const args of at(value)) {
      const r = await run(...args);
      assert.equal(r.code, 2, `${args.join(' ')}\n${r.out}${r.err}`);
      assert.equal(r.out, '');
      assert.match(r.err, /--at/, r.err);
    }
  }
  const ms = Date.parse(updatedAt) + 1000;
  for (const value of [new Date(ms).toISOString(), String(ms), new Date(ms).toISOString().replace('Z', '+00:00')]) {
    const r = await run(...at(value)[0]!);
    assert.equal(r.code, 0, `${value}\n${r.out}${r.err}`);
  }
});
