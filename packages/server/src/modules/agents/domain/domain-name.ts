import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { ApiError } from '../../../errors.ts';

/** Longest domain name, in its ASCII form without the trailing dot (RFC 1035: 255 octets on the wire). */
export const MAX_DOMAIN_LENGTH = 253;

/**
 * Longest domain a route takes as written (a schema's `maxLength`): more than {@link MAX_DOMAIN_LENGTH}, since a
 * spelling of a name (its trailing dot, characters IDNA maps away) can be longer than the name; {@link normalizeDomain}
 * bounds the name itself.
 */
export const MAX_DOMAIN_INPUT_LENGTH = 1024;

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Characters that mean the caller sent a URL, an address with a port, or garbage rather than a host name. */
const NOT_A_HOST_NAME = /[\s/\\:@?#%[\]*,;"'<>`|{}^]/u;
/**
 * Special-use names (RFC 6761, 6762, 7686, 8375, 9476's `alt`, outside the DNS, and the `internal` TLD) that never
 * name a public site. `test` and `example` (RFC 6761) are left to the fetch's address checks: tests prove such names
 * on loopback sites (VOUCH_DOMAIN_VERIFY_PUBLIC_TEST_ADDRESSES).
 */
const SPECIAL_USE_TLDS = new Set([
  'localhost',
  'local',
  'internal',
  'arpa',
  'invalid',
  'onion',
  'lan',
  'intranet',
  'alt',
]);

/**
 * The canonical form of a domain a caller wants to prove: lower-case A-labels (IDNA through the WHATWG
 * `domainToASCII`), one trailing dot (`.` or a full stop IDNA maps to it, such as `。`) dropped, at least two labels,
 * no IP address in any spelling, no port, scheme, path or wildcard, no special-use name. Throws ApiError
 * `DOMAIN_INVALID` (400) naming the field.
 *
 * @example
 * normalizeDomain('Bücher.Example.'); // 'xn--bcher-kva.example'
 * normalizeDomain('例え。テスト。'); // 'xn--r8jz45g.xn--zckzah'
 * normalizeDomain('example.com:443'); // throws DOMAIN_INVALID
 */
export function normalizeDomain(input: string, field = 'domain'): string {
  const bad = (why: string) => new ApiError('DOMAIN_INVALID', `${field} ${why}.`);
  if (input.length === 0) throw bad('is empty');
  if (input.length > 4 * MAX_DOMAIN_LENGTH) throw bad('is too long');
  // eslint-disable-next-line no-control-regex
  if (NOT_A_HOST_NAME.test(input) || /[\u0000-\u001f\u007f]/.test(input)) {
    throw bad('must be a bare host name such as example.com, without scheme, port, path or spaces');
  }
  // The trailing dot is dropped after the IDNA mapping: `。`, `．` and `｡` map to a dot, and an IME types them after
  // a Japanese or Chinese name (`例え。テスト。` is `例え.テスト.`). One only: `example.com..` keeps an empty label.
  const mapped = domainToASCII(input);
  const ascii = mapped.endsWith('.') ? mapped.slice(0, -1) : mapped;
  if (ascii === '') throw bad('is not a valid domain name');
  // domainToASCII parses IPv4 in every spelling (2130706433, 0x7f.1, 127.1) into dotted form.
  if (isIP(ascii) !== 0) throw bad('must be a domain name, not an IP address');
  if (ascii.length > MAX_DOMAIN_LENGTH) throw bad(`is longer than ${MAX_DOMAIN_LENGTH} characters`);
  const labels = ascii.split('.');
  if (labels.length < 2) throw bad('must have at least two labels, such as example.com');
  for (const label of labels) {
    if (label.length === 0) throw bad('has an empty label');
    if (label.length > 63) throw bad('has a label longer than 63 characters');
    if (!LABEL.test(label)) {
      throw bad('may contain only letters, digits and inner hyphens in each label');
    }
  }
  const tld = labels[labels.length - 1]!;
  if (/^(\d+|0x[0-9a-f]*)$/.test(tld)) throw bad('must end in a name, not a number');
  if (SPECIAL_USE_TLDS.has(tld)) throw bad('is a special-use name that no public site can have');
  return ascii;
}
