// The pages link, post and load their assets by same-origin paths: VOUCH_PUBLIC_URL's path and what follows. A path
// that starts with `//` (`https://vouch.test//evil.example/`, a double-slash typo) made those links protocol-relative:
// href="//evil.example/registry" leaves for another host. A path with an empty segment is now refused at start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig, publicPathOf } from '../src/config.ts';

test('VOUCH_PUBLIC_URL with an empty path segment (//) is refused with a ConfigError', () => {
  for (const url of [
    'https://vouch.test//evil.example/',
    'https://vouch.test//evil.example',
    'https://vouch.test/base//x/',
  ]) {
    assert.throws(
      () => loadConfig({ VOUCH_PUBLIC_URL: url }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, `${url}: ${String(err)}`);
        assert.match(err.message, /^VOUCH_PUBLIC_URL must not have an empty path segment/);
        return true;
      },
      url,
    );
  }
});

test('VOUCH_PUBLIC_URL with trailing slashes or none still loads, and its path never starts with //', () => {
  for (const [url, path] of [
    ['https://vouch.test', ''],
    ['https://vouch.test/', ''],
    ['https://vouch.test//', ''],
    ['https://vouch.test/vouch/', '/vouch'],
    ['https://vouch.test/a/b//', '/a/b'],
  ] as const) {
    const config = loadConfig({ VOUCH_PUBLIC_URL: url });
    assert.equal(publicPathOf(config), path, url);
  }
});
