// `vouch registry credential --output FILE` writes the credential (a bearer secret unless it binds an agent key) to a
// 0600 file "instead of printing it"; with `--format json` it was printed all the same, inside {credential, claims},
// to wherever stdout goes (a terminal's scrollback, a CI log). With --output, the JSON names the file instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ok, tempDir } from './helpers.ts';

/** `vouch registry credential` as acme for agent:bot, with `extra` options, in JSON; asserts exit 0. */
function credential(key: string, dir: string, ...extra: string[]): Promise<{ out: string; err: string }> {
  const args = ['--key', key, '--as', 'acme', '--agent', 'agent:bot', '--format', 'json', '--dir', dir, ...extra];
  return ok(0, 'registry', 'credential', ...args);
}

test('registry credential --output --format json prints the claims and the file, never the credential', async (t) => {
  const dir = await tempDir(t, 'vouch-cred-output-');
  const key = join(dir, 'acme.key.json');
  const file = join(dir, 'bot.cred');
  await ok(0, 'registry', 'keygen', '--output', key);
  const r = await credential(key, join(dir, 'no-registry'), '--output', file);
  const written = (await readFile(file, 'utf8')).trim();
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.ok(!r.out.includes(written), 'the credential is not printed');
  assert.ok(!r.out.includes(written.split('.')[2]!), 'not even its signature');
  const out = JSON.parse(r.out) as { credential?: unknown; file?: unknown; claims?: { iss?: unknown; sub?: unknown } };
  assert.equal(out.credential, undefined);
  assert.equal(out.file, file);
  assert.equal(out.claims?.iss, 'acme');
  assert.equal(out.claims?.sub, 'agent:bot');
});

test('registry credential --format json without --output still prints the credential', async (t) => {
  const dir = await tempDir(t, 'vouch-cred-output-');
  const key = join(dir, 'acme.key.json');
  await ok(0, 'registry', 'keygen', '--output', key);
  const r = await credential(key, join(dir, 'none'));
  const out = JSON.parse(r.out) as { credential?: unknown };
  assert.equal(typeof out.credential, 'string');
  assert.equal((out.credential as string).split('.').length, 3);
});
