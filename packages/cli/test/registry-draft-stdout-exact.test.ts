// `vouch registry draft --output -` prints the entry for a pipe (`> issuers/acme.json`, or to another machine). Its
// JSON went through the terminal filter every command writes through, which replaces bidi controls and C1
// characters with U+FFFD: a name or description holding one (an Arabic or Hebrew name with its marks) came out as
// another entry than the one validated, and than `--output FILE` writes. It now prints them as \u escapes (jsonOut,
// as every JSON output): the same entry for a JSON parser, nothing for a terminal to act on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { generateKeyPair } from '@vouch/sdk';
import { json, run, tempDir } from './helpers.ts';

test('registry draft --output - prints the entry that --output FILE writes', async (t) => {
  const dir = await tempDir(t, 'vouch-draft-stdout-');
  const pair = await generateKeyPair('Ed25519');
  const name = 'Acme \u202Bשלום\u202C \u0085 Inc.';
  const common = [
    'registry',
    'draft',
    '--id',
    'acme',
    '--public-key',
    pair.publicKeyRegistry!,
    '--endpoint',
    'https://credentials.acme.example',
    '--name',
    name,
    '--contact',
    'trust@acme.example',
    '--dir',
    join(dir, 'registry'),
  ];
  const printed = await run(...common, '--output', '-');
  assert.equal(printed.code, 0, printed.err);
  assert.doesNotMatch(printed.out, /[\u0080-\u009f\u202a-\u202e]/, 'nothing for a terminal to act on');
  const file = join(dir, 'acme.json');
  const written = await run(...common, '--output', file);
  assert.equal(written.code, 0, written.err);
  const fromFile = await json<{ metadata: { name: string }; registeredAt: string }>(file);
  const fromStdout = JSON.parse(printed.out) as typeof fromFile;
  assert.equal(fromFile.metadata.name, name);
  assert.equal(fromStdout.metadata.name, name, 'the name as given');
  assert.deepEqual({ ...fromStdout, registeredAt: '' }, { ...fromFile, registeredAt: '' });
});
