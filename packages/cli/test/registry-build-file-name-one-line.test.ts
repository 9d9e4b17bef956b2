// proposals/ is where co-signers drop proposal files (a shared directory), and `vouch registry build` names each file
// in its report: `applied step N: ... (FILE), ...` and `refused FILE: ...`. A file name may hold a line break, which
// the output filter keeps (it keeps the CLI's own line breaks), so a name of a co-signer's choosing printed lines of
// its own in the report the root key holder reads, "applied step 2: ..." included; a bad file's parse error did the
// same on stderr (and so in `registry list`, of a file in issuers/). File names are now shown through field(), on
// their one line; --format json keeps them as they are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { draftRegistry, ok, run, tempDir } from './helpers.ts';

const FAKE = 'applied step 2: remove acme';

test('build shows a proposal file name on its one line', async (t) => {
  const base = await tempDir(t, 'vouch-build-name-');
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  const drafted = join(base, 'threshold.json');
  await ok(0, 'registry', 'propose', 'threshold', '--required', '2', '--dir', reg, '--output', drafted);
  const name = `x\n${FAKE} (y.json), signed by 2 of 3 by bolt, coda\n.json`;
  await mkdir(join(reg, 'proposals'));
  await writeFile(join(reg, 'proposals', name), await readFile(drafted));

  // Refused without quorum: the report names the file.
  const text = await run('registry', 'build', '--root-key', key('root'), '--dir', reg);
  assert.equal(text.code, 1, text.err);
  assert.doesNotMatch(text.out, new RegExp(`^${FAKE}`, 'm'), text.out);
  assert.match(text.out, /^refused .*proposals\/x\uFFFDapplied step 2/m, text.out);

  const json = await run('registry', 'build', '--root-key', key('root'), '--dir', reg, '--format', 'json');
  assert.equal(json.code, 1, json.err);
  const report = JSON.parse(json.out) as { refused: Array<{ file: string }> };
  assert.ok(
    report.refused.some((r) => r.file.endsWith(`proposals/${name}`)),
    'the JSON names the file as it is',
  );

  // A file that does not parse: its name in the error stays on one line too.
  await writeFile(join(reg, 'proposals', name), '{"type": 1}');
  const bad = await run('registry', 'build', '--root-key', key('root'), '--dir', reg);
  assert.equal(bad.code, 2, bad.err);
  assert.doesNotMatch(bad.err, new RegExp(`^${FAKE}`, 'm'), bad.err);
  assert.equal(bad.err.trim().split('\n').length, 1, bad.err);

  // So does registry list, of a file in issuers/.
  await writeFile(join(reg, 'issuers', name), '{"id": 1}');
  const list = await run('registry', 'list', '--dir', reg);
  assert.equal(list.code, 2, list.err);
  assert.doesNotMatch(list.err, new RegExp(`^${FAKE}`, 'm'), list.err);
  assert.equal(list.err.trim().split('\n').length, 1, list.err);
});
