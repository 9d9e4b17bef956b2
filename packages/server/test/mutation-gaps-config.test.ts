// Gaps found by mutation testing in config.ts: refusals no other test exercised. Every numeric variable keeps to its
// documented range (a bound widened by a slip would let e.g. a 24 h clock skew or a 0 rate limit through), the admin
// key's length and character checks hold at their edges, a public URL never carries credentials (it is printed in
// every issuer, link and discovery document), the schema name is refused at config time, and the test-only switches
// stay refused in production when NODE_ENV carries stray whitespace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyRequest } from 'fastify';
import { ADMIN_KEY_MAX_CHARS, ConfigError, loadConfig } from '../src/config.ts';
import { adminAuthenticator, adminKeyDigests } from '../src/http/admin-auth.ts';
import { hashSecret } from '../src/http/secrets.ts';
import type { Config } from '../src/config.ts';

/** The ConfigError `loadConfig(env)` raises; fails the test if it accepts `env`. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err;
  }
  assert.fail(`accepted ${JSON.stringify(env)}`);
}

/** Every whole-number variable: its inclusive range and where loadConfig puts it. */
const RANGES: Array<[name: string, min: number, max: number, read: (c: Config) => number]> = [
  ['VOUCH_PORT', 0, 65_535, (c) => c.port],
  ['VOUCH_PG_LOCK_TIMEOUT_MS', 0, 600_000, (c) => c.pgLockTimeoutMs],
  ['VOUCH_BODY_LIMIT', 1024, 64 * 1024 * 1024, (c) => c.bodyLimit],
  ['VOUCH_REQUEST_TIMEOUT_MS', 1000, 3_600_000, (c) => c.requestTimeoutMs],
  ['VOUCH_JSON_MAX_DEPTH', 2, 1024, (c) => c.jsonMaxDepth],
  ['VOUCH_RATE_LIMIT_MAX', 1, 1_000_000, (c) => c.rateLimitMax],
  ['VOUCH_RATE_LIMIT_WINDOW_MS', 1000, 86_400_000, (c) => c.rateLimitWindowMs],
  ['VOUCH_POW_DIFFICULTY', 0, 16, (c) => c.powDifficulty],
  ['VOUCH_SLUG_REGISTER_RATE_MAX', 1, 1_000_000, (c) => c.slugRegisterRateLimit.max],
  ['VOUCH_SLUG_REGISTER_RATE_WINDOW_MS', 1000, 86_400_000, (c) => c.slugRegisterRateLimit.windowMs],
  ['VOUCH_DNS_TIMEOUT_MS', 100, 5000, (c) => c.dnsTimeoutMs],
  ['VOUCH_DOMAIN_PROOF_GRACE', 0, 365 * 86_400, (c) => c.domainProofGraceMs / 1000],
  ['VOUCH_CLOCK_SKEW', 0, 600, (c) => c.clockSkewSeconds],
  ['VOUCH_SIGNATURE_WINDOW', 1, 86_400, (c) => c.signatureWindowSeconds],
  ['VOUCH_TOKEN_ISSUE_RATE_MAX', 1, 1_000_000_000, (c) => c.tokenRateLimits.issue],
  ['VOUCH_TOKEN_VERIFY_RATE_MAX', 1, 1_000_000_000, (c) => c.tokenRateLimits.verify],
  ['VOUCH_TOKEN_REVOKE_RATE_MAX', 1, 1_000_000_000, (c) => c.tokenRateLimits.revoke],
  ['VOUCH_SIGN_RATE_MAX', 1, 1_000_000_000, (c) => c.signatureRateLimits.sign],
  ['VOUCH_CERTIFY_RATE_MAX', 1, 1_000_000_000, (c) => c.signatureRateLimits.certify],
  ['VOUCH_INGEST_BODY_LIMIT', 1024, 256 * 1024 * 1024, (c) => c.reputation.ingestBodyLimit],
  ['VOUCH_INGEST_RATE_MAX', 1, 1_000_000_000, (c) => c.reputation.ingestRateMax],
  ['VOUCH_REPUTATION_MAX_PER_DAY', 1, 1_000_000, (c) => c.reputation.defaultMaxPerDay],
  ['VOUCH_REPUTATION_ENVIRONMENT_CAP', 1, 1_000_000, (c) => c.reputation.environmentCap],
  ['VOUCH_REGISTRY_VALIDITY', 120, 366 * 86_400, (c) => c.registry.validitySeconds],
  ['VOUCH_TRUST_REGISTRY_TTL', 1, 30 * 86_400, (c) => c.registry.trustTtlSeconds],
  ['VOUCH_CAPABILITY_MAX_TTL', 1, 86_400, (c) => c.capabilities.maxTtlSeconds],
  ['VOUCH_DELEGATION_MAX_DEPTH', 0, 16, (c) => c.capabilities.delegationMaxDepth],
];

test('every whole-number variable takes its bounds and refuses one past either, naming the variable', () => {
  for (const [name, min, max, read] of RANGES) {
    // A public URL because VOUCH_PORT=0 needs one.
    const base = { VOUCH_PUBLIC_URL: 'https://vouch.example' };
    assert.equal(read(loadConfig({ ...base, [name]: String(min) })), min, `${name}=${min}`);
    assert.equal(read(loadConfig({ ...base, [name]: String(max) })), max, `${name}=${max}`);
    const outside = [max + 1, ...(min > 0 ? [min - 1] : [])];
    for (const n of outside) {
      assert.match(configError({ [name]: String(n) }).message, new RegExp(`^${name} must be between`), `${name}=${n}`);
    }
  }
});

test('VOUCH_ADMIN_KEY: 16 characters is the least, and DEL (0x7f) is refused like any control character', () => {
  assert.equal(loadConfig({ VOUCH_ADMIN_KEY: 'a'.repeat(16) }).adminKeyDigest, hashSecret('a'.repeat(16)));
  for (const short of ['a'.repeat(15), 'abcdefghijkl']) {
    assert.match(configError({ VOUCH_ADMIN_KEY: short }).message, /^VOUCH_ADMIN_KEY must be at least 16 characters/);
  }
  const key = 'vouch_admin_0123456789abcdef';
  for (const bad of [`${key}\x7f`, `vouch\x7fadmin_0123456789`]) {
    const err = configError({ VOUCH_ADMIN_KEY: bad });
    assert.match(err.message, /^VOUCH_ADMIN_KEY must be printable ASCII/);
    assert.ok(!err.message.includes('0123456789'), err.message);
  }
});

test('VOUCH_ADMIN_KEY: 1,024 characters is the most, as the admin check reads no longer header', async () => {
  const longest = 'k'.repeat(ADMIN_KEY_MAX_CHARS);
  assert.equal(ADMIN_KEY_MAX_CHARS, 1024);
  assert.equal(loadConfig({ VOUCH_ADMIN_KEY: longest }).adminKeyDigest, hashSecret(longest));
  const err = configError({ VOUCH_ADMIN_KEY: `${longest}k` });
  assert.match(err.message, /^VOUCH_ADMIN_KEY must be at most 1024 characters/);
  assert.ok(!err.message.includes('kkkk'), err.message);
  // The longest accepted key opens the admin routes; one character more in the header is never compared.
  const auth = adminAuthenticator(adminKeyDigests(longest));
  const asked = (key: string) => auth({ headers: { 'x-api-key': key } } as unknown as FastifyRequest);
  assert.deepEqual(await asked(longest), { caller: 'admin', id: 'admin' });
  assert.equal(await asked(`${longest}k`), null);
});

test('VOUCH_PUBLIC_URL with credentials is refused without echoing them', () => {
  for (const url of ['https://user:s3cret-pw@vouch.example', 'https://s3cret-token@vouch.example/base']) {
    const err = configError({ VOUCH_PUBLIC_URL: url });
    assert.match(err.message, /^VOUCH_PUBLIC_URL must not carry/);
    assert.ok(!err.message.includes('s3cret'), err.message);
  }
  assert.match(configError({ VOUCH_PUBLIC_URL: 'https://vouch.example/#top' }).message, /^VOUCH_PUBLIC_URL/);
});

test('VOUCH_DATABASE_SCHEMA must be a lower-case identifier of at most 63 characters', () => {
  assert.equal(loadConfig({ VOUCH_DATABASE_SCHEMA: 'vouch_1' }).databaseSchema, 'vouch_1');
  assert.equal(loadConfig({ VOUCH_DATABASE_SCHEMA: `_${'a'.repeat(62)}` }).databaseSchema, `_${'a'.repeat(62)}`);
  for (const bad of ['Vouch', 'vouch-prod', '1vouch', 'a'.repeat(64), 'x;drop schema public', 'vouch"', 'public.x']) {
    assert.match(configError({ VOUCH_DATABASE_SCHEMA: bad }).message, /^VOUCH_DATABASE_SCHEMA must be/, bad);
  }
});

test('NODE_ENV=production with stray whitespace still refuses the test-only domain switches', () => {
  for (const nodeEnv of [' production', 'production\n', '\tproduction ']) {
    assert.match(
      configError({ NODE_ENV: nodeEnv, VOUCH_DOMAIN_VERIFY_INSECURE: '1' }).message,
      /VOUCH_DOMAIN_VERIFY_INSECURE=1 is refused when NODE_ENV=production/,
    );
    assert.match(
      configError({ NODE_ENV: nodeEnv, VOUCH_DOMAIN_VERIFY_PUBLIC_TEST_ADDRESSES: '127.0.0.2' }).message,
      /PUBLIC_TEST_ADDRESSES is refused when NODE_ENV=production/,
    );
  }
});

test('VOUCH_HOST: an address or a host name; anything else is refused naming VOUCH_HOST', () => {
  for (const host of ['127.0.0.1', '0.0.0.0', '::1', '::', 'localhost', 'vouch-1.internal', ' 10.0.0.7 ']) {
    assert.equal(loadConfig({ VOUCH_HOST: host }).host, host.trim(), host);
  }
  for (const host of ['http://127.0.0.1', '127.0.0.1:4100', '[::1]', 'exa mple', 'a/b', '-leading', 'fe80::1%eth0']) {
    assert.match(configError({ VOUCH_HOST: host }).message, /^VOUCH_HOST must be an IP address/, host);
  }
});

test('VOUCH_PUBLIC_URL: a bare ? or # is refused, and an unparsable value is never quoted', () => {
  for (const url of ['https://vouch.example/?', 'https://vouch.example#', 'https://vouch.example/base?#']) {
    assert.match(configError({ VOUCH_PUBLIC_URL: url }).message, /^VOUCH_PUBLIC_URL must not carry a query/, url);
  }
  const err = configError({ VOUCH_PUBLIC_URL: 'https://admin:s3cret-pw@[vouch.example' });
  assert.match(err.message, /^VOUCH_PUBLIC_URL must be an absolute http\(s\) URL/);
  assert.ok(!err.message.includes('s3cret'), err.message);
});
