import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVouchError } from '@vouch/sdk';
import { metaContents, normalizeDomain } from '../../src/modules/agents/domain/index.ts';

test('domains are normalised to lower-case A-labels without the trailing dot', () => {
  const ok: Array<[string, string]> = [
    ['example.com', 'example.com'],
    ['Agent.Example.COM', 'agent.example.com'],
    ['example.com.', 'example.com'],
    ['Bücher.example', 'xn--bcher-kva.example'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['例え.テスト', 'xn--r8jz45g.xn--zckzah'],
    ['a。b.example', 'a.b.example'], // ideographic full stop is a dot under IDNA
    ['a-b.c-d.example', 'a-b.c-d.example'],
    ['1password.com', '1password.com'],
    [`${'a'.repeat(63)}.example`, `${'a'.repeat(63)}.example`],
    ['agent.example.test', 'agent.example.test'],
  ];
  for (const [input, want] of ok) assert.equal(normalizeDomain(input), want, input);
});

test('IP addresses in any spelling, ports, URLs, special-use names and bad labels are DOMAIN_INVALID', () => {
  const bad = [
    '',
    'com',
    'localhost',
    'api.localhost',
    'printer.local',
    'db.internal',
    '1.0.0.127.in-addr.arpa',
    'x.invalid',
    'hidden.onion',
    'nas.lan',
    'wiki.intranet',
    'peer.alt', // RFC 9476: a name outside the DNS
    'gnu.name.alt',
    '127.0.0.1',
    '2130706433',
    '0x7f.1',
    '127.1',
    '8.8.8.8',
    '[::1]',
    '::1',
    'example.com:443',
    'https://example.com',
    'example.com/path',
    'user@example.com',
    'ex ample.com',
    ' example.com',
    'example.com\n',
    '*.example.com',
    '-example.com',
    'example-.com',
    'a..example',
    '.example.com',
    'example.com..',
    'under_score.example',
    'xn--zz.example',
    `${'a'.repeat(64)}.example`,
    `${'a.'.repeat(127)}example`,
    'example.123',
    'example.0x1f',
    '%65xample.com',
  ];
  for (const input of bad) {
    assert.throws(
      () => normalizeDomain(input),
      (e: unknown) => isVouchError(e, 'DOMAIN_INVALID') && /^domain /.test((e as Error).message),
      JSON.stringify(input),
    );
  }
});

test('meta tags are read from the head only, outside comments, in any attribute order and quoting', () => {
  const html = `<!doctype html><html><head>
    <!-- <meta name="vouch-verify" content="in-a-comment"> -->
    <meta charset="utf-8">
    <META CONTENT='single-quoted' NAME="Vouch-Verify">
    <meta name=vouch-verify content=unquoted>
    <meta content="a > b" name="other">
    <meta name="vouch-verify" content="  spaced  " />
  </head><body><meta name="vouch-verify" content="in-the-body"></body></html>`;
  assert.deepEqual(metaContents(html, 'vouch-verify'), ['single-quoted', 'unquoted', 'spaced']);
  assert.deepEqual(metaContents('<body><meta name="vouch-verify" content="x">', 'vouch-verify'), []);
  assert.deepEqual(metaContents('<meta name="vouch-verify" content="no-head">', 'vouch-verify'), ['no-head']);
  assert.deepEqual(metaContents('<meta name="vouch-verify">', 'vouch-verify'), []);
  // Not a meta tag, whatever follows the name.
  assert.deepEqual(metaContents('<metadata name="vouch-verify" content="x">', 'vouch-verify'), []);
  assert.deepEqual(metaContents('<meta\nname="vouch-verify"\tcontent="tabs">', 'vouch-verify'), ['tabs']);
});

test('meta tags: a tag left open runs to the end of the page, as in a browser, and the scan is one pass', () => {
  const tag = (v: string) => `<meta name="vouch-verify" content="${v}">`;
  assert.deepEqual(metaContents(`${tag('first')}<meta name="x" ${tag('after')}`, 'vouch-verify'), ['first']);
  assert.deepEqual(metaContents(`${tag('first')}<meta content="never closed ${tag('after')}`, 'vouch-verify'), [
    'first',
  ]);
  assert.deepEqual(metaContents(`${tag('first')}<meta`, 'vouch-verify'), ['first']);
  // 1 MiB of tags never closed: the old pattern looked for each one's `>` again from every `<meta` (seconds for
  // 64 KiB, about a quarter of an hour for this), so this test would not finish on it.
  assert.deepEqual(metaContents(`${tag('first')}${'<meta '.repeat(174_763)}`, 'vouch-verify'), ['first']);
  assert.deepEqual(metaContents(`${tag('first')}${'<meta "'.repeat(149_797)}`, 'vouch-verify'), ['first']);
  // Many closed tags are read one after another: the last one counts like the first.
  assert.deepEqual(metaContents(`${'<meta a="b">'.repeat(50_000)}${tag('last')}`, 'vouch-verify'), ['last']);
});
