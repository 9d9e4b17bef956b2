// `vouch agent create` prints the DID and the claim token the server answered, each on its line: they are the
// server's text, held to field() as every other command's server-supplied values are. Before, a DID or a claim token
// holding a newline printed lines of the server's choosing ("linked to the owner of the linking key") in the result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { answerJson, recordingServer as serve, runClean, tempDir } from './helpers.ts';

const FORGED = '\nlinked to the owner of the linking key';

test('agent create: the DID and claim token of the answer cannot start a line of their own', async (t) => {
  const home = await tempDir(t);
  const server = await serve(t, (res, req) =>
    req.url === '/.well-known/agent-registry.json'
      ? answerJson(res, 200, { issuer: 'https://vouch.example' })
      : answerJson(res, 201, { did: `did:identity:bot${FORGED}`, linked: false, claimToken: `claim${FORGED}` }),
  );
  const r = await runClean(
    { HOME: home, VOUCH_HOME: join(home, '.vouch') },
    'agent',
    'create',
    '--alias',
    'bot',
    '--pow-difficulty',
    '0',
    '--server',
    server.url,
  );
  assert.equal(r.code, 0, r.err);
  assert.doesNotMatch(r.out, /^linked to the owner/m, JSON.stringify(r.out));
  assert.match(r.out, /^created agent "bot": did:identity:bot\uFFFDlinked to the owner of the linking key$/m);
  assert.match(r.out, /: claim\uFFFDlinked to the owner of the linking key$/m);
});
