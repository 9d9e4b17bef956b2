// `vouch agent list --json` and `agent whoami --json` printed an identity file as read, minus privateKeyPem, claimToken
// and version: any other member of the file went out too. A hand-edited file holding another secret (the private JWK
// of a `vouch keygen` file pasted in, a management token kept beside the key) had it printed to stdout, where the
// output is piped and logged. Only the members the CLI writes and shows are printed now.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair, formatPrivateKey, formatPublicKey } from '@vouch/sdk';
import { runClean, tempDir } from './helpers.ts';

test('agent list and whoami --json print only the public members of an identity file', async (t) => {
  const home = await tempDir(t);
  const key = await generateKeyPair('Ed25519');
  await mkdir(join(home, 'identities'), { recursive: true, mode: 0o700 });
  const shown = {
    alias: 'bot',
    did: 'did:identity:bot',
    server: 'http://127.0.0.1:9',
    label: 'Bot',
    publicKey: formatPublicKey(key.publicKey, 'registry'),
    publicKeyBase64: key.publicKeyBase64!,
    linked: false,
    createdAt: '2026-01-01T00:00:00.000Z',
  };
  const identity = {
    version: 1,
    ...shown,
    privateKeyPem: formatPrivateKey(key.privateKey, 'pem'),
    claimToken: 'vouch_claim_SECRET-CLAIM',
    privateJwk: key.privateJwk,
    managementToken: 'vouch_mgmt_SECRET-MGMT',
  };
  await writeFile(join(home, 'identities', 'bot.json'), JSON.stringify(identity), { mode: 0o600 });
  const env = { HOME: home, VOUCH_HOME: home };
  const d = (key.privateJwk as { d: string }).d;

  const list = await runClean(env, 'agent', 'list', '--json');
  assert.equal(list.code, 0, list.err);
  const who = await runClean(env, 'agent', 'whoami', '--alias', 'bot', '--json');
  assert.equal(who.code, 0, who.err);
  for (const [what, out] of [
    ['list', list.out],
    ['whoami', who.out],
  ] as const) {
    for (const secret of [d, 'SECRET-MGMT', 'SECRET-CLAIM', 'PRIVATE KEY']) {
      assert.ok(!out.includes(secret), `${what} --json printed ${secret}`);
    }
  }
  assert.deepEqual((JSON.parse(list.out) as { identities: unknown[] }).identities, [{ ...shown, default: false }]);
  assert.deepEqual(JSON.parse(who.out), shown);
});
