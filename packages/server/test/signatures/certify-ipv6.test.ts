// Certification counts an IPv6 client as its /64: a host holding a /64 certifies a signature once a day, not once
// per address it can send from.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { findSignature } from '../../src/modules/signatures/service.ts';
import { certifyFrom, recordSigned, registerPow, SIG_ENV } from './helpers.ts';

const DAY_MS = 86_400_000;

async function certify(app: FastifyInstance, signatureHash: string, contentHash: string, from: string) {
  return (await certifyFrom(app, signatureHash, contentHash, from)).certificationCount;
}

eachEngine('certify: the addresses of one IPv6 /64 certify a signature once per UTC day', async ({ open }) => {
  const storage = await open();
  const { app, ctx, clock } = await makeApp(storage, { env: SIG_ENV });
  try {
    const agent = await registerPow(app);
    const { signatureHash, body } = await recordSigned(app, agent, 'certified from IPv6', clock.now());
    const c = (from: string) => certify(app, signatureHash, body.payloadHash, from);

    assert.equal(await c('2001:db8:a:b::1'), 1);
    assert.equal(await c('2001:db8:a:b::2'), 1, 'another address of the same /64');
    assert.equal(await c('2001:0DB8:000A:000B:1234:5678:9abc:def0'), 1, 'the same /64, spelled otherwise');
    assert.equal(await c('2001:db8:a:c::1'), 2, 'another /64 counts');
    assert.equal(await c('2001:db8:a:c::ffff'), 2);

    // IPv4 as before, and its IPv4-mapped form is the same client.
    assert.equal(await c('10.3.0.1'), 3);
    assert.equal(await c('::ffff:10.3.0.1'), 3);
    assert.equal(await c('10.3.0.2'), 4);

    // The next UTC day the /64 counts once more.
    clock.advance(DAY_MS - (clock.now() % DAY_MS));
    assert.equal(await c('2001:db8:a:b::3'), 5);
    assert.equal(await c('2001:db8:a:b::4'), 5);
    assert.equal((await findSignature(ctx, signatureHash))!.certificationCount, 5);
  } finally {
    await app.close();
  }
});
