// A proposal carries at most REGISTRY_LIMITS.maxSignatures (1,000) co-signatures, so a threshold above that can never
// be met again: not even a proposal to lower it could apply, and governance would be frozen for good. A large
// consortium (up to 10,000 issuers) must not be able to set one, at genesis or by a threshold proposal.
import assert from 'node:assert/strict';
import { REGISTRY_LIMITS } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { admin, get, makeIssuers, post, proposal } from './fixtures.ts';

eachEngine(
  'a threshold above the co-signatures a proposal can carry is refused, at genesis and by proposal',
  async ({ open }) => {
    const app = await makeApp(await open());
    try {
      const ids = Array.from({ length: REGISTRY_LIMITS.maxSignatures + 3 }, (_, i) => `issuer-${i}`);
      const is = await makeIssuers(ids);
      const entries = Object.values(is).map((i) => i.entry);
      const frozen = REGISTRY_LIMITS.maxSignatures + 1;

      const tooHigh = await post(
        app.app,
        '/v1/registry/genesis',
        { issuers: entries, threshold: frozen },
        admin(app.adminKey),
      );
      assert.equal(
        tooHigh.status,
        400,
        `genesis with threshold ${frozen}: ${tooHigh.status} ${JSON.stringify(tooHigh.body)}`,
      );
      assert.equal(tooHigh.body.code, 'REGISTRY_THRESHOLD_INVALID');

      const g = await post(app.app, '/v1/registry/genesis', { issuers: entries, threshold: 2 }, admin(app.adminKey));
      assert.equal(g.status, 201, JSON.stringify(g.body));
      const raise = await proposal(
        { registry: g.body.registry as string, baseSequence: 1, action: 'threshold', threshold: { required: frozen } },
        [is['issuer-0']!, is['issuer-1']!],
        app.clock.now(),
      );
      const posted = await post(app.app, '/v1/registry/proposals', raise);
      assert.equal(posted.status, 400, `threshold ${frozen} proposal: ${posted.status} ${JSON.stringify(posted.body)}`);
      assert.equal(posted.body.code, 'REGISTRY_THRESHOLD_INVALID');
      assert.deepEqual((await get(app.app, '/v1/registry')).body.threshold, { required: 2, total: ids.length });
    } finally {
      await app.app.close();
    }
  },
  { timeout: 120_000 },
);
