// `vouch agent list`, `whoami` and `use` print an identity's DID (the server's answer at registration, kept as it
// came), its label and its server one per line: a line break in one of them, from a hostile server's registration
// answer or a hand edit, no longer prints a line of its own (a forged "* other  did:..." row, say); --json keeps the
// values as they are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair, formatPrivateKey, formatPublicKey } from '@vouch/sdk';
import { runClean, tempDir } from './helpers.ts';

const FORGED = '\n* boss  did:identity:boss  https://vouch.example';

test('agent list, whoami and use keep an identity file value on its line', async (t) => {
  const home = await tempDir(t);
  const key = await generateKeyPair('Ed25519');
  await mkdir(join(home, 'identities'), { recursive: true, mode: 0o700 });
  const identity = {
    version: 1,
    alias: 'bot',
    did: `did:identity:bot${FORGED}`,
    server: `http://127.0.0.1:9${FORGED}`,
    label: `Bot${FORGED}`,
    publicKey: formatPublicKey(key.publicKey, 'registry'),
    publicKeyBase64: 'AAAA',
    privateKeyPem: formatPrivateKey(key.privateKey, 'pem'),
    linked: true,
    createdAt: '2026-01-01T00:00:00.000Z',
  };
  await writeFile(join(home, 'identities', 'bot.json'), JSON.stringify(identity), { mode: 0o600 });
  const env = { HOME: home, VOUCH_HOME: home };
  for (const args of [
    ['agent', 'use', 'bot'],
    ['agent', 'list'],
    ['agent', 'whoami', '--server', 'http://127.0.0.1:9'],
  ]) {
    const r = await runClean(env, ...args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
    assert.doesNotMatch(r.out, /^\* boss/m, `${args.join(' ')}: ${JSON.stringify(r.out)}`);
    assert.match(r.out, /did:identity:bot\uFFFD\* boss/, args.join(' '));
  }
  const asJson = await runClean(env, 'agent', 'list', '--json');
  const rows = (JSON.parse(asJson.out) as { identities: { did: string; label: string }[] }).identities;
  assert.equal(rows[0]!.did, identity.did, 'the same value in --json');
  assert.equal(rows[0]!.label, identity.label);
});
