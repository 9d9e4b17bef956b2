import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../src/config.ts';
import { hashSecret } from '../src/http/secrets.ts';
import { configTable } from '../../../scripts/config-table.ts';

test('defaults: 127.0.0.1:4100, SQLite under ./data, public URL from host and port', () => {
  const c = loadConfig({}, '/srv/vouch');
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 4100);
  assert.equal(c.publicUrl, 'http://127.0.0.1:4100');
  assert.equal(c.dataDir, '/srv/vouch/data');
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.trustProxy, false);
  assert.equal(c.metricsPublic, false);
  assert.equal(c.pgPreparedStatements, true);
  assert.deepEqual(c.corsOrigins, []);
  assert.equal(c.bodyLimit, 1024 * 1024);
  assert.equal(c.requestTimeoutMs, 60_000);
});

test('values from the environment', () => {
  const c = loadConfig({
    VOUCH_HOST: '::1',
    VOUCH_PORT: '8080',
    VOUCH_PUBLIC_URL: 'https://vouch.example/base/',
    VOUCH_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1',
    VOUCH_CORS_ORIGINS: 'https://a.example, https://b.example/',
    VOUCH_METRICS_PUBLIC: '1',
    VOUCH_DATABASE_URL: 'postgres://u@db/vouch',
  });
  assert.equal(c.publicUrl, 'https://vouch.example/base');
  assert.deepEqual(c.trustProxy, ['10.0.0.0/8', '127.0.0.1']);
  assert.deepEqual(c.corsOrigins, ['https://a.example', 'https://b.example']);
  assert.equal(c.metricsPublic, true);
  assert.equal(loadConfig({ VOUCH_HOST: '::1', VOUCH_PORT: '9' }).publicUrl, 'http://[::1]:9');
  assert.equal(loadConfig({ VOUCH_TRUST_PROXY: '2' }).trustProxy, 2);
  assert.equal(loadConfig({ VOUCH_TRUST_PROXY: 'true' }).trustProxy, true);
  assert.equal(loadConfig({ VOUCH_PG_PREPARED_STATEMENTS: '0' }).pgPreparedStatements, false);
  assert.equal(loadConfig({ VOUCH_PG_PREPARED_STATEMENTS: '1' }).pgPreparedStatements, true);
  assert.equal(loadConfig({ VOUCH_REQUEST_TIMEOUT_MS: '5000' }).requestTimeoutMs, 5000);
  assert.throws(() => loadConfig({ VOUCH_REQUEST_TIMEOUT_MS: '0' }), ConfigError);
});

test('bad values are refused with ConfigError naming the variable', () => {
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ VOUCH_PORT: 'http' }, /VOUCH_PORT/],
    [{ VOUCH_PORT: '70000' }, /VOUCH_PORT/],
    [{ VOUCH_PUBLIC_URL: 'ftp://x' }, /VOUCH_PUBLIC_URL/],
    [{ VOUCH_PUBLIC_URL: 'not a url' }, /VOUCH_PUBLIC_URL/],
    [{ VOUCH_PUBLIC_URL: 'https://x.example/?a=1' }, /VOUCH_PUBLIC_URL/],
    [{ VOUCH_DATABASE_URL: 'mysql://x' }, /VOUCH_DATABASE_URL/],
    [{ VOUCH_ADMIN_KEY: 'short' }, /VOUCH_ADMIN_KEY/],
    [{ VOUCH_LOG_LEVEL: 'loud' }, /VOUCH_LOG_LEVEL/],
    [{ VOUCH_METRICS_PUBLIC: 'maybe' }, /VOUCH_METRICS_PUBLIC/],
    [{ VOUCH_PG_PREPARED_STATEMENTS: 'maybe' }, /VOUCH_PG_PREPARED_STATEMENTS/],
    [{ VOUCH_TRUST_PROXY: 'example.com' }, /VOUCH_TRUST_PROXY/],
  ];
  for (const [env, re] of bad) {
    assert.throws(
      () => loadConfig(env),
      (err: unknown) => err instanceof ConfigError && re.test(err.message),
    );
  }
});

test('the README documents every VOUCH_* variable the server reads', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  for (const v of CONFIG_VARIABLES) assert.ok(readme.includes(`\`${v.name}\``), `${v.name} in README`);
  const sources = readFileSync(new URL('../src/config.ts', import.meta.url), 'utf8');
  const read = new Set([...sources.matchAll(/VOUCH_[A-Z_]+/g)].map((m) => m[0]));
  for (const name of read) {
    assert.ok(
      CONFIG_VARIABLES.some((v) => v.name === name),
      `${name} is in CONFIG_VARIABLES`,
    );
  }
});

/** The README's configuration table: its header line and every table line after it. */
function readmeConfigTable(readme: string): string {
  const lines = readme.split('\n');
  const start = lines.indexOf('| variable | default | accepted | meaning |');
  assert.ok(start >= 0, 'README has the configuration table');
  let end = start;
  while (end < lines.length && lines[end]!.startsWith('|')) end += 1;
  return lines.slice(start, end).join('\n');
}

test('the README configuration table is exactly the one scripts/config-table.ts generates', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const generated = configTable();
  assert.equal(readmeConfigTable(readme), generated, 'regenerate it: node --import tsx scripts/config-table.ts');
  // The comparison sees a one-character edit anywhere in the table, down to its last row.
  const lastRow = generated.slice(generated.lastIndexOf('\n') + 1);
  for (const [from, to] of [
    ['(32 bytes as', '(32 bytes  as'],
    ['5 minutes.', '5 minutes!'],
    [lastRow, lastRow.replace(/ \|$/, ' |x')],
  ] as const) {
    assert.ok(readme.includes(from), from);
    assert.notEqual(readmeConfigTable(readme.replace(from, to)), generated, `${from} -> ${to}`);
  }
});

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

test('VOUCH_ADMIN_KEY that no x-api-key header can match is refused, without quoting the key', () => {
  const key = 'vouch_admin_0123456789abcdef';
  assert.equal(loadConfig({ VOUCH_ADMIN_KEY: key }).adminKeyDigest, hashSecret(key));
  assert.equal(
    loadConfig({ VOUCH_ADMIN_KEY: 'two words 0123456789' }).adminKeyDigest,
    hashSecret('two words 0123456789'),
  );
  for (const bad of [`${key}\n`, ` ${key}`, `${key}\t`, `${key}\r\nx`, `${key}\u0007`, `${key}é`, `${key}\u00a0`]) {
    const err = configError({ VOUCH_ADMIN_KEY: bad });
    assert.match(err.message, /^VOUCH_ADMIN_KEY (has leading or trailing whitespace|must be printable ASCII)/);
    assert.ok(!err.message.includes(key), err.message);
  }
  assert.match(configError({ VOUCH_ADMIN_KEY: `${key}\n` }).message, /trailing newline/);
});

test('VOUCH_TRUST_PROXY addresses and CIDRs are checked at config time, as proxy-addr would in buildApp', () => {
  for (const bad of [
    'abc',
    '10.0.0.0/99',
    '::1/129',
    '10.0.0.0/0',
    '1.2.3',
    '10.0.0.1/x',
    '10.0.0.0/8/8',
    'fe80::1%eth0',
  ]) {
    const err = configError({ VOUCH_TRUST_PROXY: `127.0.0.1, ${bad}` });
    assert.ok(err.message.startsWith(`VOUCH_TRUST_PROXY entry "${bad}"`), err.message);
  }
  assert.match(configError({ VOUCH_TRUST_PROXY: '10.0.0.0/99' }).message, /prefix length must be 1 to 32/);
  const good = '10.0.0.0/8, 192.168.1.1, ::1/128, ::ffff:10.0.0.1, fe80::/10, loopback, uniquelocal';
  const trustProxy = loadConfig({ VOUCH_TRUST_PROXY: good }).trustProxy as string[];
  assert.equal(trustProxy.length, 7);
  // What config accepts, Fastify accepts too (it throws `invalid IP address` at construction otherwise).
  assert.doesNotThrow(() => Fastify({ trustProxy }));
});

test('VOUCH_CORS_ORIGINS entries must be * or http(s) origins; kept as browsers send Origin', () => {
  assert.deepEqual(loadConfig({ VOUCH_CORS_ORIGINS: '*' }).corsOrigins, ['*']);
  assert.deepEqual(
    loadConfig({ VOUCH_CORS_ORIGINS: 'https://App.Example:443/, http://localhost:3000, https://[::1]:8443' })
      .corsOrigins,
    ['https://app.example', 'http://localhost:3000', 'https://[::1]:8443'],
  );
  const bad = ['not a url', 'ftp://x', 'https://a.example/app', 'https://a.example?x=1', 'https://a.example#f'];
  // An entry with credentials is refused unquoted (config-cors-credentials.test.ts).
  for (const entry of [...bad, 'null', 'https://a.example?']) {
    const err = configError({ VOUCH_CORS_ORIGINS: `https://ok.example, ${entry}` });
    assert.ok(err.message.startsWith(`VOUCH_CORS_ORIGINS entry "${entry}"`), err.message);
  }
  assert.match(configError({ VOUCH_CORS_ORIGINS: 'not a url,ftp://x' }).message, /"not a url" is not a URL/);
});

test('VOUCH_TRUST_REGISTRY_URL with credentials is refused, naming the variable and not the password', () => {
  const rootKey = { VOUCH_TRUST_REGISTRY_ROOT_KEY: 'ed25519:x' };
  const signed = 'https://r.example/agent-trust.json?X-Amz-Signature=abc';
  assert.equal(loadConfig({ VOUCH_TRUST_REGISTRY_URL: signed, ...rootKey }).registry.trustUrl, signed);
  for (const name of ['VOUCH_TRUST_REGISTRY_URL', 'SINT_TRUST_REGISTRY_URL']) {
    for (const url of ['https://user:pw-s3cret@r.example/a.json', 'http://token-s3cret@r.example/a.json']) {
      const err = configError({ [name]: url, ...rootKey });
      assert.match(err.message, new RegExp(`^${name} must not carry credentials`));
      assert.ok(!err.message.includes('s3cret'), err.message);
    }
  }
  assert.match(
    configError({ VOUCH_TRUST_REGISTRY_URL: 'https://', ...rootKey }).message,
    /^VOUCH_TRUST_REGISTRY_URL is not a valid http\(s\) URL/,
  );
});
