// `vouch registry build` names why each pending proposal was not applied. One short of its quorum at the sequence it
// was made for, and made stale by another proposal that applied in the same build, was still reported as short of
// its quorum ("signed by 1/2 — not applied"): co-signers would sign it further, and it could never apply. It is
// reported as stale, to be proposed again, as one that was already stale when the build started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { draftRegistry, ok, run, tempDir } from './helpers.ts';

test('build: a proposal made stale by one applied in the same build is reported stale, not short of quorum', async (t) => {
  const base = await tempDir(t, 'vouch-build-stale-');
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  // Both for sequence 1; echo's file sorts first, so build looks at it before dyad's applies.
  const echo = join(reg, 'proposals/1-add-echo.json');
  await ok(0, 'registry', 'propose', 'add', '--entry', join(reg, 'issuers/echo.json'), '--dir', reg, '-o', echo);
  await ok(0, 'registry', 'propose', 'add', '--entry', join(reg, 'issuers/dyad.json'), '--dir', reg);
  const dyad = join(reg, 'proposals/2-add-dyad.json');
  const sign = (file: string, as: string) =>
    ok(0, 'registry', 'sign', file, '--key', key(as), '--as', as, '--dir', reg);
  await sign(echo, 'acme');
  await sign(dyad, 'acme');
  await sign(dyad, 'bolt');

  const built = await run('registry', 'build', '--root-key', key('root'), '--dir', reg, '--format', 'json');
  assert.equal(built.code, 1, built.err);
  const report = JSON.parse(built.out) as { sequence: number; refused: Array<{ file: string; reason: string }> };
  assert.equal(report.sequence, 2, 'dyad was applied');
  const refused = report.refused.find((r) => r.file.endsWith('1-add-echo.json'));
  assert.ok(refused !== undefined, built.out);
  assert.match(refused.reason, /was made for sequence 1, the registry is at 2: propose it again/);
  assert.doesNotMatch(refused.reason, /signed by/);
});
