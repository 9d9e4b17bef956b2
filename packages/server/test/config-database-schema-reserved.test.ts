// PostgreSQL reserves schema names starting with pg_ (CREATE SCHEMA refuses them), and information_schema is its own
// catalog. VOUCH_DATABASE_SCHEMA=pg_vouch stopped the start with "Cannot create the PostgreSQL schema." naming no
// reason, and information_schema was accepted: the tables went into the catalog schema, which pg_dump never dumps, so
// every backup silently held none of Vouch's data. Both are refused before anything connects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/config.ts';

const URL = 'postgres://db.example/vouch';

test('VOUCH_DATABASE_SCHEMA refuses names PostgreSQL reserves, naming the setting', () => {
  for (const schema of ['pg_vouch', 'pg_catalog', 'pg_', 'information_schema']) {
    assert.throws(
      () => loadConfig({ VOUCH_DATABASE_URL: URL, VOUCH_DATABASE_SCHEMA: schema }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, `${schema}: ${String(err)}`);
        assert.match(err.message, /^VOUCH_DATABASE_SCHEMA .*reserved/);
        return true;
      },
    );
  }
  for (const schema of ['vouch', 'public', 'vouch_pg_', 'pgvouch', 'information_schema_vouch']) {
    assert.equal(loadConfig({ VOUCH_DATABASE_URL: URL, VOUCH_DATABASE_SCHEMA: schema }).databaseSchema, schema);
  }
});
