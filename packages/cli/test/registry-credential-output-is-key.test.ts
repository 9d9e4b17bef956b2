// `vouch registry credential --output FILE` replaces FILE whole (a renewal to the same path). Given the issuer's own
// key file by mistake (`--key acme.key.json ... --output acme.key.json`, or a link to it), it replaced the private
// key with the credential: the issuer's key was gone for good, and with it every later credential and co-signature.
// The key file is now refused as --output (exit 2) and left as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { link, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ok, run, tempDir } from './helpers.ts';

test('registry credential refuses --output naming its own --key file, and keeps the key', async (t) => {
  const dir = await tempDir(t, 'vouch-cred-key-');
  const key = join(dir, 'acme.key.json');
  await ok(0, 'registry', 'keygen', '--output', key);
  const before = await readFile(key, 'utf8');
  await symlink(key, join(dir, 'linked.json'));
  await link(key, join(dir, 'hard.json'));
  const base = ['registry', 'credential', '--key', key, '--as', 'acme', '--agent', 'agent:bot', '--dir', dir];
  for (const output of [key, join(dir, 'linked.json'), join(dir, 'hard.json'), join(dir, '.', 'acme.key.json')]) {
    const r = await run(...base, '--output', output);
    assert.equal(r.code, 2, `${output}: ${r.err}`);
    assert.match(r.err, /--output .*--key/);
    assert.equal(r.out, '');
    assert.equal(await readFile(key, 'utf8'), before, 'the key file is unchanged');
  }
  // Another file is still written.
  await ok(0, ...base, '--output', join(dir, 'bot.cred'));
});
