// `vouch registry list` took its pending rows from every file of issuers/, skipping only those named after an issuer
// already listed: a copy of acme.json under another name (zz-copy.json) listed acme twice, Active and Pending, and a
// file named after nobody listed its entry as pending though `build` refuses it. issuers/ holds `<id>.json` files
// (docs/registry.md); list now refuses a file whose entry has another id, as build does, exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { draftIssuer, draftRegistry, ISSUERS, ok, run, tempDir } from './helpers.ts';

test('registry list refuses an issuers/ file whose entry has another id, as build does', async (t) => {
  const base = await tempDir(t, 'vouch-list-name-');
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '3', '--dir', reg, ...ISSUERS);
  const issuers = join(reg, 'issuers');

  // A copy of an active issuer's mirror under another name.
  await copyFile(join(issuers, 'acme.json'), join(issuers, 'zz-copy.json'));
  const copied = await run('registry', 'list', '--dir', reg);
  assert.equal(copied.code, 2, copied.out + copied.err);
  assert.equal(copied.out, '');
  assert.match(copied.err, /zz-copy\.json: id: is acme, but the file must be named acme\.json/);
  const built = await run('registry', 'build', '--root-key', key('root'), '--dir', reg);
  assert.equal(built.code, 2);
  assert.match(built.err, /zz-copy\.json: id: is acme, but the file must be named acme\.json/);

  // A draft under a name that is no issuer's.
  await rename(join(issuers, 'zz-copy.json'), join(base, 'zz-copy.json'));
  await draftIssuer(reg, join(base, 'fox.key.json'), 'fox');
  await rename(join(issuers, 'fox.json'), join(issuers, 'foxtrot.json'));
  const renamed = await run('registry', 'list', '--dir', reg, '--format', 'json');
  assert.equal(renamed.code, 2, renamed.out + renamed.err);
  assert.match(renamed.err, /foxtrot\.json: id: is fox, but the file must be named fox\.json/);

  // Named after its id, it is listed once, pending.
  await rename(join(issuers, 'foxtrot.json'), join(issuers, 'fox.json'));
  const listed = JSON.parse((await ok(0, 'registry', 'list', '--dir', reg, '--format', 'json')).out) as {
    issuers: Array<{ id: string; status: string }>;
  };
  assert.deepEqual(
    listed.issuers.map((i) => `${i.id} ${i.status}`),
    [...ISSUERS.map((id) => `${id} active`), 'fox pending'].sort(),
  );
});
