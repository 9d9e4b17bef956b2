// Gaps found by mutation testing: the far ends of the refused ranges, and ranges no test named. A block's prefix
// length can shrink (198.18.0.0/15 → /16, 240.0.0.0/4 → /8) or a block can disappear (192.88.99.0/24, 5f00::/16)
// and every address the other tests try would still be refused, while these would become reachable. (5f00::/16
// lies outside 2000::/3 and would stay refused as reserved: only its named reason is checked here.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressRefusal, canonicalAddress, isLoopbackAddress } from '../../src/net/index.ts';

test('the last addresses of the refused IPv4 ranges are refused too', () => {
  const refused: Array<[string, RegExp]> = [
    ['0.255.255.255', /this network/],
    ['10.255.255.255', /private/],
    ['127.255.255.255', /loopback/],
    ['169.254.255.255', /link-local/],
    ['192.0.0.255', /IETF/],
    ['192.0.2.255', /documentation/],
    ['192.88.99.1', /6to4 relay anycast/],
    ['192.88.99.255', /6to4 relay anycast/],
    ['192.168.255.255', /private/],
    ['198.19.255.255', /benchmarking/],
    ['198.51.100.255', /documentation/],
    ['203.0.113.255', /documentation/],
    ['239.255.255.255', /multicast/],
    ['250.1.2.3', /reserved/],
    ['255.255.255.254', /reserved/],
  ];
  for (const [ip, why] of refused) assert.match(addressRefusal(ip) ?? 'allowed', why, ip);
  // The neighbours outside them are public.
  for (const ip of ['192.88.98.255', '192.88.100.0', '198.17.255.255', '198.20.0.0', '223.255.255.255']) {
    assert.equal(addressRefusal(ip), null, ip);
  }
});

test('the IPv6 ranges no other test names are refused, with their ends', () => {
  const refused: Array<[string, RegExp]> = [
    ['5f00::1', /segment routing/],
    ['5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff', /segment routing/],
    ['100::ffff:ffff:ffff:ffff', /discard-only/],
    ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', /documentation/],
    ['3fff:fff:ffff::1', /documentation/],
    ['fdff:ffff::1', /unique local/],
    ['febf:ffff::1', /link-local/],
    ['feff::1', /site-local/],
    ['ffff::1', /multicast/],
    ['64:ff9b:1:ffff::1', /local-use NAT64/],
  ];
  for (const [ip, why] of refused) assert.match(addressRefusal(ip) ?? 'allowed', why, ip);
  for (const ip of ['2001:db9::1', '3fff:1000::1', '2606:4700::1']) {
    assert.equal(addressRefusal(ip), null, ip);
  }
});

test('prefixes are matched to their full length: near misses of ::ffff:0:0/96, 64:ff9b::/96 and 2001::/23', () => {
  // Judged as IPv4-mapped or NAT64 by a shorter prefix, these would pass as the public 8.8.8.8 they end in.
  for (const ip of ['::ff00:808:808', '::fffe:808:808', '64:ff9b::1:808:808', '64:ff9b:0:1::808:808']) {
    assert.match(addressRefusal(ip) ?? 'allowed', /reserved/, ip);
  }
  // 2001:100::/24 is the upper half of 2001::/23: outside a /24 it would be global unicast.
  for (const ip of ['2001:100::1', '2001:1ff:ffff::1']) assert.match(addressRefusal(ip) ?? 'allowed', /IETF/, ip);
  assert.equal(addressRefusal('2001:200::1'), null);
});

test('insecure mode allows the IPv4-compatible form of loopback, as isLoopbackAddress documents', () => {
  assert.ok(isLoopbackAddress('::127.0.0.1'));
  assert.equal(addressRefusal('::127.0.0.1', { allowLoopback: true }), null);
  assert.match(addressRefusal('::10.0.0.1', { allowLoopback: true }) ?? 'allowed', /IPv4-compatible form of private/);
});

test('canonicalAddress leaves a single zero group as 0 (RFC 5952 4.2.2)', () => {
  assert.equal(canonicalAddress('1:0:2:3:4:5:6:7'), '1:0:2:3:4:5:6:7');
  assert.equal(canonicalAddress('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1');
});
