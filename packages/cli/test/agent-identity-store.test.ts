// The identity store on its own: modes, no overwrite under concurrency, no partial files, alias rules, defaults.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '@vouch/sdk';
import {
  checkAlias,
  defaultAlias,
  identityKey,
  listIdentities,
  publicView,
  readIdentity,
  resolveIdentity,
  saveIdentity,
  setDefaultAlias,
} from '../src/identity-store.ts';
import type { StoredIdentity } from '../src/identity-store.ts';
import { CliError } from '../src/exit.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vouch-identity-store-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function identity(alias: string): Promise<StoredIdentity> {
  const pair = await generateKeyPair('Ed25519');
  return {
    version: 1,
    alias,
    did: `did:identity:${alias}`,
    server: 'http://127.0.0.1:4100',
    publicKey: pair.publicKeyRegistry!,
    publicKeyBase64: pair.publicKeyBase64!,
    privateKeyPem: pair.privatePem,
    linked: false,
    claimToken: 'vouch_claim_secret',
    createdAt: new Date(0).toISOString(),
  };
}

test('concurrent saves of one alias: exactly one wins, nothing half-written, modes 0600/0700', async () => {
  const env = { VOUCH_HOME: join(dir, 'a') };
  // An identities folder that already exists with loose permissions is tightened.
  await mkdir(join(dir, 'a', 'identities'), { recursive: true, mode: 0o755 });
  await chmod(join(dir, 'a', 'identities'), 0o755);
  const homeMode = (await stat(join(dir, 'a'))).mode & 0o777;
  const candidates = await Promise.all([1, 2, 3, 4, 5].map(() => identity('bot')));
  const results = await Promise.allSettled(candidates.map((c) => saveIdentity(c, env)));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  for (const r of results.filter((r) => r.status === 'rejected')) {
    assert.ok(r.reason instanceof CliError && /already exists/.test(r.reason.message));
  }
  assert.deepEqual(await readdir(join(dir, 'a', 'identities')), ['bot.json']);
  assert.equal((await stat(join(dir, 'a'))).mode & 0o777, homeMode, 'an existing VOUCH_HOME keeps its mode');
  assert.equal((await stat(join(dir, 'a', 'identities'))).mode & 0o777, 0o700);
  assert.equal((await stat(join(dir, 'a', 'identities', 'bot.json'))).mode & 0o777, 0o600);

  const back = await readIdentity('bot', env);
  assert.equal(identityKey(back).type, 'Ed25519');
  const shown = JSON.stringify(publicView(back));
  assert.ok(!shown.includes('PRIVATE KEY') && !shown.includes('vouch_claim_'), 'publicView drops the secrets');
});

test('aliases cannot name paths; list skips foreign files; the default alias and $VOUCH_AGENT', async () => {
  // 1-64 letters, digits, - and _, a letter or digit first (PROTOCOL.md): both edges held, and either case.
  for (const bad of ['../x', 'a/b', '', '.hidden', 'x'.repeat(65), 'a b', '-x', '_x']) {
    assert.throws(() => checkAlias(bad), CliError, JSON.stringify(bad));
  }
  for (const good of ['9', 'x'.repeat(64), 'Support_Bot-2']) assert.equal(checkAlias(good), good);
  const env: NodeJS.ProcessEnv = { VOUCH_HOME: join(dir, 'b') };
  await assert.rejects(resolveIdentity(undefined, env), /no agent identity yet/);
  await saveIdentity(await identity('one'), env);
  await saveIdentity(await identity('two'), env);
  await writeFile(join(dir, 'b', 'identities', 'junk.json'), '{"not": "an identity"}');
  await writeFile(join(dir, 'b', 'identities', 'notes.txt'), 'hello');
  assert.deepEqual(
    (await listIdentities(env)).map((i) => i.alias),
    ['one', 'two'],
  );
  await assert.rejects(readIdentity('junk', env), /not a vouch identity/);

  assert.equal(await defaultAlias(env), undefined);
  await setDefaultAlias('two', env);
  assert.equal(await defaultAlias(env), 'two');
  assert.equal((await stat(join(dir, 'b', 'config.json'))).mode & 0o777, 0o600);
  assert.equal((await resolveIdentity(undefined, env)).alias, 'two');
  assert.equal((await resolveIdentity(undefined, { ...env, VOUCH_AGENT: 'one' })).alias, 'one');
  // An empty $VOUCH_AGENT (`VOUCH_AGENT=` in an env file) is unset, as every VOUCH_* variable: the default acts.
  assert.equal((await resolveIdentity(undefined, { ...env, VOUCH_AGENT: '' })).alias, 'two');
  assert.equal((await resolveIdentity('one', { ...env, VOUCH_AGENT: 'two' })).alias, 'one');
  await assert.rejects(resolveIdentity('three', env), /no identity named "three"/);
  assert.deepEqual((await readdir(join(dir, 'b'))).sort(), ['config.json', 'identities'], 'no temporary files');
});

test('setDefaultAlias: a folder it cannot make is a CliError (exit 2) naming it, not a raw error', async () => {
  const home = join(dir, 'file-for-folder');
  await mkdir(home);
  // A file where identities/ must be.
  await writeFile(join(home, 'identities'), 'not a folder');
  await assert.rejects(setDefaultAlias('bot', { VOUCH_HOME: home }), (err: unknown) => {
    assert.ok(err instanceof CliError, String(err));
    assert.equal(err.exitCode, 2);
    assert.match(err.message, /^cannot create .*identities: E[A-Z]+\.$/);
    return true;
  });
});
