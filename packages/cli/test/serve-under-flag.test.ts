// underFlag (serve.ts) names the flag the user typed in place of the variable the configuration's refusal names, and
// nothing else: only a flag that was given, only the variable at the start of the message as a whole word, followed by
// " ", ":" or "=". The end-to-end tests (serve-flag-errors) each hold one real refusal; this holds the edges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { underFlag } from '../src/commands/serve.ts';

test('underFlag rewrites the variable at the start into the flag given, and only then', () => {
  const all = { host: '127.0.0.1', port: '1', dataDir: 'd' };
  const cases: ReadonlyArray<readonly [string, Parameters<typeof underFlag>[1], string]> = [
    ['VOUCH_PORT must be a whole number, got "abc".', { port: 'abc' }, '--port must be a whole number, got "abc".'],
    ['VOUCH_PORT=0 picks a different free port', { port: '0' }, '--port 0 picks a different free port'],
    ['VOUCH_DATA_DIR: cannot use d (EEXIST).', { dataDir: 'd' }, '--data-dir: cannot use d (EEXIST).'],
    ['VOUCH_HOST must be an IP address', { host: 'x' }, '--host must be an IP address'],
    // Every flag is looked at, not the first one given only.
    ['VOUCH_DATA_DIR: cannot use d (EEXIST).', all, '--data-dir: cannot use d (EEXIST).'],
    // From the environment, or of another flag than the one given: the variable stays.
    ['VOUCH_PORT must be a whole number, got "eighty".', {}, 'VOUCH_PORT must be a whole number, got "eighty".'],
    ['VOUCH_PORT must be a whole number.', { host: 'x', dataDir: 'd' }, 'VOUCH_PORT must be a whole number.'],
    // Another variable the flag's is the start of, or the variable later in the message: not the flag's.
    ['VOUCH_PORTS is not a setting.', { port: '1' }, 'VOUCH_PORTS is not a setting.'],
    ['VOUCH_DATA_DIR_X: no.', { dataDir: 'd' }, 'VOUCH_DATA_DIR_X: no.'],
    ['Set VOUCH_PORT to a port.', { port: '1' }, 'Set VOUCH_PORT to a port.'],
    ['Cannot use VOUCH_PORT here.', { port: '1' }, 'Cannot use VOUCH_PORT here.'],
    ['VOUCH_PORT', { port: '1' }, 'VOUCH_PORT'],
  ];
  for (const [message, opts, expected] of cases) {
    assert.equal(underFlag(message, opts), expected, `${message} ${JSON.stringify(opts)}`);
  }
});
