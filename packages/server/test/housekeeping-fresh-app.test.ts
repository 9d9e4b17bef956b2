// The housekeeping jobs every module runs on a 60 s wall-clock timer (tokens, capabilities, agents, signatures) write
// nothing on an app that has nothing due. The token prune used to load the token keys, which created the signing key
// (and its `server_key.create` audit entry) on an app built without startServer: in a test running past 60 s, a key
// appeared between two tableCounts of a refused request (registry/cli-proposals on a loaded machine).
import assert from 'node:assert/strict';
import { eachEngine } from './helpers/storage.ts';
import { makeApp, tableCounts } from './helpers/app.ts';
import { pruneTokenState } from '../src/modules/tokens/service.ts';
import { pruneCapabilityState } from '../src/modules/capabilities/service.ts';
import { pruneSignedRequests } from '../src/modules/agents/auth.ts';
import { pruneDomainChallenges } from '../src/modules/agents/domain/challenge.ts';
import { pruneReportLocks } from '../src/modules/signatures/reports.ts';
import { listServerKeyStates } from '../src/storage/index.ts';

eachEngine('housekeeping on a fresh app writes nothing: no token key is created by the prune', async ({ open }) => {
  const storage = await open();
  const t = await makeApp(storage);
  try {
    const before = await tableCounts(storage);
    assert.deepEqual(await pruneTokenState(t.ctx), {
      deleted: { token_revocations: 0, token_nonces: 0, issued_tokens: 0, token_issue_proofs: 0 },
      droppedKeys: [],
    });
    await pruneCapabilityState(t.ctx);
    await pruneSignedRequests(t.ctx);
    await pruneDomainChallenges(t.ctx);
    await pruneReportLocks(t.ctx);
    assert.deepEqual(await listServerKeyStates(storage, 'tokens'), []);
    assert.deepEqual(await tableCounts(storage), before);
  } finally {
    await t.app.close();
  }
});
