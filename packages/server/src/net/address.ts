import { isIPv4, isIPv6 } from 'node:net';

/**
 * Which IP addresses an outbound connection may go to. Everything that is not ordinary public unicast is refused:
 * loopback, private, shared (CGNAT), link-local, multicast, unspecified, broadcast, documentation, benchmarking and
 * reserved ranges, and the IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by
 * the address they embed. Ranges follow the IANA special-purpose address registries (RFC 6890 and successors).
 */

/** Exceptions to the refusals, for tests and local development only. */
export interface AddressPolicy {
  /** Allow loopback addresses (127.0.0.0/8, ::1 and their IPv6 forms): `VOUCH_DOMAIN_VERIFY_INSECURE=1`. */
  allowLoopback?: boolean;
  /** Loopback addresses to treat as public, so the secure path can be tested locally. */
  publicTestAddresses?: readonly string[];
}

/** `[first address as uint32, prefix length, reason]`. */
const V4_BLOCKS: ReadonlyArray<readonly [number, number, string]> = [
  [v4('0.0.0.0'), 8, '"this network" (0.0.0.0/8)'],
  [v4('10.0.0.0'), 8, 'private (10.0.0.0/8)'],
  [v4('100.64.0.0'), 10, 'shared carrier-grade NAT (100.64.0.0/10)'],
  [v4('127.0.0.0'), 8, 'loopback (127.0.0.0/8)'],
  [v4('169.254.0.0'), 16, 'link-local (169.254.0.0/16)'],
  [v4('172.16.0.0'), 12, 'private (172.16.0.0/12)'],
  [v4('192.0.0.0'), 24, 'IETF protocol assignments (192.0.0.0/24)'],
  [v4('192.0.2.0'), 24, 'documentation (192.0.2.0/24)'],
  [v4('192.88.99.0'), 24, '6to4 relay anycast (192.88.99.0/24)'],
  [v4('192.168.0.0'), 16, 'private (192.168.0.0/16)'],
  [v4('198.18.0.0'), 15, 'benchmarking (198.18.0.0/15)'],
  [v4('198.51.100.0'), 24, 'documentation (198.51.100.0/24)'],
  [v4('203.0.113.0'), 24, 'documentation (203.0.113.0/24)'],
  [v4('224.0.0.0'), 4, 'multicast (224.0.0.0/4)'],
  [v4('240.0.0.0'), 4, 'reserved (240.0.0.0/4)'],
];

/** IPv6 ranges refused outright, checked before the IPv4-embedding forms; `[prefix bytes, bits, reason]`. */
const V6_BLOCKS: ReadonlyArray<readonly [Uint8Array, number, string]> = [
  [v6('64:ff9b:1::'), 48, 'local-use NAT64 (64:ff9b:1::/48)'],
  [v6('100::'), 64, 'discard-only (100::/64)'],
  [v6('2001:db8::'), 32, 'documentation (2001:db8::/32)'],
  [v6('2001::'), 32, 'Teredo (2001::/32)'],
  [v6('2001::'), 23, 'IETF protocol assignments (2001::/23)'],
  [v6('3fff::'), 20, 'documentation (3fff::/20)'],
  [v6('5f00::'), 16, 'segment routing (5f00::/16)'],
  [v6('fc00::'), 7, 'unique local (fc00::/7)'],
  [v6('fe80::'), 10, 'link-local (fe80::/10)'],
  [v6('fec0::'), 10, 'site-local (fec0::/10)'],
  [v6('ff00::'), 8, 'multicast (ff00::/8)'],
];

/**
 * Why a connection to `ip` is refused, or `null` when it may go ahead. `ip` is an IPv4 dotted quad or an IPv6
 * address without brackets or zone; anything else is refused as not an address.
 *
 * @example
 * addressRefusal('169.254.169.254'); // 'link-local (169.254.0.0/16)'
 * addressRefusal('::ffff:127.0.0.1'); // 'IPv4-mapped form of loopback (127.0.0.0/8)'
 * addressRefusal('93.184.215.14'); // null
 */
export function addressRefusal(ip: string, policy: AddressPolicy = {}): string | null {
  const canonical = canonicalAddress(ip);
  if (canonical === undefined) return 'not an IP address';
  if (policy.publicTestAddresses?.some((a) => canonicalAddress(a) === canonical)) return null;
  const reason = isIPv4(canonical) ? v4Refusal(v4(canonical)) : v6Refusal(v6(canonical));
  if (reason !== null && policy.allowLoopback && isLoopbackAddress(canonical)) return null;
  return reason;
}

/** True for 127.0.0.0/8, ::1, and the IPv4-mapped and IPv4-compatible forms of 127.0.0.0/8. */
export function isLoopbackAddress(ip: string): boolean {
  const canonical = canonicalAddress(ip);
  if (canonical === undefined) return false;
  if (isIPv4(canonical)) return v4(canonical) >>> 24 === 127;
  const b = v6(canonical);
  if (b.subarray(0, 15).every((x) => x === 0) && b[15] === 1) return true;
  const embedded = mappedOrCompatibleV4(b);
  return embedded !== undefined && embedded >>> 24 === 127;
}

/**
 * One spelling per address: dotted decimal for IPv4, RFC 5952 for IPv6 (so `::ffff:127.0.0.1` and
 * `::ffff:7f00:1` compare equal). `undefined` when `ip` is not an address.
 */
export function canonicalAddress(ip: string): string | undefined {
  if (isIPv4(ip)) return formatV4(v4(ip));
  if (!isIPv6(ip) || ip.includes('%')) return undefined;
  const b = v6(ip);
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  // Longest run of two or more zero groups becomes `::` (first one on ties).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function v4Refusal(n: number): string | null {
  if (n === 0xffffffff) return 'broadcast (255.255.255.255)';
  if (n === 0) return 'unspecified (0.0.0.0)';
  for (const [base, bits, reason] of V4_BLOCKS) if (inV4(n, base, bits)) return reason;
  return null;
}

function v6Refusal(b: Uint8Array): string | null {
  const zeroPrefix = (n: number) => b.subarray(0, n).every((x) => x === 0);
  if (zeroPrefix(16)) return 'unspecified (::)';
  if (zeroPrefix(15) && b[15] === 1) return 'loopback (::1)';
  // ::ffff:a.b.c.d reaches a.b.c.d on dual-stack sockets: judge the IPv4 address.
  if (zeroPrefix(10) && b[10] === 0xff && b[11] === 0xff) return embedded('IPv4-mapped', readV4(b, 12));
  // ::a.b.c.d (deprecated IPv4-compatible form): refused whatever it embeds.
  if (zeroPrefix(12)) return `IPv4-compatible form of ${v4Refusal(readV4(b, 12)) ?? formatV4(readV4(b, 12))}`;
  for (const [prefix, bits, reason] of V6_BLOCKS) if (inV6(b, prefix, bits)) return reason;
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) route to the IPv4 address they embed.
  if (inV6(b, NAT64, 96)) return embedded('NAT64', readV4(b, 12));
  if (b[0] === 0x20 && b[1] === 0x02) return embedded('6to4', readV4(b, 2));
  // Outside global unicast (2000::/3) nothing is assigned for ordinary hosts.
  if ((b[0]! & 0xe0) !== 0x20) return 'reserved (outside 2000::/3)';
  return null;
}

const NAT64 = v6('64:ff9b::');

function embedded(form: string, n: number): string | null {
  const reason = v4Refusal(n);
  return reason === null ? null : `${form} form of ${reason}`;
}

/** The IPv4 address inside `::ffff:a.b.c.d` or `::a.b.c.d`, if `b` is one of those. */
function mappedOrCompatibleV4(b: Uint8Array): number | undefined {
  if (!b.subarray(0, 10).every((x) => x === 0)) return undefined;
  if ((b[10] === 0xff && b[11] === 0xff) || (b[10] === 0 && b[11] === 0)) return readV4(b, 12);
  return undefined;
}

function inV4(n: number, base: number, bits: number): boolean {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (n & mask) >>> 0 === (base & mask) >>> 0;
}

function inV6(b: Uint8Array, prefix: Uint8Array, bits: number): boolean {
  const full = Math.floor(bits / 8);
  for (let i = 0; i < full; i++) if (b[i] !== prefix[i]) return false;
  const rest = bits % 8;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (b[full]! & mask) === (prefix[full]! & mask);
}

function readV4(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function v4(s: string): number {
  const parts = s.split('.').map(Number);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

function formatV4(n: number): string {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}

/** Parses an IPv6 address already accepted by `net.isIPv6` (no zone) into its 16 bytes. */
function v6(s: string): Uint8Array {
  let text = s;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    // A trailing dotted quad is two 16-bit groups.
    const n = v4(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const [head, rest] = text.split('::') as [string, string | undefined];
  let groups = parse(head);
  if (rest !== undefined) {
    const back = parse(rest);
    groups = [...groups, ...new Array<number>(8 - groups.length - back.length).fill(0), ...back];
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[i * 2] = (groups[i]! >> 8) & 0xff;
    out[i * 2 + 1] = groups[i]! & 0xff;
  }
  return out;
}
