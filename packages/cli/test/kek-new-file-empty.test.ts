// `vouch kek rewrap --new-kek-file ""` (`"$NEW"` with NEW unset) is refused as an empty --output or --input is, exit
// 2 naming the option. Before, the empty path resolved to the current folder, reported as a KEK file that "is a
// directory" (or, read after the current KEK, as whatever was wrong with that).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { runClean, tempDir } from './helpers.ts';

test('kek rewrap: an empty --new-kek-file is exit 2 naming the option, and nothing is created', async (t) => {
  const dir = await tempDir(t);
  for (const value of ['', ' ']) {
    const r = await runClean({}, 'kek', 'rewrap', '--new-kek-file', value, '--data-dir', dir);
    assert.equal(r.code, 2, r.err);
    assert.equal(r.out, '');
    assert.equal(r.err, 'vouch: --new-kek-file must not be empty.\n');
  }
  assert.deepEqual(await readdir(dir), []);
});
