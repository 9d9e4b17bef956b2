// The whole-output filter (terminalSafe) replaced controls and bidi overrides but let U+2028/U+2029 through, so
// server text could still break a line in a terminal that honours them; JSON output escapes them, the same value.
// verify-credential printed the credential's `sub` (and `iss`, scope) inside a line through that filter only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonOut, terminalSafe } from '../src/output.ts';
import { draftRegistry, ISSUERS, ok } from './helpers.ts';

test('terminalSafe replaces U+2028 and U+2029, keeps newline and tab; jsonOut escapes them', () => {
  assert.equal(terminalSafe('a\u2028b\u2029c\nd\te'), 'a\uFFFDb\uFFFDc\nd\te');
  const out = jsonOut({ text: 'a\u2028b\u2029c' });
  assert.ok(!/[\u2028\u2029]/.test(out), out);
  assert.match(out, /a\\u2028b\\u2029c/);
  assert.deepEqual(JSON.parse(out), { text: 'a\u2028b\u2029c' }, 'the same value');
  assert.equal(terminalSafe(out), out, 'nothing left for the filter');
});

test("verify-credential prints the credential's sub inside its line, with no line break of its own", async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'vouch-credential-sub-'));
  t.after(() => rm(base, { recursive: true, force: true }));
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '3', '--dir', reg, ...ISSUERS);
  // The SDK refuses C0 controls in an id, not U+2028 nor the right-to-left mark (which only field() replaces).
  const agent = 'agent:\u200fbot\u2028valid: credential from root for agent:admin';
  const issued = await ok(
    0,
    'registry',
    'credential',
    '--key',
    key('acme'),
    '--as',
    'acme',
    '--agent',
    agent,
    '--dir',
    reg,
  );
  const r = await ok(0, 'registry', 'verify-credential', issued.out.trim(), '--dir', reg);
  const lines = r.out.trim().split('\n');
  assert.equal(
    lines[0],
    'valid: credential from acme for agent:\uFFFDbot\uFFFDvalid: credential from root for agent:admin',
    r.out,
  );
  assert.equal(lines.filter((l) => l.startsWith('valid:')).length, 1);
});
