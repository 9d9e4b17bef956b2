// sslmode=prefer|require|verify-ca keep the meaning pg gives them (verify-full: encrypted, certificate and host name
// checked), written out so pg-connection-string prints no SECURITY WARNING; uselibpqcompat=true is left to pg.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { explicitSslMode } from '../../src/storage/lib/pg-sslmode.ts';
import { clientConfig } from '../../src/storage/lib/postgres.ts';

/** The TLS options a client built from Vouch's config for `url` would connect with (nothing is connected). */
function sslOf(url: string): unknown {
  const client = new pg.Client(clientConfig(url, 'vouch'));
  return (client as unknown as { connectionParameters: { ssl: unknown } }).connectionParameters.ssl;
}

test('explicitSslMode: the three aliases become verify-full; everything else is kept as written', () => {
  for (const mode of ['prefer', 'require', 'verify-ca']) {
    assert.equal(explicitSslMode(`postgres://u@h/db?sslmode=${mode}`), 'postgres://u@h/db?sslmode=verify-full');
  }
  assert.equal(
    explicitSslMode('postgres://u@h/db?application_name=v&sslmode=require&options=-c%20a%3D1'),
    'postgres://u@h/db?application_name=v&sslmode=verify-full&options=-c%20a%3D1',
  );
  for (const url of [
    'postgres://u@h/db',
    'postgres://u@h/db?sslmode=disable',
    'postgres://u@h/db?sslmode=verify-full',
    'postgres://u@h/db?sslmode=no-verify',
    'postgres://u@h/db?uselibpqcompat=true&sslmode=require',
    'postgres://u@h/db?sslmode=require&uselibpqcompat=true',
  ]) {
    assert.equal(explicitSslMode(url), url);
  }
});

test('sslmode=require still encrypts and verifies the certificate, and pg emits no warning', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(w.message);
  process.on('warning', onWarning);
  try {
    for (const mode of ['prefer', 'require', 'verify-ca', 'verify-full']) {
      const ssl = sslOf(`postgres://u@127.0.0.1:1/db?sslmode=${mode}`);
      // An options object (TLS on) that does not turn verification off: Node's default rejectUnauthorized is true.
      assert.equal(typeof ssl, 'object', mode);
      assert.notEqual((ssl as { rejectUnauthorized?: boolean }).rejectUnauthorized, false, mode);
      assert.equal((ssl as { checkServerIdentity?: unknown }).checkServerIdentity, undefined, mode);
    }
    // Asked for libpq's meaning: encrypted without verification, as pg documents.
    const compat = sslOf('postgres://u@127.0.0.1:1/db?uselibpqcompat=true&sslmode=require');
    assert.equal((compat as { rejectUnauthorized?: boolean }).rejectUnauthorized, false);
    assert.equal(sslOf('postgres://u@127.0.0.1:1/db?sslmode=disable'), false);
    // process.emitWarning reports on a later tick.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings, []);
});
