// `vouch registry credential --scope "$SCOPES"` with SCOPES unset (or `--scope ,`) named no scope entry, and a
// credential without `scope` allows every resource and action: the mistake widened the credential to "any" instead
// of failing. A --scope that names no entry is now refused (exit 2) before anything is signed or written, as an
// empty --admin-key or --root-key is; blank pieces between commas are still skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeJwt } from '@vouch/sdk';
import { ok, run, tempDir } from './helpers.ts';

test('registry credential refuses a --scope that names no entry, writing nothing', async (t) => {
  const dir = await tempDir(t, 'vouch-cred-scope-');
  const key = join(dir, 'acme.key.json');
  const file = join(dir, 'bot.cred');
  await ok(0, 'registry', 'keygen', '--output', key);
  const base = ['registry', 'credential', '--key', key, '--as', 'acme', '--agent', 'agent:bot', '--dir', dir];

  for (const empty of ['', ' ', ',', ' , ']) {
    const r = await run(...base, '--scope', 'payments:*:read', '--scope', empty, '--output', file);
    assert.equal(r.code, 2, `--scope ${JSON.stringify(empty)}: ${r.err}`);
    assert.equal(r.out, '');
    assert.match(r.err, /^vouch: --scope .*names no "<resource>:<action>" entry/m);
    await assert.rejects(access(file), { code: 'ENOENT' }, 'nothing is written');
  }

  // Blank pieces beside an entry are skipped, as before.
  const issued = await ok(0, ...base, '--scope', ' payments:*:read, ,mail:inbox:send,');
  assert.deepEqual(decodeJwt(issued.out.trim()).claims.scope, ['payments:*:read', 'mail:inbox:send']);
});
