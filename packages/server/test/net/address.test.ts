import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressRefusal, canonicalAddress, isLoopbackAddress } from '../../src/net/index.ts';

test('non-public addresses are refused, IPv4 and IPv6, with the range named', () => {
  const refused: Array<[string, RegExp]> = [
    ['0.0.0.0', /unspecified/],
    ['0.1.2.3', /this network/],
    ['10.0.0.1', /private/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['100.127.255.254', /carrier-grade NAT/],
    ['127.0.0.1', /loopback/],
    ['127.255.255.254', /loopback/],
    ['169.254.169.254', /link-local/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.0.0.8', /IETF/],
    ['192.0.2.1', /documentation/],
    ['192.168.1.1', /private/],
    ['198.18.0.1', /benchmarking/],
    ['198.51.100.1', /documentation/],
    ['203.0.113.9', /documentation/],
    ['224.0.0.1', /multicast/],
    ['239.255.255.250', /multicast/],
    ['240.0.0.1', /reserved/],
    ['255.255.255.255', /broadcast/],
    ['::', /unspecified/],
    ['::1', /loopback/],
    ['::ffff:127.0.0.1', /IPv4-mapped form of loopback/],
    ['::ffff:7f00:1', /IPv4-mapped form of loopback/],
    ['::ffff:10.1.2.3', /IPv4-mapped form of private/],
    ['::ffff:169.254.169.254', /IPv4-mapped form of link-local/],
    ['::ffff:0.0.0.0', /IPv4-mapped form of unspecified/],
    ['::127.0.0.1', /IPv4-compatible form of loopback/],
    ['::8.8.8.8', /IPv4-compatible/],
    ['64:ff9b::127.0.0.1', /NAT64 form of loopback/],
    ['64:ff9b::a9fe:a9fe', /NAT64 form of link-local/],
    ['64:ff9b:1::1', /local-use NAT64/],
    ['2002:7f00:1::1', /6to4 form of loopback/],
    ['2002:a00:1::', /6to4 form of private/],
    ['2001:db8::1', /documentation/],
    ['3fff::1', /documentation/],
    ['2001::1', /Teredo/],
    ['2001:2::1', /IETF/],
    ['100::1', /discard/],
    ['fc00::1', /unique local/],
    ['fd12:3456::1', /unique local/],
    ['fe80::1', /link-local/],
    ['febf::1', /link-local/],
    ['fec0::1', /site-local/],
    ['ff02::1', /multicast/],
    ['1::', /reserved/],
    ['::ffff:0:7f00:1', /reserved/],
    ['not-an-ip', /not an IP address/],
    ['fe80::1%eth0', /not an IP address/],
  ];
  for (const [ip, reason] of refused) {
    const got = addressRefusal(ip);
    assert.ok(got !== null && reason.test(got), `${ip}: ${got}`);
  }
});

test('public unicast addresses are allowed, including IPv6 forms that embed a public IPv4 address', () => {
  for (const ip of [
    '1.1.1.1',
    '8.8.8.8',
    '93.184.215.14',
    '100.63.255.255',
    '100.128.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.0.1.1',
    '198.20.0.1',
    '223.255.255.254',
    '2606:4700:4700::1111',
    '2a00:1450:4001:81a::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ]) {
    assert.equal(addressRefusal(ip), null, ip);
  }
});

test('policy: insecure mode allows loopback only; public test addresses are matched in canonical form', () => {
  const insecure = { allowLoopback: true };
  for (const ip of ['127.0.0.1', '127.0.0.2', '::1', '::ffff:127.0.0.1'])
    assert.equal(addressRefusal(ip, insecure), null);
  for (const ip of ['10.0.0.1', '169.254.169.254', 'fe80::1', '0.0.0.0', '::']) {
    assert.notEqual(addressRefusal(ip, insecure), null, ip);
  }
  const testing = { publicTestAddresses: ['127.0.0.2', '::ffff:127.0.0.3'] };
  assert.equal(addressRefusal('127.0.0.2', testing), null);
  assert.equal(addressRefusal('::ffff:7f00:3', testing), null);
  assert.match(addressRefusal('127.0.0.1', testing)!, /loopback/);
});

test('canonical forms and loopback detection', () => {
  assert.equal(canonicalAddress('::ffff:127.0.0.1'), '::ffff:7f00:1');
  assert.equal(canonicalAddress('2001:DB8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
  assert.equal(canonicalAddress('1:0:0:2:0:0:0:3'), '1:0:0:2::3');
  assert.equal(canonicalAddress('0:0:0:0:0:0:0:1'), '::1');
  assert.equal(canonicalAddress('1.2.3.4'), '1.2.3.4');
  assert.equal(canonicalAddress('example.com'), undefined);
  assert.ok(isLoopbackAddress('127.9.9.9'));
  assert.ok(isLoopbackAddress('::1'));
  assert.ok(isLoopbackAddress('::ffff:127.0.0.1'));
  assert.ok(!isLoopbackAddress('10.0.0.1'));
  assert.ok(!isLoopbackAddress('localhost'));
});
