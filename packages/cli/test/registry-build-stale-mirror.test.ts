// issuers/<id>.json of an active issuer is a mirror of registry.json (docs/registry.md): one left stale (a crash
// between build's writes, or a hand edit) is rewritten from registry.json with a note, not refused on every build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { draftRegistry, json, ok, tempDir } from './helpers.ts';

test('build rewrites a stale issuers/<id>.json of an active issuer from registry.json, with a note', async (t) => {
  const base = await tempDir(t, 'vouch-registry-stale-');
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  await rm(join(reg, 'issuers/dyad.json'));
  await rm(join(reg, 'issuers/echo.json'));
  const build = (code: number) => ok(code, 'registry', 'build', '--root-key', key('root'), '--dir', reg);
  await build(0);
  const file = join(reg, 'issuers/acme.json');
  const mirrored = await readFile(file, 'utf8');
  const stale = await json<{ metadata: { name: string } }>(file);
  stale.metadata.name = 'Acme Old Name';
  await writeFile(file, JSON.stringify(stale, null, 2));

  const r = await build(0);
  assert.doesNotMatch(r.out, /refused/);
  assert.match(
    r.err,
    /^vouch: note: rewrote .*issuers\/acme\.json from .*registry\.json: it held another entry for acme/m,
  );
  assert.equal(r.err.trim().split('\n').length, 1, 'one line');
  assert.equal(await readFile(file, 'utf8'), mirrored, 'the registered entry, as build mirrors it');
  const again = await build(0);
  assert.equal(again.err, '', 'nothing to rewrite any more');
});
