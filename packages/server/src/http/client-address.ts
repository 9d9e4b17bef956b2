// The key under which the server limits and counts one client: rate limits, certifications, anonymous reports.
import { isIPv6 } from 'node:net';

/**
 * One client's address key: an IPv4 address unchanged; an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, any spelling)
 * or an address of the NAT64 well-known prefix (`64:ff9b::a.b.c.d`, RFC 6052) as the IPv4 address it carries; any
 * other IPv6 address as its /64 network, spelled one way (`2001:db8:1:2::/64`:
 * lowercase, no leading zeros, zone dropped); anything that is not an IP address unchanged.
 *
 * Why /64: an IPv6 host is normally given a whole /64 (SLAAC, privacy addresses) and can send from any of its 2^64
 * addresses, so keying by the full address would give it a fresh allowance on every one of them. Why not NAT64 by
 * /64: behind a translator every IPv4 client of the internet shares `64:ff9b::/64`, so one of them could spend the
 * allowance of all. (A network-specific NAT64 prefix places the IPv4 address where its operator chose, so those
 * addresses stay /64 keys.)
 *
 * @example
 * clientAddressKey('203.0.113.7'); // '203.0.113.7'
 * clientAddressKey('::FFFF:cb00:7107'); // '203.0.113.7'
 * clientAddressKey('64:ff9b::cb00:7107'); // '203.0.113.7'
 * clientAddressKey('2001:0DB8:0001:0002:a:b:c:d%eth0'); // '2001:db8:1:2::/64'
 */
export function clientAddressKey(ip: string): string {
  // No colon: IPv4 or not an address, unchanged either way; the common case costs one scan. A closed socket can
  // leave Fastify's req.ip undefined despite its type: passed through as the raw value was before.
  if (typeof ip !== 'string' || !ip.includes(':') || !isIPv6(ip)) return ip;
  const g = ipv6Groups(ip);
  const mapped = g[0] === 0 && g[1] === 0 && g[5] === 0xffff;
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && g[5] === 0;
  if ((mapped || nat64) && g[2] === 0 && g[3] === 0 && g[4] === 0) {
    return `${g[6]! >> 8}.${g[6]! & 0xff}.${g[7]! >> 8}.${g[7]! & 0xff}`;
  }
  // The network address is the prefix followed by four zero groups. Its RFC 5952 form compresses the longest zero
  // run, which always is the trailing one (at least four groups; a run inside the prefix has at most three).
  let end = 4;
  while (end > 0 && g[end - 1] === 0) end--;
  const head = g.slice(0, end).map((x) => x.toString(16));
  return `${head.join(':')}::/64`;
}

/** The eight 16-bit groups of an address `net.isIPv6` accepts (zone id, `::`, a dotted IPv4 tail allowed). */
function ipv6Groups(ip: string): number[] {
  const zone = ip.indexOf('%');
  let text = zone < 0 ? ip : ip.slice(0, zone);
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    // A dotted IPv4 tail is the last two groups.
    const [a, b, c, d] = text
      .slice(lastColon + 1)
      .split('.')
      .map(Number) as [number, number, number, number];
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const gap = text.indexOf('::');
  if (gap < 0) return parse(text);
  const front = parse(text.slice(0, gap));
  const back = parse(text.slice(gap + 2));
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}
