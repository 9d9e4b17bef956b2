// `vouch agent create` against a server whose registration answer links nothing and holds no claim token: the result
// says so. Before, it printed "claim token (...): undefined", a token the user could try to hand an owner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { answerJson, recordingServer as serve, runClean, tempDir } from './helpers.ts';

test('agent create without a claim token in the answer does not print "undefined"', async (t) => {
  const home = await tempDir(t);
  const server = await serve(t, (res, req) =>
    req.url === '/.well-known/agent-registry.json'
      ? answerJson(res, 200, { issuer: 'https://vouch.example' })
      : answerJson(res, 201, { did: 'did:identity:bot', linked: false }),
  );
  const r = await runClean(
    { HOME: home, VOUCH_HOME: join(home, '.vouch') },
    ...['agent', 'create', '--alias', 'bot', '--pow-difficulty', '0', '--server', server.url],
  );
  assert.equal(r.code, 0, r.err);
  assert.doesNotMatch(r.out, /undefined/);
  assert.match(r.out, /^not linked to an owner, and the server gave no claim token$/m);
});
