// Two consumer processes on one database follow an authority that re-signs the same sequence with a later expiry.
// When process A stores the re-signed copy first, process B's refresh finds it "unchanged" against the database;
// B must still switch to it, not keep its own older copy until that expires and then answer 503 for good.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createGenesis,
  generateKeyPair,
  replayGovernance,
  signRegistryDocument,
  type RegistryDocument,
} from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { admin, get, makeIssuers, post } from './fixtures.ts';

eachEngine(
  'consumer: a re-signed document stored by another process replaces this one’s older copy',
  async ({ open }) => {
    const root = await generateKeyPair('Ed25519');
    const is = await makeIssuers(['alpha', 'bravo', 'charlie']);
    // v1 lives 300 s; v1b is the same state (same sequence and chain) re-signed at half-life, living an hour.
    const v1 = await createGenesis({
      rootKey: root.privateKey,
      issuers: Object.values(is).map((i) => i.entry),
      threshold: 2,
      now: T0,
      validitySeconds: 300,
    });
    const state = replayGovernance(v1.governance).state!;
    const v1b = await signRegistryDocument(state, {
      rootKey: root.privateKey,
      now: T0 + 150_000,
      validitySeconds: 3600,
    });

    let body: RegistryDocument = v1;
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/agent-trust.json`;
    const env = {
      VOUCH_TRUST_REGISTRY_URL: url,
      VOUCH_TRUST_REGISTRY_ROOT_KEY: root.publicKeyRegistry!,
      VOUCH_TRUST_REGISTRY_TTL: '60',
    };
    const clock = new ManualClock(T0 + 5000);
    try {
      const a = await makeApp(await open(), { env, clock });
      const b = await makeApp(await open(), { env, clock });
      assert.equal((await get(b.app, '/v1/registry')).body.expiresAt, v1.expiresAt);

      // The source re-signs; A refreshes first and stores the new copy, then B refreshes.
      body = v1b;
      clock.set(T0 + 160_000);
      assert.equal((await post(a.app, '/v1/registry/refresh', {}, admin(a.adminKey))).body.outcome, 'updated');
      const refreshB = await post(b.app, '/v1/registry/refresh', {}, admin(b.adminKey));
      assert.equal(refreshB.body.accepted, true, JSON.stringify(refreshB.body));
      assert.equal((await get(b.app, '/v1/registry')).body.expiresAt, v1b.expiresAt, 'B serves the re-signed copy');

      // Past v1's expiry (v1b still valid), B still holds a valid registry, through its periodic refreshes too.
      clock.set(T0 + 301_000);
      const after = await get(b.app, '/v1/registry');
      assert.equal(after.status, 200, `B answers ${after.status} ${JSON.stringify(after.body)} after v1 expired`);
      assert.equal(after.body.expiresAt, v1b.expiresAt);
      await a.app.close();
      await b.app.close();
    } finally {
      server.close();
    }
  },
);
