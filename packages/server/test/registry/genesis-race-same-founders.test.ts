// The same `POST /v1/registry/genesis {issuers, threshold}` sent to two processes on one database at once (a client
// retry behind a load balancer): each process creates its own genesis, signed at its own instant. The registry is
// the one stored first; the other request is a retry of the same genesis and answers 200 with it, not 409.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { afterNextPoolQuery } from '../helpers/interleave.ts';
import { ManualClock } from '../../src/clock.ts';
import { admin, get, makeIssuers, post } from './fixtures.ts';

eachEngine('genesis race: the same founders sent to two processes at once answer 201 and 200', async ({ open }) => {
  const clock = new ManualClock(T0);
  const storageA = await open();
  const a = await makeApp(storageA, { clock });
  const b = await makeApp(await open(), { clock, kek: a.kek }); // one deployment: one key-encryption key
  try {
    const is = await makeIssuers(['alpha', 'bravo', 'charlie']);
    const founders = Object.values(is).map((i) => i.entry);
    const genesis = (app: typeof a, issuers: unknown[], threshold: number) =>
      post(app.app, '/v1/registry/genesis', { issuers, threshold }, admin(app.adminKey));
    // Both processes share the root key (one database); create it before the race.
    assert.equal((await get(a.app, '/v1/registry')).status, 503);

    // A reads "no registry yet"; before it stores its genesis, B creates the same one a second later.
    let fromB: Awaited<ReturnType<typeof genesis>> | undefined;
    afterNextPoolQuery(storageA.db, /from "registry_documents"/, async () => {
      clock.advance(1000);
      fromB = await genesis(b, founders, 2);
    });
    const fromA = await genesis(a, founders, 2);
    assert.equal(fromB?.status, 201, JSON.stringify(fromB?.body));
    assert.equal(fromA.status, 200, `the same genesis at once: ${fromA.status} ${JSON.stringify(fromA.body)}`);
    assert.equal(fromA.body.chainHash, fromB.body.chainHash, 'both name the registry stored first');
    assert.equal((await get(a.app, '/v1/registry')).body.sequence, 1);

    // Another threshold stays a conflict.
    assert.equal((await genesis(a, founders, 2)).status, 200, 'a plain retry is 200 too');
    const conflict = await genesis(b, founders, 1);
    assert.equal(conflict.status, 409, JSON.stringify(conflict.body));
    assert.equal(conflict.body.code, 'REGISTRY_EXISTS');
  } finally {
    await a.app.close();
    await b.app.close();
  }
});
