// A VOUCH_CORS_ORIGINS entry carrying credentials is refused without quoting them, as VOUCH_PUBLIC_URL and
// VOUCH_TRUST_REGISTRY_URL are: the refusal is printed at start and kept in logs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/config.ts';

test('a VOUCH_CORS_ORIGINS entry with credentials is refused, naming the variable but not the password', () => {
  const entries = [
    'https://app.example, https://deploy:hunter2secret@app.example',
    'https://deploy:hunter2secret@app.example/',
    'https://deploy:hunter2 secret@app example', // not even a URL
  ];
  for (const raw of entries) {
    assert.throws(
      () => loadConfig({ VOUCH_CORS_ORIGINS: raw }),
      (err: unknown) =>
        err instanceof ConfigError && /VOUCH_CORS_ORIGINS/.test(err.message) && !/hunter2|deploy/.test(err.message),
      raw,
    );
  }
  // Entries without credentials are still quoted, so the operator sees which one is wrong.
  assert.throws(
    () => loadConfig({ VOUCH_CORS_ORIGINS: 'https://app.example/path' }),
    (err: unknown) => err instanceof ConfigError && err.message.includes('"https://app.example/path"'),
  );
});
