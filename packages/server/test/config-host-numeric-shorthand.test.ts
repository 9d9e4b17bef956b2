// VOUCH_HOST takes an IP address or a host name, but a name whose last label is a number (`0`, `0x0`, `127.1`,
// `2130706433`) passed as a "host name": it is no DNS name but a shorthand IPv4 spelling, which the system resolver
// and the URL parser read as an address. `VOUCH_HOST=0` listened on every address and gave every token the issuer
// http://0.0.0.0:4100 (no client can reach it; the spellings of the unspecified address otherwise give 127.0.0.1), and
// `1.2.3` became http://1.2.0.3:4100. Such a value is now refused, naming the dotted form to write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/config.ts';

test('a host whose last label is a number is refused as not a dotted IP address', () => {
  for (const host of ['0', '0x0', '0.0', '127.1', '2130706433', '1.2.3', 'vouch.0x7f', 'a.b.08']) {
    assert.throws(
      () => loadConfig({ VOUCH_HOST: host }),
      (err: unknown) => err instanceof ConfigError && /^VOUCH_HOST .*dotted/.test(err.message),
      host,
    );
  }
});

test('host names with digits elsewhere, and dotted addresses, are still accepted', () => {
  for (const host of ['localhost', 'vouch-1.internal', '1password.example', 'x.0a', '10.0.0.5', '::1', 'node0']) {
    assert.equal(loadConfig({ VOUCH_HOST: host }).host, host);
  }
});
