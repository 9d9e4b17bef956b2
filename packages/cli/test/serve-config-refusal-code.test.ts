// `vouch serve` (and `npm start`, which runs it) ended a KEK refusal with its code (KEK_MISMATCH) but a bad setting
// with the message alone, where docs/operations.md says a value that does not parse stops the start "naming the
// variable (`CONFIG_INVALID`, exit code 2)": a script looking for the code found none. It now ends with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runClean } from './helpers.ts';

test('vouch serve ends a configuration refusal with CONFIG_INVALID, under the flag or the variable', async () => {
  const env = { VOUCH_DATABASE_URL: '', VOUCH_PUBLIC_URL: '', VOUCH_LOG_LEVEL: 'silent' };
  const cases: Array<[Record<string, string>, string[], string]> = [
    [{ VOUCH_PORT: 'eighty' }, [], 'vouch: VOUCH_PORT must be a whole number, got "eighty" (CONFIG_INVALID)\n'],
    [{}, ['--port', '70000'], 'vouch: --port must be between 0 and 65535, got 70000 (CONFIG_INVALID)\n'],
    [
      { VOUCH_METRICS_PUBLIC: 'maybe' },
      [],
      'vouch: VOUCH_METRICS_PUBLIC must be 1, true or yes (on) or 0, false or no (off), got "maybe" (CONFIG_INVALID)\n',
    ],
  ];
  for (const [vars, args, err] of cases) {
    const r = await runClean({ ...env, ...vars }, 'serve', '--host', '127.0.0.1', ...args);
    assert.equal(r.code, 2, r.err);
    assert.equal(r.err, err);
  }
});
