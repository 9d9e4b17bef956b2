// JSON has no NaN or Infinity: JSON.stringify writes them as null. Every body the client sends goes through one
// serialization (HttpTransport.call), which refuses a body holding one with INVALID_ARGUMENT and sends nothing,
// whatever the method: an `expiresIn` of NaN (a bad computation) went out as `null` and came back as the server's
// "body.expiresIn must be integer", about a null the caller never wrote; a NaN in free-form JSON could be stored as
// null where the server takes null as absent (see client-ingest-non-finite).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { respond, serveAnswers } from './answering-server.ts';
import { isVouchError, VouchClient } from '../src/index.ts';
import type { Proposal } from '../src/index.ts';

test('every client method refuses a body holding NaN or Infinity instead of sending it as null', async (t) => {
  const s = await serveAnswers(t, respond('application/json', '{}'));
  const client = new VouchClient({
    baseUrl: s.url,
    credentials: { adminKey: 'admin-key', managementToken: 'vmt_test' },
    retry: { retries: 0 },
  });
  const metric = { metricKey: 'm', polarity: 'boost', lane: 'conduct' } as const;
  const calls: Array<[string, () => Promise<unknown>]> = [
    [
      'capabilities.issue',
      () => client.capabilities.issue({ agentId: 'a', resource: 'r', action: 'x', tier: 'observe', expiresIn: NaN }),
    ],
    [
      'integrators.create',
      () =>
        client.integrators.create({
          slug: 'shop',
          name: 'Shop',
          domain: 'shop.example',
          metrics: [{ ...metric, weight: Infinity }],
        }),
    ],
    ['registry.genesis', () => client.registry.genesis({ issuers: [{}], threshold: -Infinity })],
    ['registry.propose', () => client.registry.propose({ baseSequence: NaN } as unknown as Proposal)],
    [
      'identity.setVoiceFingerprint',
      () => client.identity.setVoiceFingerprint('a', { fingerprint_hash: 'f', provider: 'p', sample_count: 0 / 0 }),
    ],
  ];
  for (const [name, call] of calls) {
    await assert.rejects(call(), (err: unknown) => {
      assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), `${name}: ${String(err)}`);
      return true;
    });
  }
  assert.deepEqual(s.seen, [], 'nothing was sent');

  // Finite numbers, nulls, -0 and undefined members still go as JSON sends them.
  await client.capabilities.issue({ agentId: 'a', resource: 'r', action: 'x', tier: 'observe', expiresIn: 60 });
  await client.registry.genesis({ issuers: [{ a: null, b: undefined, c: -0, d: 1e300 }], threshold: 1 });
  assert.equal(s.seen.length, 2);
});
