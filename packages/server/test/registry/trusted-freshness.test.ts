// getTrustedRegistry in authority mode keeps the parsed document while the stored head (sequence, updatedAt) is
// unchanged, and a change committed by another process on the same database is seen on this process's next call:
// an issuer removed by governance on A is denied by B's capability intercept at once.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { getTrustedRegistry } from '../../src/modules/registry/service.ts';
import { boundToken, genesis, intercept, removeIssuer } from '../capabilities/helpers.ts';

const X = 'agent:my-assistant:v1';

eachEngine('a removal committed by process A is denied by process B on its next intercept', async ({ open }) => {
  const a = await makeApp(await open());
  const b = await makeApp(await open(), { kek: a.kek, clock: a.clock });
  try {
    const reg = await genesis(a);
    const x = await boundToken(a, reg.issuers.acme!, X);
    assert.deepEqual(await intercept(b.app, x.token, X), { decision: 'allow' });
    const first = await getTrustedRegistry(b.ctx);
    const second = await getTrustedRegistry(b.ctx);
    assert.equal(first.sequence, 1);
    // The same parsed document: nothing was re-read or re-parsed while the head did not move.
    assert.equal(second.doc, first.doc);

    a.clock.advance(1000);
    await removeIssuer(a, reg, 'acme', ['bolt', 'coda', 'dyad']);
    const denied = await intercept(b.app, x.token, X);
    assert.equal(denied.decision, 'deny');
    assert.equal(denied.code, 'ISSUER_REVOKED');
    const moved = await getTrustedRegistry(b.ctx);
    assert.equal(moved.sequence, 2);
    assert.notEqual(moved.doc, first.doc);
    assert.equal((await getTrustedRegistry(b.ctx)).doc, moved.doc);
  } finally {
    await b.app.close();
    await a.app.close();
  }
});
