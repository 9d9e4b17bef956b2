// `vouch agent sign` signs a file's SHA-256, and a consent is a recorded signature of the SHA-256 of the canonical
// integrator_consent_v1 object: signing such a file handed over by someone else would record a consent they could
// post. The command refuses it (exit 2, pointing to `vouch agent consent`) and sends nothing; other files sign.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalize, consentPayload } from '@vouch/sdk';
import { recordingServer, runClean, tempDir, writeStoredIdentity } from './helpers.ts';

test('agent sign refuses an integrator consent statement (exit 2) and sends nothing', async (t) => {
  const server = await recordingServer(t, (res) =>
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ signatureHash: 'b'.repeat(64) })),
  );
  const dir = await tempDir(t);
  await writeStoredIdentity(dir, server.url);
  const env = { HOME: dir, VOUCH_HOME: dir, VOUCH_AGENT: 'bot' };
  const statement = join(dir, 'statement.json');
  await writeFile(
    statement,
    canonicalize(consentPayload('did:identity:bot', 'attacker-shop', 'allow', 1_767_225_600_000)),
  );
  for (const form of [[], ['--json']]) {
    const r = await runClean(env, 'agent', 'sign', statement, ...form);
    assert.equal(r.code, 2, r.err);
    assert.equal(r.out, '');
    assert.equal(
      r.err,
      `vouch: ${statement} is an integrator consent statement (a JSON object whose type is ` +
        '"integrator_consent_v1"): signing it would grant or revoke consent; use vouch agent consent.\n',
    );
  }
  assert.deepEqual(server.seen, [], 'nothing reached the server');

  const other = join(dir, 'invoice.json');
  await writeFile(other, '{"type":"invoice","amount":12}');
  const signed = await runClean(env, 'agent', 'sign', other);
  assert.equal(signed.code, 0, signed.err);
  assert.equal(signed.out, `${'b'.repeat(64)}\n`);
  assert.equal(server.seen.length, 1);
});
