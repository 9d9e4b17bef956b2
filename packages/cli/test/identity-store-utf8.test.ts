// The identity store's files are read as the CLI's other input files are (read.ts's utf8Text): a leading UTF-8 BOM
// (an editor's) is dropped, and bytes that are not UTF-8 are refused, exit 2, naming the file. Before, an identity
// file that `token issue --key` read with its BOM was "not JSON" to every `vouch agent` command, a config.json with a
// BOM was "damaged", and a byte that is not UTF-8 was read as U+FFFD: a label or server the file does not hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runClean, tempDir, writeStoredIdentity } from './helpers.ts';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** A store with the identity "bot" whose file starts with `prefix`; the file's path. */
async function storeWith(home: string, prefix: Buffer, change: Record<string, unknown> = {}): Promise<string> {
  await writeStoredIdentity(home, 'http://127.0.0.1:9');
  const file = join(home, 'identities', 'bot.json');
  const stored = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  const text = Buffer.from(JSON.stringify({ ...stored, ...change }), 'latin1');
  await writeFile(file, Buffer.concat([prefix, text]), { mode: 0o600 });
  return file;
}

test('agent whoami reads an identity file and a config.json that start with a BOM', async (t) => {
  const home = await tempDir(t);
  await storeWith(home, BOM);
  await writeFile(join(home, 'config.json'), Buffer.concat([BOM, Buffer.from('{"defaultAlias":"bot"}')]), {
    mode: 0o600,
  });
  const r = await runClean({ VOUCH_HOME: home }, 'agent', 'whoami', '--json');
  assert.equal(r.code, 0, r.err);
  assert.equal((JSON.parse(r.out) as { did: string }).did, 'did:identity:bot');
});

test('an identity file that is not UTF-8 is refused, exit 2, naming the file', async (t) => {
  const home = await tempDir(t);
  // "caf\xe9" in Latin-1: the byte 0xE9 alone is not UTF-8.
  const file = await storeWith(home, Buffer.alloc(0), { label: 'caf\u00e9' });
  const r = await runClean({ VOUCH_HOME: home }, 'agent', 'whoami', '--alias', 'bot');
  assert.equal(r.code, 2, r.out);
  assert.equal(r.out, '');
  assert.equal(r.err, `vouch: ${file} is not a vouch identity (not UTF-8 text).\n`);
});

test('a config.json that is not UTF-8 is damaged, exit 2, naming the file', async (t) => {
  const home = await tempDir(t);
  await storeWith(home, Buffer.alloc(0));
  const config = join(home, 'config.json');
  await writeFile(config, Buffer.from('{"defaultAlias":"bot","note":"caf\xe9"}', 'latin1'), { mode: 0o600 });
  const r = await runClean({ VOUCH_HOME: home }, 'agent', 'whoami');
  assert.equal(r.code, 2, r.out);
  assert.match(r.err, new RegExp(`^vouch: ${config} is not a vouch configuration \\(not UTF-8 text\\)`));
});
