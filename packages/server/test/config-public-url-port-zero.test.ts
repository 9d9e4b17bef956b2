// Review: VOUCH_PORT=0 without VOUCH_PUBLIC_URL is refused because every issuer and link would name port 0, which no
// client can connect to; but a VOUCH_PUBLIC_URL naming port 0 itself (https://vouch.example:0, a template's port left
// at 0) was accepted, and every token's `iss`, verify link and discovery document then named that port. It is now
// refused the same way, naming the setting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/config.ts';

test('a VOUCH_PUBLIC_URL naming port 0 is refused with a ConfigError naming the setting', () => {
  for (const url of ['https://vouch.example:0', 'http://127.0.0.1:00/vouch', 'http://[::1]:0']) {
    assert.throws(
      () => loadConfig({ VOUCH_PUBLIC_URL: url }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, `${url}: ${String(err)}`);
        assert.match(err.message, /^VOUCH_PUBLIC_URL .*port 0/);
        return true;
      },
    );
  }
  // Any other explicit port, and the scheme's default, are kept as before.
  assert.equal(loadConfig({ VOUCH_PUBLIC_URL: 'https://vouch.example:8443' }).publicUrl, 'https://vouch.example:8443');
  assert.equal(loadConfig({ VOUCH_PUBLIC_URL: 'https://vouch.example:443/' }).publicUrl, 'https://vouch.example');
});
