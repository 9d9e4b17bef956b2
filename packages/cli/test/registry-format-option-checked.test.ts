// Every registry command with `--format` takes only the forms docs/registry.md lists (`text|json`, `table|json` for
// list): another (`--format JSON`, `--format yaml`) is exit 2 with one line naming the forms, before anything is read,
// printed or written. Without the check the command ran and printed its text form (credential: the credential itself,
// where the user asked for JSON), exit 0. For list, credential and verify-credential no test held it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { run, tempDir } from './helpers.ts';

test('registry commands refuse a --format they do not print, before reading or writing anything', async (t) => {
  const dir = await tempDir(t, 'vouch-format-');
  const missing = join(dir, 'missing');
  const credential = ['credential', '--key', join(dir, 'k.json'), '--as', 'acme', '--agent', 'agent:bot'];
  const cases: ReadonlyArray<readonly [readonly string[], string]> = [
    [['build', '--root-key', join(dir, 'k.json')], 'text or json'],
    [['verify'], 'text or json'],
    [['list'], 'table or json'],
    [[...credential, '--output', join(dir, 'cred.jwt')], 'text or json'],
    [['verify-credential', 'e.y.J'], 'text or json'],
  ];
  for (const [args, forms] of cases) {
    for (const format of ['JSON', 'yaml', '']) {
      const r = await run('registry', ...args, '--format', format, '--dir', missing);
      const what = `${args[0]} --format ${JSON.stringify(format)}`;
      assert.equal(r.code, 2, `${what}: ${r.out}${r.err}`);
      assert.equal(r.out, '', what);
      assert.equal(r.err, `vouch: --format must be ${forms}.\n`, what);
    }
  }
  assert.deepEqual(await readdir(dir), [], 'nothing written');
});
