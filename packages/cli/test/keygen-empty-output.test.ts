// `vouch keygen --output ''` named the current folder, and was refused as "<cwd> already exists; refusing to overwrite
// a key", which sends the operator looking for a key file there. An empty --output is now said to be empty, as
// `vouch backup` and `vouch restore` say of theirs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './helpers.ts';

test('vouch keygen --output with an empty or blank name exits 2 saying so', async () => {
  for (const output of ['', '  ']) {
    const r = await run('keygen', '--output', output);
    assert.equal(r.code, 2, r.err);
    assert.equal(r.out, '');
    assert.equal(r.err, 'vouch: --output must not be empty.\n');
  }
});
