// Review: `POST /v1/identity/{slug}/voice-fingerprint` answers `{registered, agent_slug, did, provider, sample_count}`
// (docs/PROTOCOL.md, "Routes"), but the SDK typed `identity.setVoiceFingerprint`'s answer without `provider` and
// `sample_count`: reading them was a type error (`npm run typecheck` fails on this file before the fix).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { VouchClient } from '../src/index.ts';
import type { IdentityRegistration } from '../src/index.ts';
import { startLiveServer } from './aip-server.ts';
import type { LiveServer } from './aip-server.ts';

let live: LiveServer;
before(async () => {
  live = await startLiveServer();
});
after(() => live.close());

test('identity.setVoiceFingerprint answers the provider and sample count it stored', async () => {
  const client = new VouchClient({ baseUrl: live.url, now: () => live.clock.now(), retry: { retries: 0 } });
  const reg: IdentityRegistration = await client.identity.register({ slug: 'voice-bot' });
  const mgmt = client.withCredentials({ managementToken: reg.management_token });
  const set = await mgmt.identity.setVoiceFingerprint('voice-bot', {
    fingerprint_hash: 'ab'.repeat(32),
    provider: 'acme',
    sample_count: 3,
  });
  const provider: string = set.provider;
  const samples: number = set.sample_count;
  assert.deepEqual(
    [set.registered, set.agent_slug, set.did, provider, samples],
    [true, 'voice-bot', reg.did, 'acme', 3],
  );
});
