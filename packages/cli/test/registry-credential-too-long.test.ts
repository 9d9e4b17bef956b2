// `vouch registry credential` with many long --scope entries (64 of them, each up to 512 characters, as the SDK takes)
// signed a credential of tens of kilobytes, which no verifier decodes (a compact JWS is at most 8,192 characters:
// `verify-credential` and a gateway answer CREDENTIAL_INVALID). The CLI then failed decoding its own credential
// ("The token is longer than 8192 characters.", about a "token"), after --output had already replaced the file: a
// renewal left the unusable credential in place of the working one. It is now refused before anything is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_TOKEN_LENGTH } from '@vouch/sdk';
import { ok, run, tempDir } from './helpers.ts';

const SEGMENT = 'a'.repeat(60);
const RESOURCE = Array.from({ length: 7 }, () => SEGMENT).join(':');
const SCOPES = Array.from({ length: 64 }, (_, i) => ['--scope', `r${i}:${RESOURCE}:read`]).flat();

test('registry credential refuses a credential longer than a verifier decodes, and writes nothing', async (t) => {
  const dir = await tempDir(t, 'vouch-cred-long-');
  const key = join(dir, 'acme.key.json');
  const file = join(dir, 'bot.cred');
  await ok(0, 'registry', 'keygen', '--output', key);
  const base = ['registry', 'credential', '--key', key, '--as', 'acme', '--agent', 'agent:bot', '--dir', dir];
  await writeFile(file, 'the credential in use\n', { mode: 0o600 });

  const written = await run(...base, ...SCOPES, '--output', file);
  assert.equal(written.code, 2, written.err);
  assert.match(written.err, new RegExp(`more than the ${MAX_TOKEN_LENGTH} characters`));
  assert.equal(await readFile(file, 'utf8'), 'the credential in use\n', 'the file in place is kept');

  const printed = await run(...base, ...SCOPES);
  assert.equal(printed.code, 2, printed.err);
  assert.equal(printed.out, '');
  assert.match(printed.err, /--scope/);

  // Fewer scope entries fit: exit 0.
  const fits = await run(...base, ...SCOPES.slice(0, 2 * 8));
  assert.equal(fits.code, 0, fits.err);
  assert.ok(fits.out.trim().length <= MAX_TOKEN_LENGTH);
});
