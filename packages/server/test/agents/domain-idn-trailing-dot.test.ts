// A domain's trailing dot may be written as any character IDNA maps to a dot (U+3002 ideographic full stop, U+FF0E
// fullwidth full stop, U+FF61 halfwidth ideographic full stop), as an IME types it after a Japanese or Chinese name.
// `例え。テスト。` is the same domain as `例え.テスト.` and `例え.テスト`; only the ASCII dot used to be dropped, so the
// other spellings were refused as "has an empty label".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeDomain } from '../../src/modules/agents/domain/index.ts';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { bearer, registerSlug, TEST_ENV } from './helpers.ts';

test('a trailing dot written as an IDNA full stop is dropped like an ASCII one', () => {
  for (const input of ['例え。テスト。', '例え．テスト．', '例え｡テスト｡', '例え.テスト。']) {
    assert.equal(normalizeDomain(input), 'xn--r8jz45g.xn--zckzah', input);
  }
  assert.equal(normalizeDomain('Agent.Example.COM。'), 'agent.example.com');
  // Still one trailing dot only, whatever its spelling; and special-use names stay refused.
  for (const input of ['example.com。。', 'example.com.。', 'example.com。.', '。', 'foo.localhost。']) {
    assert.throws(() => normalizeDomain(input), { code: 'DOMAIN_INVALID' }, input);
  }
});

eachEngine('a domain challenge asked with an ideographic trailing dot is the same challenge', async ({ open }) => {
  const { app } = await makeApp(await open(), { env: TEST_ENV });
  const agent = await registerSlug(app, 'idn-dot-agent');
  const ask = (domain: string) =>
    app.inject({
      method: 'GET',
      url: `/v1/identity/idn-dot-agent/domain-challenge?domain=${encodeURIComponent(domain)}`,
      headers: bearer(agent.managementToken),
    });
  const plain = await ask('例え.テスト');
  assert.equal(plain.statusCode, 200, plain.body);
  const dotted = await ask('例え。テスト。');
  assert.equal(dotted.statusCode, 200, dotted.body);
  const a = plain.json() as { domain: string; challenge_token: string };
  const b = dotted.json() as { domain: string; challenge_token: string };
  assert.equal(b.domain, 'xn--r8jz45g.xn--zckzah');
  assert.equal(b.challenge_token, a.challenge_token);
  await app.close();
});
