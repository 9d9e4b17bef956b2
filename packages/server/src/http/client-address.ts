// The key under which the server limits and counts one client: rate limits, certifications, anonymous reports.
import { isIPv4, isIPv6 } from 'node:net';

/**
 * One client's address key: an IPv4 address unchanged; an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, any spelling),
 * an address of the NAT64 well-known prefix (`64:ff9b::a.b.c.d`, RFC 6052), a 6to4 address (`2002::/16`) or a
 * Teredo address (`2001:0::/32`) as the client's IPv4 address it carries; any other IPv6 address as its /64 network,
 * spelled one way (`2001:db8:1:2::/64`: lowercase, no leading zeros, zone dropped); an address with a port or in
 * brackets (`203.0.113.7:8080`, `[2001:db8::1]:443`) as that address; anything else unchanged.
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
  if (typeof ip !== 'string' || !ip.includes(':')) return ip;
  if (!isIPv6(ip)) return withPort(ip) ?? ip;
  const g = ipv6Groups(ip);
  const mapped = g[0] === 0 && g[1] === 0 && g[5] === 0xffff;
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && g[5] === 0;
  if ((mapped || nat64) && g[2] === 0 && g[3] === 0 && g[4] === 0) return ipv4(g[6]!, g[7]!);
  // 6to4 (2002:V4ADDR::/48, RFC 3056): a site with one IPv4 address holds the whole /48, 65,536 /64s.
  if (g[0] === 0x2002) return ipv4(g[1]!, g[2]!);
  // Teredo (2001:0::/32, RFC 4380): every client of one Teredo server shares its /64; the client's own public IPv4
  // address is the last 32 bits, inverted.
  if (g[0] === 0x2001 && g[1] === 0) return ipv4(~g[6]! & 0xffff, ~g[7]! & 0xffff);
  // The network address is the prefix followed by four zero groups. Its RFC 5952 form compresses the longest zero
  // run, which always is the trailing one (at least four groups; a run inside the prefix has at most three).
  let end = 4;
  while (end > 0 && g[end - 1] === 0) end--;
  const head = g.slice(0, end).map((x) => x.toString(16));
  return `${head.join(':')}::/64`;
}

/** An IPv4 address from two 16-bit groups. */
function ipv4(hi: number, lo: number): string {
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

/**
 * The key of an address written with a port (`203.0.113.7:8080`, `[2001:db8::1]:443`) or in brackets, as some
 * proxies put it in `X-Forwarded-For`: keyed by its port, every connection of one client would get a fresh allowance.
 * Undefined for anything else.
 */
function withPort(text: string): string | undefined {
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
  if (v4 !== null) return isIPv4(v4[1]!) ? v4[1] : undefined;
  const v6 = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (v6 !== null && isIPv6(v6[1]!)) return clientAddressKey(v6[1]!);
  return undefined;
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
