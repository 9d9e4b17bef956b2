import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { describeCause } from '../../src/storage/lib/error-cause.ts';

test('a file error whose message names its code already is described with the code once', async () => {
  const err = await readFile('/nonexistent-vouch-folder/x').catch((e: unknown) => e);
  const said = describeCause(err);
  assert.match(said, /^ENOENT: no such file or directory/);
  assert.equal(said.split('ENOENT').length - 1, 1, said);
});

test('an error whose message does not name its code gets the code in front', () => {
  const err = Object.assign(new Error('database "nope" does not exist'), { code: '3D000' });
  assert.equal(describeCause(err), '3D000: database "nope" does not exist');
});
