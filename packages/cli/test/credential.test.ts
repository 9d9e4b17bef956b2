// `vouch registry credential` and `verify-credential` end to end: real keys and files, a registry of five issuers
// built with the CLI itself, then a removal by proposal that turns the issuer's credentials into ISSUER_REVOKED.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, generateKeyPair } from '@vouch/sdk';
import { draftRegistry, ISSUERS, ok, run } from './helpers.ts';

test('credential → verify-credential, refusals by code, then ISSUER_REVOKED after a removal', async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'vouch-credential-'));
  t.after(() => rm(base, { recursive: true, force: true }));
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '3', '--dir', reg, ...ISSUERS);
  const rootPub = (JSON.parse(await readFile(key('root'), 'utf8')) as { publicKey: string }).publicKey;

  // Issued as acme for agent:bot; `extra` adds the other options.
  const issueTo = (...extra: string[]) =>
    ok(
      0,
      'registry',
      'credential',
      '--key',
      key('acme'),
      '--as',
      'acme',
      '--agent',
      'agent:bot',
      '--dir',
      reg,
      ...extra,
    );
  const agent = await generateKeyPair('Ed25519');
  const issued = await issueTo(
    '--scope',
    'payments:*:read,mail:inbox:send',
    '--ttl',
    '2h',
    '--agent-key',
    agent.publicKeyRegistry!,
  );
  const credential = issued.out.trim();
  const { header, claims } = decodeJwt(credential);
  assert.deepEqual([header.alg, header.typ, header.kid], ['EdDSA', 'agent-credential+jwt', 'acme']);
  assert.equal(claims.exp! - claims.iat!, 7200);
  assert.deepEqual(claims.scope, ['payments:*:read', 'mail:inbox:send']);
  assert.deepEqual(claims.cnf, { jwk: agent.publicJwk });

  // Written to a file (0600), verified from it.
  const file = join(base, 'bot.cred');
  await issueTo('--output', file);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  // Renewed to the same path, over a file left readable: the credential replaces it, and the file is 0600 again.
  await chmod(file, 0o644);
  const before = await readFile(file, 'utf8');
  await issueTo('--ttl', '1h', '--output', file);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.notEqual(await readFile(file, 'utf8'), before);
  assert.deepEqual(
    (await readdir(base)).filter((n) => n.endsWith('.tmp')),
    [],
    'no temporary file is left',
  );
  const verify = (cred: string, ...extra: string[]) =>
    run('registry', 'verify-credential', cred, '--root-key', rootPub, '--dir', reg, ...extra);
  const good = await verify(file, '--agent', 'agent:bot', '--format', 'json');
  assert.equal(good.code, 0, good.err);
  const report = JSON.parse(good.out) as { valid: boolean; issuer: string; registrySequence: number };
  assert.deepEqual([report.valid, report.issuer, report.registrySequence], [true, 'acme', 1]);
  const text = await verify(credential, '--resource', 'payments:invoices', '--action', 'read');
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, /valid: credential from acme for agent:bot/);

  const codeOf = async (args: string[]) => {
    const r = await verify(credential, '--format', 'json', ...args);
    assert.equal(r.code, 1, r.out + r.err);
    return (JSON.parse(r.out) as { code: string }).code;
  };
  assert.equal(await codeOf(['--agent', 'agent:other']), 'SUBJECT_MISMATCH');
  assert.equal(await codeOf(['--resource', 'payments:invoices', '--action', 'write']), 'SCOPE_VIOLATION');
  assert.equal(await codeOf(['--at', new Date(Date.now() + 3 * 3600_000).toISOString()]), 'CREDENTIAL_EXPIRED');
  const [h, , sig] = credential.split('.');
  const forgedClaims = Buffer.from(JSON.stringify({ ...claims, sub: 'agent:other' })).toString('base64url');
  const tampered = `${h}.${forgedClaims}.${sig}`;
  const t2 = await verify(tampered, '--format', 'json');
  assert.equal(t2.code, 1);
  assert.equal((JSON.parse(t2.out) as { code: string }).code, 'CREDENTIAL_INVALID');

  // Usage errors: someone else's key, a bad scope, half of --resource/--action.
  const wrongKey = await run(
    'registry',
    'credential',
    '--key',
    key('bolt'),
    '--as',
    'acme',
    '--agent',
    'a',
    '--dir',
    reg,
  );
  assert.equal(wrongKey.code, 2);
  assert.match(wrongKey.err, /not the registered key of acme/);
  assert.equal(
    (
      await run(
        'registry',
        'credential',
        '--key',
        key('acme'),
        '--as',
        'acme',
        '--agent',
        'a',
        '--scope',
        'read',
        '--dir',
        reg,
      )
    ).code,
    2,
  );
  assert.equal((await verify(credential, '--resource', 'x')).code, 2);

  // acme is removed by three others: its credential no longer verifies.
  await ok(0, 'registry', 'propose', 'remove', '--id', 'acme', '--reason', 'compromised', '--dir', reg);
  const removal = join(reg, 'proposals/2-remove-acme.json');
  for (const id of ['bolt', 'coda', 'dyad']) {
    await ok(0, 'registry', 'sign', removal, '--key', key(id), '--as', id, '--dir', reg);
  }
  await ok(0, 'registry', 'build', '--root-key', key('root'), '--dir', reg);
  assert.equal(await codeOf([]), 'ISSUER_REVOKED');
  const after = await run('registry', 'credential', '--key', key('acme'), '--as', 'acme', '--agent', 'a', '--dir', reg);
  assert.equal(after.code, 2);
  assert.match(after.err, /acme is not an active issuer/);
});
