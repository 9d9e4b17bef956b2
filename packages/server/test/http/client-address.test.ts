// One client's address key: an IPv4 address as itself, an IPv6 client as its /64 whatever the spelling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIPv6 } from 'node:net';
import fc from 'fast-check';
import { clientAddressKey } from '../../src/http/client-address.ts';
import { FUZZ_RUNS, seedFor, withReplayHint } from '../fuzz/runs.ts';

test('client address key: every spelling of one /64 gives one key', () => {
  const spellings = [
    '2001:db8:1:2::1',
    '2001:db8:1:2::',
    '2001:db8:1:2:0:0:0:0',
    '2001:0db8:0001:0002:0000:0000:0000:0001',
    '2001:DB8:1:2::ABCD',
    '2001:Db8:01:002::aBcD',
    '2001:db8:1:2:ffff:ffff:ffff:ffff',
    '2001:db8:1:2:a:b:c:d',
    '2001:db8:1:2:a::d',
    '2001:db8:1:2:a:b:1.2.3.4',
    '2001:db8:1:2::1.2.3.4',
    '2001:db8:1:2::1%eth0',
    '2001:db8:1:2::1%25',
    '2001:0DB8:0001:0002:a:b:255.255.255.255%en0',
  ];
  for (const s of spellings) assert.equal(clientAddressKey(s), '2001:db8:1:2::/64', s);
});

test('client address key: the /64 is spelled one way, zeros compressed at the end', () => {
  const cases: Array<[string, string]> = [
    ['2001:db8::1', '2001:db8::/64'],
    ['2001:db8:0:0:1:2:3:4', '2001:db8::/64'],
    ['2a00:0:0:1::5', '2a00:0:0:1::/64'],
    ['0:0:0:1::', '0:0:0:1::/64'],
    ['1::1', '1::/64'],
    ['2001:db8:1:20::', '2001:db8:1:20::/64'],
    ['FE80::1%eth0', 'fe80::/64'],
    ['fe80::aa:bbff:fecc:ddee%1', 'fe80::/64'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ffff:ffff:ffff:ffff::/64'],
    ['::1', '::/64'],
    ['::', '::/64'],
    ['0:0:0:0:0:0:0:0', '::/64'],
    // Only ::ffff:0:0/96 and 64:ff9b::/96 are "the IPv4 address": the compatible form, the local-use NAT64 prefix
    // (where the operator picks the IPv4 address's place) and near misses are ordinary IPv6 here.
    ['::1.2.3.4', '::/64'],
    ['::fffe:1.2.3.4', '::/64'],
    ['0:0:0:1:0:ffff:1.2.3.4', '0:0:0:1::/64'],
    ['64:ff9b:1::1.2.3.4', '64:ff9b:1::/64'],
    ['64:ff9b:0:0:1::1.2.3.4', '64:ff9b::/64'],
    ['64:ff9b::ffff:1.2.3.4', '64:ff9b::/64'],
    ['64:ff9a::1.2.3.4', '64:ff9a::/64'],
  ];
  for (const [ip, key] of cases) assert.equal(clientAddressKey(ip), key, ip);
});

test('client address key: neighbouring /64s have different keys', () => {
  const neighbours = [
    '2001:db8:1:2::1',
    '2001:db8:1:1::1',
    '2001:db8:1:3::1',
    '2001:db8:1:20::1',
    '2001:db8:1:2:1::',
    '2001:db8:0:2::1',
    '2001:db8:1::1',
    '2001:db9:1:2::1',
    '2001:db8:1:2:ffff::',
  ].map(clientAddressKey);
  // The two that differ only in the interface id share a key; every other pair differs.
  assert.equal(neighbours[0], neighbours[4]);
  assert.equal(neighbours[0], neighbours[8]);
  const distinct = new Set(neighbours);
  assert.equal(distinct.size, neighbours.length - 2, [...distinct].join(' '));
});

test('client address key: IPv4 unchanged, and IPv4-mapped IPv6 in any spelling is that IPv4 address', () => {
  for (const ip of ['203.0.113.7', '127.0.0.1', '10.0.0.1', '0.0.0.0', '255.255.255.255']) {
    assert.equal(clientAddressKey(ip), ip);
  }
  const mapped = [
    '::ffff:203.0.113.7',
    '::FFFF:203.0.113.7',
    '::ffff:cb00:7107',
    '::FFFF:CB00:7107',
    '::ffff:cb00:7107%eth0',
    '::ffff:203.0.113.7%1',
    '0::ffff:203.0.113.7',
    '0:0:0:0:0:ffff:cb00:7107',
    '0000:0000:0000:0000:0000:FFFF:CB00:7107',
    '0:0:0:0:0:ffff:203.0.113.7',
    '::0:ffff:cb00:7107',
  ];
  for (const ip of mapped) assert.equal(clientAddressKey(ip), '203.0.113.7', ip);
  assert.equal(clientAddressKey('::ffff:0102:0304'), '1.2.3.4');
  assert.equal(clientAddressKey('::ffff:0:0'), '0.0.0.0');
  assert.equal(clientAddressKey('::ffff:ffff:ffff'), '255.255.255.255');
  assert.equal(clientAddressKey('::ffff:127.0.0.1'), clientAddressKey('127.0.0.1'));
});

test('client address key: an address of the NAT64 well-known prefix is the IPv4 client it translates', () => {
  // Behind a NAT64 translator all of the IPv4 internet is 64:ff9b::/96: as a /64, every client would share one key.
  const spellings = [
    '64:ff9b::203.0.113.7',
    '64:FF9B::CB00:7107',
    '0064:ff9b:0000:0000:0000:0000:cb00:7107',
    '64:ff9b:0:0:0:0:203.0.113.7',
    '64:ff9b::cb00:7107%eth0',
  ];
  for (const ip of spellings) assert.equal(clientAddressKey(ip), '203.0.113.7', ip);
  assert.notEqual(clientAddressKey('64:ff9b::203.0.113.7'), clientAddressKey('64:ff9b::203.0.113.8'));
  assert.equal(clientAddressKey('64:ff9b::'), '0.0.0.0');
});

test('client address key: a mapped or NAT64 interface id under another /64 stays that /64, not an IPv4 key', () => {
  // A host of any /64 picks its own interface id: were `::ffff:a.b.c.d` or `64:ff9b::a.b.c.d` matched on the low
  // groups alone, it could be keyed as any IPv4 client it names, a fresh or a victim's bucket for each one.
  const cases: Array<[string, string]> = [
    ['1::ffff:203.0.113.7', '1::/64'],
    ['2a00::ffff:cb00:7107', '2a00::/64'],
    ['0:1::ffff:203.0.113.7', '0:1::/64'],
    ['65:ff9b::203.0.113.7', '65:ff9b::/64'],
    ['2a00:ff9b::cb00:7107', '2a00:ff9b::/64'],
  ];
  for (const [ip, key] of cases) assert.equal(clientAddressKey(ip), key, ip);
});

test('client address key: an address with a port or in brackets (as some proxies forward it) is that address', () => {
  const cases: Array<[string, string]> = [
    ['203.0.113.7:8080', '203.0.113.7'],
    ['203.0.113.7:1', '203.0.113.7'],
    ['[2001:db8:1:2::1]:443', '2001:db8:1:2::/64'],
    ['[2001:DB8:1:2:a:b:c:d]', '2001:db8:1:2::/64'],
    ['[::ffff:203.0.113.7]:5000', '203.0.113.7'],
    ['[::1]', '::/64'],
  ];
  for (const [ip, key] of cases) assert.equal(clientAddressKey(ip), key, ip);
});

test('client address key: 6to4 and Teredo addresses are the IPv4 client they carry, not a /64 each', () => {
  const cases: Array<[string, string]> = [
    // 6to4: the /48 of 203.0.113.7 (cb00:7107); any subnet and host of it.
    ['2002:cb00:7107::1', '203.0.113.7'],
    ['2002:cb00:7107:ffff:1:2:3:4', '203.0.113.7'],
    ['2002:CB00:7107:1::', '203.0.113.7'],
    ['2002:c000:0201::5', '192.0.2.1'],
    // Teredo (RFC 4380's example): server 65.54.227.120, client 192.0.2.45 behind a NAT, port 40000.
    ['2001:0000:4136:e378:8000:63bf:3fff:fdd2', '192.0.2.45'],
    ['2001::4136:e378:8000:63bf:3fff:fdd2', '192.0.2.45'],
    // The same Teredo server, another client: a key of its own though both share one /64.
    ['2001:0:4136:e378:8000:63bf:34ff:fdd2', '203.0.2.45'],
  ];
  for (const [ip, key] of cases) assert.equal(clientAddressKey(ip), key, ip);
  // Neighbours of those prefixes stay /64s.
  assert.equal(clientAddressKey('2003:cb00:7107::1'), '2003:cb00:7107::/64');
  assert.equal(clientAddressKey('2001:1:4136:e378::1'), '2001:1:4136:e378::/64');
  assert.equal(clientAddressKey('2001:db8::1'), '2001:db8::/64');
});

test('client address key: anything that is not an IP address is passed through unchanged', () => {
  const garbage = [
    '',
    'unknown',
    'localhost',
    ':',
    ':::',
    '[::1',
    '[]:443',
    '[1.2.3.4]:80',
    '[::1]:',
    '[::1]:123456',
    '2001:db8::1::2',
    '2001:db8:1:2:3:4:5:6:7',
    '2001:db8:1:2:3:4:5',
    '12345::',
    'g::1',
    '2001:db8::1/64',
    ' 2001:db8::1',
    'fe80::1%',
    '::ffff:1.2.3.256',
    '::ffff:1.2.3',
    '01.2.3.4',
    '1.2.3',
    '1.2.3.4.5',
    '203.0.113.256:8080',
    // Text around an address with a port is no address: not the bucket of the address inside it.
    'x203.0.113.7:8080',
    'x[2001:db8::1]:443',
    '203.0.113.7:',
    '203.0.113.7:123456',
    ':8080',
    '2001:db8:1:2::/64',
  ];
  for (const s of garbage) assert.equal(clientAddressKey(s), s, JSON.stringify(s));
  // A closed socket can leave req.ip undefined: passed through, never a throw.
  assert.equal(clientAddressKey(undefined as unknown as string), undefined);
});

const group = fc.integer({ min: 0, max: 0xffff });
const quad = fc.tuple(group, group, group, group);

/** How to spell an address: zero-padding, case, which zero run `::` replaces, a dotted tail, a zone id. */
interface Spelling {
  pad: boolean;
  upper: boolean;
  compress: number | undefined;
  dotted: boolean;
  zone: string;
}

const spelling: fc.Arbitrary<Spelling> = fc.record({
  pad: fc.boolean(),
  upper: fc.boolean(),
  compress: fc.option(fc.nat(), { nil: undefined }),
  dotted: fc.boolean(),
  zone: fc.constantFrom('', '%eth0', '%1', '%25'),
});

function spell(groups: readonly number[], how: Spelling): string {
  const hex = (g: number) => {
    const h = how.pad ? g.toString(16).padStart(4, '0') : g.toString(16);
    return how.upper ? h.toUpperCase() : h;
  };
  const tailGroups = how.dotted ? 6 : 8;
  const parts = groups.slice(0, tailGroups).map(hex);
  const dotted = how.dotted
    ? [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.')
    : undefined;
  // Every maximal run of zero groups among the hex ones; `compress` picks one to write as `::`.
  const runs: Array<[number, number]> = [];
  for (let i = 0; i < parts.length;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < parts.length && groups[j] === 0) j++;
    runs.push([i, j]);
    i = j;
  }
  let text: string;
  if (how.compress === undefined || runs.length === 0) {
    text = [...parts, ...(dotted === undefined ? [] : [dotted])].join(':');
  } else {
    const [from, to] = runs[how.compress % runs.length]!;
    const back = [...parts.slice(to), ...(dotted === undefined ? [] : [dotted])];
    text = `${parts.slice(0, from).join(':')}::${back.join(':')}`;
  }
  return text + how.zone;
}

/** The expected key, from the WHATWG URL parser's IPv6 serializer (RFC 5952 compression), not from the code. */
function expectedKey(prefix: readonly number[]): string {
  return `${new URL(`http://[${prefix.map((g) => g.toString(16)).join(':')}::]`).hostname.slice(1, -1)}/64`;
}

/** Whether the address is keyed by an IPv4 address it carries (mapped, NAT64 well-known prefix, 6to4, Teredo). */
const isMapped = (prefix: readonly number[], iid: readonly number[]) =>
  prefix[0] === 0x2002 ||
  (prefix[0] === 0x2001 && prefix[1] === 0) ||
  (prefix.every((g) => g === 0) && iid[0] === 0 && iid[1] === 0xffff) ||
  (prefix[0] === 0x64 && prefix[1] === 0xff9b && prefix[2] === 0 && prefix[3] === 0 && iid[0] === 0 && iid[1] === 0);

test('property: any address in a random /64, spelled any way, maps to that /64', () => {
  const name = 'client-address: random /64 and interface id';
  withReplayHint(() =>
    fc.assert(
      fc.property(quad, quad, spelling, (prefix, iid, how) => {
        fc.pre(!isMapped(prefix, iid));
        const ip = spell([...prefix, ...iid], how);
        assert.ok(isIPv6(ip), `the generator spells a valid address: ${ip}`);
        assert.equal(clientAddressKey(ip), expectedKey(prefix), ip);
      }),
      // A pure function: ten times the route fuzzers' runs still take milliseconds.
      { numRuns: FUZZ_RUNS * 10, seed: seedFor(name) },
    ),
  );
});

/** Another /64: a random one, or a neighbour that differs from `prefix` in one group. */
const otherPrefix = (prefix: readonly number[]) =>
  fc.oneof(
    quad,
    fc.tuple(fc.nat(3), group).map(([k, g]) => prefix.map((x, i) => (i === k ? g : x))),
    fc.tuple(fc.nat(3), fc.constantFrom(1, -1)).map(([k, d]) => prefix.map((x, i) => (i === k ? (x + d) & 0xffff : x))),
  );

test('property: addresses in two different /64s have different keys', () => {
  const name = 'client-address: two /64s';
  const pair = quad.chain((p1) => fc.tuple(fc.constant(p1), otherPrefix(p1)));
  withReplayHint(() =>
    fc.assert(
      fc.property(pair, quad, quad, spelling, spelling, ([p1, p2], i1, i2, how1, how2) => {
        fc.pre(p1.some((g, k) => g !== p2[k]) && !isMapped(p1, i1) && !isMapped(p2, i2));
        assert.notEqual(clientAddressKey(spell([...p1, ...i1], how1)), clientAddressKey(spell([...p2, ...i2], how2)));
      }),
      { numRuns: FUZZ_RUNS * 10, seed: seedFor(name) },
    ),
  );
});
