// VOUCH_DATABASE_URL is refused at start, naming the variable, when pg could not read it as meant: a password with an
// unencoded reserved character failed later as "Cannot connect to the PostgreSQL database (ERR_INVALID_URL: Invalid
// URL)", and one with `#` could parse as another host whose port was the start of the password.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/config.ts';

test('a VOUCH_DATABASE_URL pg would misread is refused, naming the variable and never quoting the password', () => {
  const bad = [
    'postgres://vouch:s3cr#etpw@db.example/vouch', // does not parse
    'postgres://vouch:4321#secretpw@db.example/vouch', // parses: host "vouch", port 4321, no password
    'postgres://vouch:se/cretpw@db.example/vouch',
    'postgres://vouch:se?cretpw@db.example/vouch',
    'postgresql://vouch:secretpw@[::1/vouch',
    'postgres://vouch:%C3%28secretpw@db.example/vouch', // escapes that decode to no UTF-8 text
  ];
  for (const url of bad) {
    assert.throws(
      () => loadConfig({ VOUCH_DATABASE_URL: url }),
      (err: unknown) =>
        err instanceof ConfigError &&
        /VOUCH_DATABASE_URL/.test(err.message) &&
        /percent-encode/.test(err.message) &&
        !/secret|cretpw|etpw/.test(err.message),
      url,
    );
  }
});

test('connection strings pg reads as written are still accepted', () => {
  const good = [
    'postgres://u@db/vouch',
    'postgres://vouch:s3cr%23et%2Fpw@db.example:5432/vouch',
    'postgresql://vouch:pw@[::1]:5432/vouch?sslmode=require',
    'postgres://vouch@/vouch?host=/var/run/postgresql',
    'postgres://vouch:pw@db/vouch?options=-c%20statement_timeout%3D30000',
    'postgres://vouch:pass word@db/vouch', // pg encodes the space itself
    // A file pg reads while parsing: a missing one is reported when connecting, with its own cause.
    'postgres://vouch:pw@db/vouch?sslmode=verify-full&sslrootcert=/nonexistent/root.crt',
  ];
  for (const url of good) assert.equal(loadConfig({ VOUCH_DATABASE_URL: url }).databaseUrl, url);
});
