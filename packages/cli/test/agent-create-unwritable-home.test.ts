// `vouch agent create` with a $VOUCH_HOME it cannot create (a typo, a read-only mount) must fail before it registers
// anything: the identity folder was only made after the proof of work and the registration, so the server kept a DID
// whose private key (and claim token) no one holds, and the command could only apologise for it.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VouchClient } from '@vouch/sdk';
import { loadConfig, ManualClock, startServer } from '@vouch/server';
import { eachEngine } from '../../server/test/helpers/storage.ts';
import { serverEnv } from '../../server/test/helpers/app.ts';
import { run } from './helpers.ts';

eachEngine('agent create with an unusable VOUCH_HOME registers nothing', async ({ engine, options, dataDir }) => {
  // The CLI signs its key proof with the real clock: the server's clock is pinned to the same moment.
  const clock = new ManualClock(Date.now());
  const env = { ...serverEnv(engine, options), VOUCH_HOST: '127.0.0.1', VOUCH_POW_DIFFICULTY: '0' };
  const server = await startServer(loadConfig(env), { clock });
  const saved = process.env.VOUCH_HOME;
  try {
    const blocker = join(dataDir, 'not-a-folder');
    await writeFile(blocker, 'a file where VOUCH_HOME should be\n');
    process.env.VOUCH_HOME = join(blocker, 'vouch');
    const r = await run('agent', 'create', '--alias', 'lost', '--pow-difficulty', '0', '--server', server.address);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /cannot create .*not-a-folder\/vouch.*: ENOTDIR\./);
    assert.ok(!/proof of work/.test(r.err), `failed before the proof of work:\n${r.err}`);
    const { agents } = await new VouchClient({ baseUrl: server.address }).tokens.agents();
    assert.deepEqual(agents, [], 'no agent was registered');
  } finally {
    if (saved === undefined) delete process.env.VOUCH_HOME;
    else process.env.VOUCH_HOME = saved;
    await server.close();
  }
});
