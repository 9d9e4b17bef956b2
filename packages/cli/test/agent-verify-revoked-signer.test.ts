// `vouch agent verify <hash>` without --file, for a signature whose agent has since been revoked: the server still
// answers `valid: true` (it verified when recorded) with `agent.status: "revoked"`, but the CLI's contract (its
// --help, docs/PROTOCOL.md, SKILL.md) is exit 1 for a revoked signer, as it already is with --file. A script doing
// `vouch agent verify "$H" && trust` must not trust a revoked agent's signature.
import assert from 'node:assert/strict';
import { generateKeyPair, VouchAgent, VouchClient } from '@vouch/sdk';
import { loadConfig, ManualClock, startServer } from '@vouch/server';
import { eachEngine } from '../../server/test/helpers/storage.ts';
import { serverEnv, T0, TEST_ADMIN_KEY } from '../../server/test/helpers/app.ts';
import { run } from './helpers.ts';

eachEngine('agent verify without --file: a revoked signer is exit 1 and valid: false', async ({ engine, options }) => {
  const clock = new ManualClock(T0);
  const env = { ...serverEnv(engine, options), VOUCH_HOST: '127.0.0.1', VOUCH_POW_DIFFICULTY: '0' };
  const server = await startServer(loadConfig(env), { clock });
  try {
    const url = server.address;
    const client = new VouchClient({ baseUrl: url, now: () => clock.now() });
    const key = await generateKeyPair('Ed25519');
    const { did } = await client.agents.register({ publicKey: key.publicKeyBase64!, powNonce: '0' });
    const { signatureHash } = await new VouchAgent(client, { did, privateKey: key.privateKey }).signContent('hi');

    const before = await run('agent', 'verify', signatureHash, '--server', url, '--json');
    assert.equal(before.code, 0, before.err);
    assert.equal((JSON.parse(before.out) as { valid: boolean }).valid, true);

    const admin = client.withCredentials({ adminKey: TEST_ADMIN_KEY });
    await admin.agents.revoke(did, 'compromised', { as: 'admin' });

    const human = await run('agent', 'verify', signatureHash, '--server', url);
    assert.equal(human.code, 1, `a revoked signer is a failed verification\n${human.out}${human.err}`);
    assert.match(human.out, /agent status: revoked/);
    assert.match(human.err, /^vouch: the signature does not hold \(AGENT_REVOKED\)\.\n$/);

    const json = await run('agent', 'verify', signatureHash, '--server', url, '--json');
    assert.equal(json.code, 1, json.err);
    const verdict = JSON.parse(json.out) as { valid: boolean; code: string; agent: { status: string } };
    assert.deepEqual([verdict.valid, verdict.code, verdict.agent.status], [false, 'AGENT_REVOKED', 'revoked']);
  } finally {
    await server.close();
  }
});
