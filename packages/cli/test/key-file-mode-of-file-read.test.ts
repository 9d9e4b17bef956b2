// The registry commands' private key files (--key, --root-key) and `vouch token issue --key` were held to the key-file
// rule by looking their path up again after reading them: in between, the path may have been pointed at another file,
// so a key read from a file any user may write passed as one read from the owner's own file. The mode checked is now
// that of the file read (as readSecretFile does); so is an agent identity's (resolveIdentity), which was checked the
// same way. The path's lookup is made to lie here (fs.promises.stat, synced into the ESM bindings) as a swapped path
// would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { chmod } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { generateKeyPair } from '@vouch/sdk';
import { readPrivateKeyFile } from '../src/commands/registry/lib/key-files.ts';
import { identityPath, resolveIdentity, saveIdentity } from '../src/identity-store.ts';
import { ok, run, tempDir } from './helpers.ts';

/** While `fn` runs, a stat by the path `file` answers `mode` (a regular file's), whatever the file's mode is. */
async function pathSays<T>(file: string, mode: number, fn: () => Promise<T>): Promise<T> {
  const real = fs.promises.stat;
  fs.promises.stat = (async (path: fs.PathLike, opts?: fs.StatOptions) => {
    const st = (await real(path, opts)) as fs.Stats;
    if (path === file) st.mode = 0o100000 | mode;
    return st;
  }) as typeof fs.promises.stat;
  syncBuiltinESMExports();
  try {
    return await fn();
  } finally {
    fs.promises.stat = real;
    syncBuiltinESMExports();
  }
}

const anyUser = (file: string) => (e: Error & { exitCode?: number }) =>
  e.exitCode === 2 && e.message.includes(`${file} can be written by any user (mode 0666)`);

test('a registry key file is held to the mode of the file read', { skip: process.platform === 'win32' }, async (t) => {
  const dir = await tempDir(t, 'vouch-key-read-');
  const file = join(dir, 'acme.key.json');
  await ok(0, 'registry', 'keygen', '--output', file);
  let err = '';
  const io = { err: (text: string) => void (err += `${text}\n`) };
  await chmod(file, 0o666);
  await assert.rejects(
    pathSays(file, 0o600, () => readPrivateKeyFile(file, io)),
    anyUser(file),
  );
  await chmod(file, 0o600);
  await pathSays(file, 0o640, () => readPrivateKeyFile(file, io));
  assert.equal(err, '');
});

test('token issue --key is held to the mode of the file read', { skip: process.platform === 'win32' }, async (t) => {
  const dir = await tempDir(t, 'vouch-key-read-');
  const file = join(dir, 'agent.key.json');
  await ok(0, 'keygen', '--output', file);
  await chmod(file, 0o666);
  // Nothing listens on port 1: a command that gets as far as the request says it cannot reach the server.
  const r = await pathSays(file, 0o600, () =>
    run('token', 'issue', 'did:web:x', '--key', file, '--server', 'http://127.0.0.1:1'),
  );
  assert.equal(r.code, 2, r.err);
  assert.ok(r.err.includes(`${file} can be written by any user (mode 0666)`), r.err);
});

test('an agent identity is held to the mode of the file read', { skip: process.platform === 'win32' }, async (t) => {
  const home = await tempDir(t, 'vouch-identity-read-');
  const env = { VOUCH_HOME: home };
  const pair = await generateKeyPair('Ed25519');
  await saveIdentity(
    {
      version: 1,
      alias: 'bot',
      did: 'did:identity:bot',
      server: 'http://127.0.0.1:1',
      publicKey: pair.publicKeyRegistry!,
      publicKeyBase64: pair.publicKeyBase64!,
      privateKeyPem: pair.privatePem,
      linked: true,
      createdAt: new Date(0).toISOString(),
    },
    env,
  );
  const file = identityPath('bot', env);
  let err = '';
  const io = { err: (text: string) => void (err += `${text}\n`) };
  await chmod(file, 0o666);
  await assert.rejects(
    pathSays(file, 0o600, () => resolveIdentity('bot', env, io)),
    anyUser(file),
  );
  await chmod(file, 0o600);
  assert.equal((await pathSays(file, 0o640, () => resolveIdentity('bot', env, io))).did, 'did:identity:bot');
  assert.equal(err, '');
});
