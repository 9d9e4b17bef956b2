// `vouch registry keygen` writes a private key (an issuer's, or the registry root's) as `vouch keygen` does: to
// `<output>.<hex>.tmp`, linked into place. A run killed in between left the key in that file for good, and unlike
// `vouch keygen` the next run of the same output neither removed it nor said so. It now does (not a running
// process's file, which is named and left). An empty --output named the current folder and was refused as "already
// exists"; it is now said to be empty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run, tempDir } from './helpers.ts';

test('vouch registry keygen removes what a crashed keygen of the same output left, with a warning', async (t) => {
  const dir = await tempDir(t, 'vouch-registry-keygen-leftovers-');
  const output = join(dir, 'root.key.json');
  // 7ffffffe: no process has this id; this process's parent (the test runner) runs. keygen runs in this process.
  const crashed = 'root.key.json.7ffffffe0123456789ab.tmp';
  const running = `root.key.json.${process.ppid.toString(16).padStart(8, '0')}0123456789ab.tmp`;
  for (const name of [crashed, running]) await writeFile(join(dir, name), '{}\n', { mode: 0o600 });
  const r = await run('registry', 'keygen', '--output', output);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual((await readdir(dir)).sort(), ['root.key.json', running].sort());
  const lines = r.err.trimEnd().split('\n');
  assert.equal(lines.length, 2, r.err);
  assert.ok(
    lines.includes(
      `vouch: warning: ${join(dir, crashed)}, the temporary file of a creation of ${output} interrupted by a crash, ` +
        'was removed.',
    ),
    r.err,
  );
  assert.ok(
    lines.some((l) => l.startsWith(`vouch: warning: ${join(dir, running)} is the temporary file`)),
    r.err,
  );
});

test('vouch registry keygen --output with an empty or blank name exits 2 saying so', async () => {
  for (const output of ['', '  ']) {
    const r = await run('registry', 'keygen', '--output', output);
    assert.equal(r.code, 2, r.err);
    assert.equal(r.out, '');
    assert.equal(r.err, 'vouch: --output must not be empty.\n');
  }
});
