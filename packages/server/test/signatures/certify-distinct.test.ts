// certificationCount counts certifiers, not requests: anyone can certify with the public payloadHash, so one client
// address adds at most one certification per signature per UTC day, however often (or however concurrently) it asks.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { findSignature } from '../../src/modules/signatures/service.ts';
import { certifyFrom, recordSigned, registerPow, SIG_ENV } from './helpers.ts';

const DAY_MS = 86_400_000;

eachEngine('certify: one client address counts once per signature per UTC day', async ({ open }) => {
  const storage = await open();
  const { app, ctx, clock } = await makeApp(storage, { env: SIG_ENV });
  try {
    const agent = await registerPow(app);
    const a = await recordSigned(app, agent, 'never shown to anyone', clock.now());
    const b = await recordSigned(app, agent, 'another message', clock.now());

    // One client, without the content, 30 times: one certification.
    for (let i = 0; i < 30; i++) {
      const r = await certifyFrom(app, a.signatureHash, a.body.payloadHash, '10.3.0.1');
      assert.deepEqual([r.match, r.certificationCount], [true, 1], `request ${i}`);
    }
    // Another address counts; a mismatch does not; the same address certifying another signature counts there.
    assert.equal((await certifyFrom(app, a.signatureHash, a.body.payloadHash, '10.3.0.2')).certificationCount, 2);
    assert.equal((await certifyFrom(app, a.signatureHash, 'f'.repeat(64), '10.3.0.9')).certificationCount, 2);
    assert.equal((await certifyFrom(app, b.signatureHash, b.body.payloadHash, '10.3.0.1')).certificationCount, 1);

    // The next UTC day, the same address counts once more.
    clock.advance(DAY_MS - (clock.now() % DAY_MS));
    assert.equal((await certifyFrom(app, a.signatureHash, a.body.payloadHash, '10.3.0.1')).certificationCount, 3);
    assert.equal((await certifyFrom(app, a.signatureHash, a.body.payloadHash, '10.3.0.1')).certificationCount, 3);
    assert.equal((await findSignature(ctx, a.signatureHash))!.certificationCount, 3);

    // The page says what the number means.
    const html = (
      await app.inject({ method: 'GET', url: `/verify/${a.signatureHash}`, headers: { accept: 'text/html' } })
    ).body;
    assert.match(html, /id="certification-count">3</);
    assert.match(html, /id="certification-meaning">[^<]*at most one per address per day/);
  } finally {
    await app.close();
  }
});

eachEngine('certify: one address certifying at once from two processes counts once', async ({ open }) => {
  const one = await makeApp(await open(), { env: SIG_ENV });
  const two = await makeApp(await open(), { env: SIG_ENV, kek: one.kek, clock: one.clock });
  try {
    const agent = await registerPow(one.app);
    const { signatureHash, body } = await recordSigned(one.app, agent, 'raced', one.clock.now());
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        certifyFrom(i % 2 === 0 ? one.app : two.app, signatureHash, body.payloadHash, '10.4.0.1'),
      ),
    );
    assert.equal((await findSignature(two.ctx, signatureHash))!.certificationCount, 1);
  } finally {
    await one.app.close();
    await two.app.close();
  }
});
