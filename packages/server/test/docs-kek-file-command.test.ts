// With PostgreSQL the KEK file is created by hand. The README's configuration table showed only
// `openssl rand -hex 32 > kek.key`: under the usual umask 022 that file is mode 0644, readable by every local user,
// and every start warns about it. docs/operations.md, `vouch kek --help` and the server's own message restrict it.
// Every command the documentation shows for writing a KEK file now restricts its mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CONFIG_VARIABLES } from '../src/config.ts';

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

test('every documented command that writes a KEK file restricts it to mode 0600', () => {
  const kekMeaning = CONFIG_VARIABLES.find((v) => v.name === 'VOUCH_KEK_FILE')!.meaning;
  const texts = { 'README.md': read('README.md'), 'docs/operations.md': read('docs/operations.md'), kekMeaning };
  let seen = 0;
  for (const [where, text] of Object.entries(texts)) {
    for (const m of text.matchAll(/openssl rand -hex 32 > (\S+?)(`|\s|;|\))(.{0,20})/g)) {
      seen += 1;
      const file = m[1]!;
      assert.ok(m[3]!.startsWith(`&& chmod 600 ${file}`), `${where}: "${m[0]}" leaves ${file} to the umask`);
    }
  }
  assert.ok(seen >= 4, `found ${seen} commands`);
});
