// A private key file the CLI signs with (an identity file, a `vouch keygen` or `vouch registry keygen` file) follows the
// server's rule for key files: one that group members or other users can read, or group members write, is used, with
// one warning on stderr naming the file, its mode and `chmod 600`; its content is never printed, and stdout (machine
// output) stays clean. One that any user may write is refused (exit 2) before anything is sent or written. A file only
// its owner can read is used silently.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair } from '@vouch/sdk';
import { draftRegistry, ISSUERS, ok, run, runBin, tempDir } from './helpers.ts';

/** The warnings on `err` about `file`. */
function warningsAbout(err: string, file: string): string[] {
  return err.split('\n').filter((l) => l.startsWith('vouch: warning:') && l.includes(file));
}

test('an identity file others can read: agent whoami warns once on stderr, its JSON on stdout stays whole', async (t) => {
  const home = await tempDir(t, 'vouch-loose-identity-');
  const pair = await generateKeyPair('Ed25519');
  const file = join(home, 'identities', 'bot.json');
  await mkdir(join(home, 'identities'), { recursive: true, mode: 0o700 });
  const identity = {
    version: 1,
    alias: 'bot',
    did: 'did:identity:bot',
    server: 'http://127.0.0.1:4100',
    publicKey: pair.publicKeyRegistry,
    publicKeyBase64: pair.publicKeyBase64,
    privateKeyPem: pair.privatePem,
    linked: true,
    createdAt: new Date(0).toISOString(),
  };
  await writeFile(file, JSON.stringify(identity));
  await chmod(file, 0o644);

  const loose = await runBin(['agent', 'whoami', '--alias', 'bot', '--json'], { VOUCH_HOME: home }, home);
  assert.equal(loose.code, 0, loose.err);
  assert.equal((JSON.parse(loose.out) as { did: string }).did, 'did:identity:bot', 'stdout holds the JSON alone');
  const warnings = warningsAbout(loose.err, file);
  assert.equal(warnings.length, 1, loose.err);
  assert.ok(warnings[0]!.includes('(mode 0644)') && warnings[0]!.includes(`chmod 600 ${file}`), warnings[0]);
  assert.ok(!loose.err.includes(pair.privatePem.split('\n')[1]!), 'the key is never printed');

  await chmod(file, 0o600);
  const tight = await runBin(['agent', 'whoami', '--alias', 'bot', '--json'], { VOUCH_HOME: home }, home);
  assert.equal(tight.code, 0, tight.err);
  assert.equal(tight.err, '');
});

test('a registry root key file group members can read: registry init warns once and still signs', async (t) => {
  const base = await tempDir(t, 'vouch-loose-root-key-');
  const { reg, key } = await draftRegistry(base);
  await chmod(key('root'), 0o640);
  const init = await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '3', '--dir', reg, ...ISSUERS);
  const warnings = warningsAbout(init.err, key('root'));
  assert.equal(warnings.length, 1, init.err);
  assert.ok(warnings[0]!.includes('(mode 0640)') && warnings[0]!.includes(`chmod 600 ${key('root')}`));
  const privateKey = (JSON.parse(await readFile(key('root'), 'utf8')) as { privateKey: string }).privateKey;
  assert.ok(!init.err.includes(privateKey.split('\n')[1]!), 'the key is never printed');

  // The issuers' own key files (0600, as keygen writes them) draw no warning when read for their public half.
  assert.deepEqual(
    init.err.split('\n').filter((l) => l.startsWith('vouch: warning:')),
    warnings,
  );
});

/**
 * `token issue` with a fresh `vouch keygen` file of `mode` as its key. Nothing listens on port 1: the command fails
 * after reading the key ("cannot reach", exit 2), so a warning came before the request, and a refusal that does not
 * say "cannot reach" came before anything was sent.
 */
async function issueWithKeyOfMode(t: TestContext, mode: number) {
  const dir = await tempDir(t, 'vouch-key-mode-');
  const file = join(dir, 'agent.key.json');
  await ok(0, 'keygen', '--output', file);
  await chmod(file, mode);
  const issued = await run('token', 'issue', 'did:identity:bot', '--key', file, '--server', 'http://127.0.0.1:1');
  return { file, issued };
}

/** The one warning a `token issue` that read a loose key file but failed on the request wrote; stdout stays empty. */
async function oneWarning(t: TestContext, mode: number): Promise<string> {
  const { file, issued } = await issueWithKeyOfMode(t, mode);
  assert.notEqual(issued.code, 0);
  assert.ok(issued.err.includes('cannot reach'), `the key was read and the request tried: ${issued.err}`);
  const warnings = warningsAbout(issued.err, file);
  assert.equal(warnings.length, 1, issued.err);
  assert.equal(issued.out, '');
  return warnings[0]!;
}

test('a vouch keygen file others can read, given to token issue --key: one warning before the request', async (t) => {
  const warning = await oneWarning(t, 0o604);
  assert.ok(warning.includes('(mode 0604)'), warning);
});

test('a key file group members can write: one warning, like the server (0620)', async (t) => {
  const warning = await oneWarning(t, 0o620);
  assert.ok(warning.includes('written by group members') && warning.includes('(mode 0620)'), warning);
});

test('a key file any user can write is refused with exit 2 before the request (0602, 0666)', async (t) => {
  for (const mode of [0o602, 0o666]) {
    const { file, issued } = await issueWithKeyOfMode(t, mode);
    const shown = mode.toString(8).padStart(4, '0');
    // A refusal that came after the request would say the server cannot be reached (also exit 2).
    assert.equal(issued.code, 2, issued.err);
    assert.ok(!issued.err.includes('cannot reach'), issued.err);
    assert.match(issued.err, new RegExp(`${file} can be written by any user \\(mode ${shown}\\).*chmod 600 ${file}`));
    assert.equal(issued.out, '');
  }
});

test('a registry root key file any user can write: registry init exits 2 and writes nothing', async (t) => {
  const base = await tempDir(t, 'vouch-world-write-root-key-');
  const { reg, key } = await draftRegistry(base);
  const before = await readdir(reg, { recursive: true });
  await chmod(key('root'), 0o666);
  const init = await run('registry', 'init', '--root-key', key('root'), '--threshold', '3', '--dir', reg, ...ISSUERS);
  assert.equal(init.code, 2, init.err);
  assert.match(init.err, /can be written by any user \(mode 0666\)/);
  assert.deepEqual(await readdir(reg, { recursive: true }), before, 'nothing written');
});
