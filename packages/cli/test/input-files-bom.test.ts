// A JSON file saved by an editor that starts it with a UTF-8 BOM (Notepad, some Windows tools) is read as the same
// JSON, as the registry key files and secret files are: `token issue --key` and `integrator metrics --file` said
// "not JSON". Bytes that are not UTF-8 are refused, exit 2, before anything is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { answerJson, recordingServer as serve, runClean, tempDir, writeStoredIdentity } from './helpers.ts';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

test('token issue --key reads an identity file that starts with a BOM', async (t) => {
  const dir = await tempDir(t);
  const vouchHome = join(dir, 'home');
  await writeStoredIdentity(vouchHome, 'http://127.0.0.1:9');
  const plain = join(vouchHome, 'identities', 'bot.json');
  const withBom = join(dir, 'bot-bom.json');
  await writeFile(withBom, Buffer.concat([BOM, await readFile(plain)]), { mode: 0o600 });
  const server = await serve(t, (res) => answerJson(res, 503, { error: { code: 'UNAVAILABLE', message: 'down' } }));
  const did = 'did:identity:bot';
  const r = await runClean({ HOME: dir }, 'token', 'issue', did, '--key', withBom, '--server', server.url);
  assert.doesNotMatch(r.err, /not JSON|does not hold/, r.err);
  assert.equal(server.seen.length, 1, `${r.err}: the request was sent`);
  assert.match(server.seen[0]!.body, /"proof"/);

  const notUtf8 = join(dir, 'bot-latin1.json');
  await writeFile(notUtf8, Buffer.concat([Buffer.from([0xff, 0xfe]), await readFile(plain)]), { mode: 0o600 });
  const bad = await runClean({ HOME: dir }, 'token', 'issue', did, '--key', notUtf8, '--server', server.url);
  assert.equal(bad.code, 2, bad.err);
  assert.equal(server.seen.length, 1, 'nothing more sent');
});

test('integrator metrics --file reads a metrics file that starts with a BOM', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'metrics.json');
  const metrics = [{ metricKey: 'uptime', polarity: 'boost', weight: 0.5, lane: 'presence' }];
  await writeFile(file, Buffer.concat([BOM, Buffer.from(JSON.stringify(metrics))]));
  const server = await serve(t, (res) => answerJson(res, 503, { error: { code: 'UNAVAILABLE', message: 'down' } }));
  const env = { VOUCH_ADMIN_KEY: 'admin-key-for-the-test-0123456789abcdef' };
  const r = await runClean(env, 'integrator', 'metrics', 'desk', '--file', file, '--server', server.url);
  assert.doesNotMatch(r.err, /not JSON/, r.err);
  assert.equal(server.seen.length, 1, `${r.err}: the request was sent`);
  assert.deepEqual((JSON.parse(server.seen[0]!.body) as { metrics: unknown }).metrics, metrics);

  const notUtf8 = join(dir, 'latin1.json');
  await writeFile(notUtf8, Buffer.from('[{"metricKey":"caf\xe9"}]', 'latin1'));
  const bad = await runClean(env, 'integrator', 'metrics', 'desk', '--file', notUtf8, '--server', server.url);
  assert.equal(bad.code, 2, bad.err);
  assert.match(bad.err, /not UTF-8/);
  assert.equal(server.seen.length, 1, 'nothing more sent');
});
