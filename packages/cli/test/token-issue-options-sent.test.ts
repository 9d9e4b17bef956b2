// What `vouch token issue` and `vouch agent token` send: every option the command takes reaches the issue route's
// body under its name there. No test read the body, so dropping an option (--nonce, --expires-in, --deployer,
// --model-provider, --framework) would have issued a token without it, exit 0, unnoticed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { answerJson, recordingServer, runClean, tempDir, writeStoredIdentity } from './helpers.ts';

const OPTIONS = [
  ...['--type', 'session', '--audience', 'shop.example', '--nonce', 'n-1', '--expires-in', '6h'],
  ...['--deployer', 'Acme Inc.', '--model-provider', 'anthropic', '--model-provider', 'openai', '--framework', 'lc'],
];
const SENT = {
  token_type: 'session',
  audience: 'shop.example',
  nonce: 'n-1',
  expires_in: '6h',
  deployer: 'Acme Inc.',
  model_providers: ['anthropic', 'openai'],
  framework: 'lc',
};

test('token issue and agent token send every option they take', async (t) => {
  const dir = await tempDir(t);
  const vouchHome = join(dir, 'home');
  await writeStoredIdentity(vouchHome, 'http://127.0.0.1:9');
  const server = await recordingServer(t, (res) => answerJson(res, 201, { token: 'e.y.J' }));
  const bodies = () => server.seen.map((s) => JSON.parse(s.body) as Record<string, unknown>);
  const env = { HOME: dir, VOUCH_HOME: vouchHome };

  // As the admin: the options alone.
  const admin = await runClean(
    { ...env, VOUCH_ADMIN_KEY: 'an-admin-key-0123456789' },
    'token',
    'issue',
    'my-agent',
    ...OPTIONS,
    '--server',
    server.url,
  );
  assert.deepEqual([admin.code, admin.out], [0, 'e.y.J\n'], admin.err);
  assert.deepEqual(bodies()[0], { agent_name: 'my-agent', ...SENT });

  // As the agent itself (--key): the same options, with the proof.
  const key = join(vouchHome, 'identities', 'bot.json');
  const own = await runClean(
    env,
    'token',
    'issue',
    'did:identity:bot',
    ...OPTIONS,
    '--key',
    key,
    '--server',
    server.url,
  );
  assert.deepEqual([own.code, own.out], [0, 'e.y.J\n'], own.err);
  const { proof, signedAt, ...rest } = bodies()[1]!;
  assert.deepEqual(rest, { agent_name: 'did:identity:bot', ...SENT });
  assert.equal(typeof proof, 'string');
  assert.equal(typeof signedAt, 'number');

  // vouch agent token: audience, nonce and lifetime.
  const args = ['--audience', 'shop.example', '--nonce', 'n-1', '--expires-in', '12h', '--alias', 'bot'];
  const agent = await runClean(env, 'agent', 'token', ...args, '--server', server.url);
  assert.deepEqual([agent.code, agent.out], [0, 'e.y.J\n'], agent.err);
  const sent = bodies()[2]!;
  assert.deepEqual(
    [sent.agent_name, sent.token_type, sent.audience, sent.nonce, sent.expires_in],
    ['did:identity:bot', 'session', 'shop.example', 'n-1', '12h'],
  );
});
