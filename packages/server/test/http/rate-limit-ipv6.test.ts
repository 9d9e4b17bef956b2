// Per-address rate limits count an IPv6 client as its /64: a host that can send from any of its 2^64 addresses gets
// one allowance, not one per address.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';

eachEngine('rate limits: the addresses of one IPv6 /64 share one per-address limit', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, {
    env: { VOUCH_RATE_LIMIT_MAX: '3', VOUCH_RATE_LIMIT_WINDOW_MS: '60000' },
  });
  try {
    const hit = async (remoteAddress: string) =>
      (await app.inject({ method: 'GET', url: '/docs/json', remoteAddress })).statusCode;

    // Three addresses of 2001:db8:1:2::/64 use up its limit; a fourth, spelled otherwise, is refused.
    assert.equal(await hit('2001:db8:1:2::1'), 200);
    assert.equal(await hit('2001:db8:1:2::2'), 200);
    assert.equal(await hit('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), 200);
    assert.equal(await hit('2001:DB8:0001:0002:ffff:ffff:ffff:ffff'), 429, 'another address of the same /64');
    assert.equal(await hit('2001:db8:1:2::1'), 429);
    // Neighbouring /64s have limits of their own.
    assert.equal(await hit('2001:db8:1:3::1'), 200);
    assert.equal(await hit('2001:db8:1:1::2'), 200);

    // IPv4 as before: per address; its IPv4-mapped IPv6 form is the same client.
    for (let i = 0; i < 2; i++) assert.equal(await hit('203.0.113.1'), 200);
    assert.equal(await hit('::ffff:203.0.113.1'), 200);
    assert.equal(await hit('203.0.113.1'), 429);
    assert.equal(await hit('::ffff:cb00:7101'), 429);
    assert.equal(await hit('203.0.113.2'), 200, 'another IPv4 address has its own limit');

    clock.advance(60_000);
    assert.equal(await hit('2001:db8:1:2::99'), 200, 'a new window starts for the /64');
  } finally {
    await app.close();
  }
});

eachEngine('rate limits: a forwarded IPv6 client is its /64 too', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, {
    env: { VOUCH_RATE_LIMIT_MAX: '1', VOUCH_TRUST_PROXY: '127.0.0.1' },
  });
  try {
    const hit = async (xff: string) =>
      (
        await app.inject({
          method: 'GET',
          url: '/docs/json',
          remoteAddress: '127.0.0.1',
          headers: { 'x-forwarded-for': xff },
        })
      ).statusCode;
    assert.equal(await hit('2001:db8:7::1'), 200);
    assert.equal(await hit('2001:db8:7:0:1:2:3:4'), 429);
    assert.equal(await hit('2001:db8:8::1'), 200);
  } finally {
    await app.close();
  }
});
