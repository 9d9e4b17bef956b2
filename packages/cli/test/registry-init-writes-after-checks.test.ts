// `vouch registry init` copies each founding entry to issuers/<id>.json, and refuses an entry whose issuers/ file
// already holds another entry for that id. It wrote the copies one by one as it checked them, so an init refused for
// its third entry had already copied the first two into issuers/ (files the user did not ask for, after an exit 2).
// Every entry is now checked first; a refused init writes nothing. No test held the refusal itself either.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { draftRegistry, ok, run, tempDir } from './helpers.ts';

test('registry init refuses an entry whose issuers/ file holds another entry, writing nothing', async (t) => {
  const base = await tempDir(t, 'vouch-init-checks-');
  const { reg, key } = await draftRegistry(base);
  const draft = async (id: string, file: string) => {
    await ok(0, 'registry', 'keygen', '--output', join(base, `${id}-${file}.key`));
    const args = [
      '--endpoint',
      `https://credentials.${id}.example`,
      '--name',
      `${id} 2`,
      '--contact',
      `t@${id}.example`,
    ];
    await ok(0, 'registry', 'draft', '--id', id, '--public-key', join(base, `${id}-${file}.key`), ...args, '-o', file);
  };
  await draft('foxtrot', join(base, 'foxtrot.json'));
  await draft('coda', join(base, 'coda-other.json'));
  const before = await readdir(join(reg, 'issuers'));
  const codaBefore = await readFile(join(reg, 'issuers/coda.json'), 'utf8');
  const init = ['registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg];
  const r = await run(...init, join(base, 'foxtrot.json'), 'acme', join(base, 'coda-other.json'));
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /issuers\/coda\.json already exists with other content than the entry for coda\./);
  assert.deepEqual(await readdir(join(reg, 'issuers')), before, 'no entry was copied');
  assert.equal(await readFile(join(reg, 'issuers/coda.json'), 'utf8'), codaBefore);
  assert.deepEqual((await readdir(reg)).sort(), ['issuers'], 'no registry.json');
  // With the entries that belong, init copies the new one and creates the registry.
  await ok(0, ...init, join(base, 'foxtrot.json'), 'acme', 'coda');
  assert.ok((await readdir(join(reg, 'issuers'))).includes('foxtrot.json'));
});
