// Inputs a user may leave damaged or empty: an identity file that holds JSON `null`, and `VOUCH_SERVER=` (empty, as
// env files write an unset variable). Each is a readable usage error or the documented default, never a TypeError.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readIdentity } from '../src/identity-store.ts';
import { CliError } from '../src/exit.ts';
import { DEFAULT_SERVER, serverBase } from '../src/commands/token/http.ts';
import { run } from './helpers.ts';

let dir: string;
const saved = { home: process.env.VOUCH_HOME, server: process.env.VOUCH_SERVER };
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vouch-cli-inputs-'));
});
after(async () => {
  for (const [name, value] of [
    ['VOUCH_HOME', saved.home],
    ['VOUCH_SERVER', saved.server],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await rm(dir, { recursive: true, force: true });
});

test('an identity file holding JSON null is "not a vouch identity" (exit 2), not a TypeError', async () => {
  const home = join(dir, 'home');
  await mkdir(join(home, 'identities'), { recursive: true, mode: 0o700 });
  const file = join(home, 'identities', 'broken.json');
  await writeFile(file, 'null\n', { mode: 0o600 });

  await assert.rejects(readIdentity('broken', { VOUCH_HOME: home }), (err: unknown) => {
    assert.ok(err instanceof CliError, String(err));
    assert.equal(err.message, `${file} is not a vouch identity (not an object).`);
    return true;
  });

  process.env.VOUCH_HOME = home;
  const r = await run('agent', 'whoami', '--alias', 'broken');
  assert.equal(r.code, 2);
  assert.equal(r.err, `vouch: ${file} is not a vouch identity (not an object).\n`);
  // `list` skips it, as it skips every file that is not an identity.
  const list = await run('agent', 'list', '--json');
  assert.equal(list.code, 0, list.err);
  assert.deepEqual(JSON.parse(list.out), { identities: [] });
});

test('VOUCH_SERVER set but empty means the default server, as if unset', () => {
  process.env.VOUCH_SERVER = '';
  assert.equal(serverBase({}), DEFAULT_SERVER);
  assert.equal(serverBase({ server: 'http://127.0.0.1:9/' }), 'http://127.0.0.1:9');
  process.env.VOUCH_SERVER = 'http://127.0.0.1:8/';
  assert.equal(serverBase({}), 'http://127.0.0.1:8');
});
