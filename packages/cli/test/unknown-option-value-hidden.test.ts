import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './helpers.ts';

// Commander names an unknown option as it was given: `--admin-key=KEY` on a command that takes no admin key (or a
// mistyped option name) would print the secret on stderr, into a terminal's scrollback or a CI log.
test('an unknown --option=value is named without its value', async () => {
  const secret = 'vk_admin_9f8e7d6c5b4a39281706f5e4d3c2b1a0';
  for (const args of [
    ['keygen', `--admin-key=${secret}`],
    ['registry', 'list', `--admin-kye=${secret}`],
    ['token', 'inspect', 'x', `--owner-key=${secret}'\n(Did you mean`],
    ['agent', 'list', `--linking-key=it's=${secret}`],
  ]) {
    const r = await run(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.ok(!r.err.includes(secret), `${args.join(' ')}: ${r.err}`);
    assert.ok(!r.out.includes(secret), args.join(' '));
    const name = args.at(-1)!.split('=')[0]!;
    assert.ok(r.err.includes(`unknown option '${name}=…'`), `${args.join(' ')}: ${r.err}`);
  }
});

test('an unknown option without a value is still named in full', async () => {
  const r = await run('keygen', '--frobnicate');
  assert.equal(r.code, 2);
  assert.match(r.err, /unknown option '--frobnicate'/);
});

test("a mistyped --option=value keeps commander's suggestion, without the value", async () => {
  const r = await run('registry', 'publish', '--serve=s3');
  assert.equal(r.code, 2);
  assert.ok(!r.err.includes('s3'), r.err);
  assert.match(r.err, /^error: unknown option '--serve=…'\n\(Did you mean --server\?\)\n/);
});
