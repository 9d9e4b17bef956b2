import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config.ts';

test('DNS and domain-verification settings: defaults and values', () => {
  const d = loadConfig({});
  assert.deepEqual(d.dnsServers, []);
  assert.equal(d.dnsTimeoutMs, 2000);
  assert.equal(d.domainVerifyInsecure, false);
  assert.deepEqual(d.domainVerifyPublicTestAddresses, []);
  const c = loadConfig({
    VOUCH_DNS_SERVERS: '127.0.0.1:5353,[::1]:53',
    VOUCH_DNS_TIMEOUT_MS: '500',
    VOUCH_DOMAIN_VERIFY_INSECURE: '1',
    VOUCH_DOMAIN_VERIFY_PUBLIC_TEST_ADDRESSES: '127.0.0.2, ::ffff:127.0.0.3',
  });
  assert.deepEqual(c.dnsServers, ['127.0.0.1:5353', '[::1]:53']);
  assert.equal(c.dnsTimeoutMs, 500);
  assert.equal(c.domainVerifyInsecure, true);
  assert.deepEqual(c.domainVerifyPublicTestAddresses, ['127.0.0.2', '::ffff:7f00:3']);
});

test('the test-only switches are refused when NODE_ENV=production; bad values name their variable', () => {
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ NODE_ENV: 'production', VOUCH_DOMAIN_VERIFY_INSECURE: '1' }, /VOUCH_DOMAIN_VERIFY_INSECURE.*production/],
    [
      { NODE_ENV: 'production', VOUCH_DOMAIN_VERIFY_PUBLIC_TEST_ADDRESSES: '127.0.0.2' },
      /PUBLIC_TEST_ADDRESSES.*production/,
    ],
    [{ VOUCH_DOMAIN_VERIFY_PUBLIC_TEST_ADDRESSES: '10.0.0.1' }, /not a loopback address/],
    [{ VOUCH_DOMAIN_VERIFY_PUBLIC_TEST_ADDRESSES: 'localhost' }, /not a loopback address/],
    [{ VOUCH_DOMAIN_VERIFY_INSECURE: 'maybe' }, /VOUCH_DOMAIN_VERIFY_INSECURE/],
    [{ VOUCH_DNS_SERVERS: 'dns.google' }, /VOUCH_DNS_SERVERS/],
    [{ VOUCH_DNS_SERVERS: '1.1.1.1:99999' }, /VOUCH_DNS_SERVERS/],
    [{ VOUCH_DNS_TIMEOUT_MS: '10' }, /VOUCH_DNS_TIMEOUT_MS/],
  ];
  for (const [env, re] of bad) {
    assert.throws(
      () => loadConfig(env),
      (err: unknown) => err instanceof ConfigError && re.test(err.message),
      JSON.stringify(env),
    );
  }
  assert.equal(loadConfig({ NODE_ENV: 'production', VOUCH_DOMAIN_VERIFY_INSECURE: '0' }).domainVerifyInsecure, false);
});
