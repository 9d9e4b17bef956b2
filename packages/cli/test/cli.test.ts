import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { run, spawnVouch } from './helpers.ts';

test('--version and --help on every command, with an example', async () => {
  const v = await run('--version');
  assert.equal(v.code, 0);
  assert.match(v.out, /^\d+\.\d+\.\d+\n$/);

  const top = await run('--help');
  assert.equal(top.code, 0);
  assert.match(top.out, /Usage: vouch/);
  assert.match(top.out, /Exit codes: 0 ok, 1 verification failed, 2 usage or input error/);

  const commands = [...top.out.matchAll(/^ {2}(\w[\w-]*)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
  assert.ok(commands.includes('serve') && commands.includes('keygen'), `commands: ${commands.join(', ')}`);
  for (const cmd of commands) {
    const help = await run(cmd, '--help');
    assert.equal(help.code, 0, `${cmd} --help`);
    assert.match(help.out, /Examples?:\n\s+\$ vouch /, `${cmd} --help shows an example`);
  }
});

test('usage errors exit 2', async () => {
  const unknown = await run('frobnicate');
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown command/);
  assert.equal((await run('keygen', '--type', 'rsa')).code, 2);
  assert.equal((await run('serve', '--nope')).code, 2);
});

test('the vouch binary serves /healthz and stops gracefully on SIGTERM', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-cli-'));
  try {
    const child = spawnVouch(
      ['serve', '--port', '0'],
      { VOUCH_LOG_LEVEL: 'info', VOUCH_PUBLIC_URL: 'http://vouch.test' },
      dir,
    );
    let log = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (log += d));
    const address = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: string) => {
        log += d;
        const m = /"address":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(log);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`vouch serve exited early (${code}): ${log}`)));
    });
    const res = await fetch(`${address}/healthz`);
    assert.equal(res.status, 200);
    const adminKey = (await readFile(join(dir, 'data', 'admin.key'), 'utf8')).trim();
    assert.ok(!log.includes(adminKey), 'the admin key is not printed');

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
    assert.match(log, /shutting down/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('vouch serve with a bad configuration exits 2 with the reason', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-cli-'));
  try {
    const child = spawnVouch(['serve'], { VOUCH_PORT: 'eighty' }, dir);
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (err += d));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 2);
    assert.match(err, /VOUCH_PORT must be a whole number/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('keygen writes a 0600 key file, prints the public key, and refuses to overwrite', async () => {
  const { stat } = await import('node:fs/promises');
  const { parsePublicKey, parsePrivateKey, formatPublicKey, jwkThumbprint } = await import('@vouch/sdk');
  const dir = await mkdtemp(join(tmpdir(), 'vouch-keygen-'));
  try {
    const file = join(dir, 'agent.key.json');
    const r = await run('keygen', '--output', file);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^ed25519:[A-Za-z0-9_-]{43}\n$/);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const kf = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    assert.equal(kf.type, 'Ed25519');
    assert.equal(kf.publicKey, r.out.trim());
    const pub = parsePublicKey(kf.publicKey as string);
    assert.equal(formatPublicKey(pub, 'base64'), kf.publicKeyBase64);
    assert.equal(await jwkThumbprint(pub), kf.kid);
    const priv = parsePrivateKey(kf.privateKeyPem as string);
    assert.equal(priv.type, 'Ed25519');
    assert.ok(!r.out.includes(String((kf.privateJwk as { d: string }).d)), 'the private key is never printed');

    const again = await run('keygen', '--output', file);
    assert.equal(again.code, 2);
    assert.match(again.err, /already exists/);
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), kf, 'the existing key is untouched');

    const p = await run('keygen', '--type', 'p256', '--output', join(dir, 'p.json'), '--json');
    assert.equal(p.code, 0, p.err);
    const out = JSON.parse(p.out) as { type: string; publicJwk: { kty: string; crv: string }; kid: string };
    assert.equal(out.type, 'P-256');
    assert.deepEqual([out.publicJwk.kty, out.publicJwk.crv], ['EC', 'P-256']);
    assert.equal(await jwkThumbprint(parsePublicKey(out.publicJwk)), out.kid);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
