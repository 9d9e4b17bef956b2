// A server that answered and then broke off its answer was reached: the agent commands (which call it through the
// SDK, whose status-0 error covers both) said "cannot reach <server>", sending the operator after a server that is up.
// They now say the answer broke off, as the commands with their own HTTP calls do; no answer at all still reads
// "cannot reach".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { recordingServer as serve, runClean, tempDir, writeStoredIdentity } from './helpers.ts';

test('agent commands: an answer that broke off is not an unreachable server', async (t) => {
  const dir = await tempDir(t);
  const server = await serve(t, (res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
    res.write('{"did":', () => res.destroy());
  });
  await writeStoredIdentity(dir, server.url);
  const env = { HOME: dir, VOUCH_HOME: dir };
  for (const args of [
    ['agent', 'whoami', '--alias', 'bot', '--check'],
    ['agent', 'verify', 'a'.repeat(64), '--server', server.url],
  ]) {
    const r = await runClean(env, ...args);
    assert.equal(r.code, 2, r.err);
    assert.equal(r.err, `vouch: the answer from ${server.url} broke off (UND_ERR_SOCKET).\n`, args.join(' '));
  }

  // A port where nothing listens still gets no answer at all.
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  const down = await runClean(env, 'agent', 'verify', 'a'.repeat(64), '--server', `http://127.0.0.1:${port}`);
  assert.equal(down.code, 2);
  assert.equal(down.err, `vouch: cannot reach http://127.0.0.1:${port} (ECONNREFUSED).\n`);
});
