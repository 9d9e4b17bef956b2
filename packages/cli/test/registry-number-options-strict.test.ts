// `registry verify --last-seen SEQ:HASH` takes the sequence and chain hash as verify prints them (a sequence from 1,
// lower-case hex), and `registry propose threshold --required N` a whole number in decimal: anything else is exit 2
// naming the option, not read as something else (`0x2` as Number() reads it, 2; a last-seen `0:...` that no registry
// was ever at, checked as if it were). No test held either form check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { draftRegistry, ok, run, tempDir } from './helpers.ts';

test('registry verify --last-seen and propose threshold --required take only their printed forms', async (t) => {
  const base = await tempDir(t, 'vouch-number-options-');
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  const verify = ['registry', 'verify', '--root-key', key('root'), '--dir', reg];
  const report = await ok(0, ...verify, '--format', 'json');
  const { sequence, chainHash } = JSON.parse(report.out) as { sequence: number; chainHash: string };
  await ok(0, ...verify, '--last-seen', `${sequence}:${chainHash}`);
  for (const lastSeen of [`0:${chainHash}`, `${sequence}:${chainHash.toUpperCase()}`, `0${sequence}:${chainHash}`]) {
    const r = await run(...verify, '--last-seen', lastSeen);
    assert.equal(r.code, 2, `${lastSeen}: ${r.out}${r.err}`);
    assert.equal(r.err, 'vouch: --last-seen must be SEQUENCE:CHAIN_HASH (as verify prints them).\n');
  }
  for (const required of ['0x2', '2.0', ' 2', '2e0', '+2']) {
    const r = await run('registry', 'propose', 'threshold', '--required', required, '--dir', reg);
    assert.equal(r.code, 2, `${required}: ${r.out}${r.err}`);
    assert.equal(r.err, 'vouch: --required must be a whole number.\n');
  }
  assert.deepEqual(await readdir(reg).then((f) => f.filter((n) => n === 'proposals')), [], 'no proposal written');
});
