// `vouch agent sign` says on stderr which identity signed: its DID, the server's registration answer kept as it came
// in the identity file. It printed the DID as it was, so a line break in it (a hostile server's registration answer,
// a hand edit) printed a line of its own there, unlike agent list, use and whoami, which keep it on its line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { recordingServer, runClean, tempDir, writeStoredIdentity } from './helpers.ts';

const FORGED = '\nverify: https://evil.example/verify/0';

test("agent sign keeps the identity's DID on its line", async (t) => {
  const dir = await tempDir(t);
  const server = await recordingServer(t, (res) =>
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ signatureHash: 'c'.repeat(64) })),
  );
  const vouchHome = join(dir, 'home');
  await writeStoredIdentity(vouchHome, server.url);
  const file = join(vouchHome, 'identities', 'bot.json');
  const stored = JSON.parse(await readFile(file, 'utf8')) as { did: string };
  await writeFile(file, JSON.stringify({ ...stored, did: `did:identity:bot${FORGED}` }), { mode: 0o600 });
  const content = join(dir, 'content.txt');
  await writeFile(content, 'hello\n');
  const r = await runClean({ HOME: dir, VOUCH_HOME: vouchHome }, 'agent', 'sign', content, '--alias', 'bot');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, `${'c'.repeat(64)}\n`);
  assert.doesNotMatch(r.err, /^verify: https:\/\/evil/m, JSON.stringify(r.err));
  assert.match(r.err, /as did:identity:bot\uFFFDverify: https:\/\/evil/);
});
