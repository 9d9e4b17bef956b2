// Every other setting is read trimmed (a value pasted with a trailing space or newline from a secrets file, or a
// variable set to blanks, is the value or unset), but whole-number settings were not: `VOUCH_PORT=" 4100"` stopped
// the start with "must be a whole number" and `VOUCH_PORT=" "` was not the default. Numbers now read the same way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/config.ts';

test('whole-number settings are read trimmed; blanks are the default', () => {
  assert.equal(loadConfig({ VOUCH_PORT: ' 4200\n' }).port, 4200);
  assert.equal(loadConfig({ VOUCH_PORT: '  ' }).port, 4100);
  assert.equal(loadConfig({ VOUCH_RATE_LIMIT_MAX: '\t50 ' }).rateLimitMax, 50);
  assert.equal(loadConfig({ VOUCH_CLOCK_SKEW: '30\r\n' }).clockSkewSeconds, 30);
});

test('a number with a space inside, a sign or a fraction is still refused, naming the value as given', () => {
  for (const raw of ['42 00', '+4100', '4100.0', '-1', '0x10']) {
    assert.throws(
      () => loadConfig({ VOUCH_PORT: raw }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.equal(err.message, `VOUCH_PORT must be a whole number, got "${raw}".`);
        return true;
      },
    );
  }
});
