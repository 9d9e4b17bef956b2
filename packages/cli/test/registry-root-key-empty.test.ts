// `--root-key ""` (a script's `--root-key "$ROOT"` with ROOT unset or empty) was taken as no --root-key at all:
// `vouch registry verify` and `verify-credential` then checked the document against the root key it names itself
// and exited 0 for a registry signed by anyone — the pin the caller asked for silently dropped, with only a warning
// line in text output. An empty --root-key is now a usage error (exit 2) and nothing is verified.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { draftRegistry, ok, run, tempDir } from './helpers.ts';

test('an empty --root-key is a usage error, not an unpinned verification', async (t) => {
  const base = await tempDir(t, 'vouch-root-key-empty-');
  const { reg, key } = await draftRegistry(base);
  // A registry signed by a root key nobody pinned: self-consistent, so only the pin can refuse it.
  await ok(0, 'registry', 'keygen', '--output', join(base, 'other-root.key.json'));
  await ok(
    0,
    'registry',
    'init',
    '--root-key',
    join(base, 'other-root.key.json'),
    '--threshold',
    '2',
    '--dir',
    reg,
    'acme',
    'bolt',
    'coda',
  );
  await ok(
    0,
    'registry',
    'credential',
    '--key',
    key('acme'),
    '--as',
    'acme',
    '--agent',
    'agent:a',
    '--dir',
    reg,
    '--output',
    join(base, 'a.cred'),
  );
  for (const value of ['', ' ']) {
    for (const args of [
      ['registry', 'verify', '--dir', reg, '--root-key', value],
      ['registry', 'verify', '--dir', reg, '--root-key', value, '--format', 'json'],
      ['registry', 'verify-credential', join(base, 'a.cred'), '--dir', reg, '--root-key', value],
    ]) {
      const r = await run(...args);
      assert.equal(r.code, 2, `${args.join(' ')}\n${r.out}${r.err}`);
      assert.equal(r.out, '', 'nothing verified, nothing printed as a result');
      assert.match(r.err, /--root-key/);
    }
  }
  // Without the option at all, the documented unpinned check still runs (and says so).
  const unpinned = await run('registry', 'verify', '--dir', reg);
  assert.equal(unpinned.code, 0, unpinned.err);
  assert.match(unpinned.out, /root key not pinned/);
});
