// `vouch agent whoami --check` asks the server for the agent's status; an answer that is not the agent's profile (a
// proxy's page labelled text/html, a broken server's {}) ends with exit 2 and one line saying so. Before, the command
// printed the local identity without a status and exited 0, as if the check had passed, and `null` failed with a
// JavaScript TypeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { recordingServer as serve, runClean, tempDir, writeStoredIdentity, sdkRefusedAnswer } from './helpers.ts';

const DID = 'did:identity:bot';

/** A stored identity `bot` on `server` (never registered: the test's server answers for it). */
async function home(dir: string, server: string): Promise<string> {
  const vouchHome = join(dir, 'home');
  await writeStoredIdentity(vouchHome, server);
  return vouchHome;
}

const answer = (res: ServerResponse, status: number, type: string, text: string) =>
  res.writeHead(status, { 'content-type': type }).end(text);

test('agent whoami --check refuses an answer that is not the agent profile (exit 2, not 0)', async (t) => {
  const dir = await tempDir(t);
  const bodies: ReadonlyArray<readonly [string, string]> = [
    ['text/html', '<html>portal</html>'],
    ['application/json', '{}'],
    ['application/json', 'null'],
    ['application/json', '{"status":7,"identity_score":30}'],
    ['application/json', '{"status":"claimed","identity_score":"30"}'],
  ];
  for (const [type, text] of bodies) {
    const server = await serve(t, (res) => answer(res, 200, type, text));
    const vouchHome = await home(await tempDir(t), server.url);
    for (const form of [[], ['--json']]) {
      const r = await runClean(
        { VOUCH_HOME: vouchHome, HOME: dir },
        'agent',
        'whoami',
        '--alias',
        'bot',
        '--check',
        ...form,
      );
      const what = `${form.join(' ')} ${text}`;
      assert.equal(r.code, 2, `${what}: ${r.err}`);
      assert.equal(r.out, '', what);
      // A page that is not JSON at all is the SDK's RESPONSE_INVALID; JSON of the wrong shape is the CLI's check.
      const said =
        type === 'text/html' || text === 'null'
          ? sdkRefusedAnswer('/v1/identity/\\S+')
          : /the server's answer is not the profile of did:identity:bot/;
      assert.match(r.err, said, what);
    }
  }
  // The profile's status and score are shown.
  const good = await serve(t, (res) =>
    answer(res, 200, 'application/json', JSON.stringify({ did: DID, status: 'claimed', identity_score: 30 })),
  );
  const vouchHome = await home(await tempDir(t), good.url);
  const r = await runClean(
    { VOUCH_HOME: vouchHome, HOME: dir },
    'agent',
    'whoami',
    '--alias',
    'bot',
    '--check',
    '--json',
  );
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as { status: string; identityScore: number };
  assert.deepEqual([out.status, out.identityScore], ['claimed', 30]);
});
