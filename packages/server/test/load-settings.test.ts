import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSettings } from '../../../scripts/load-settings.ts';

// `npm run load` (scripts/load.ts) reads its duration and connections from the environment.

test('load: LOAD_DURATION_S and LOAD_CONNECTIONS default to 60 and 8 and are read when set', () => {
  assert.deepEqual(loadSettings({}), { durationS: 60, connections: 8 });
  assert.deepEqual(loadSettings({ LOAD_DURATION_S: '5', LOAD_CONNECTIONS: '2' }), { durationS: 5, connections: 2 });
});

test('load: a LOAD_DURATION_S or LOAD_CONNECTIONS not a positive whole number is refused, not run as NaN', () => {
  for (const bad of ['abc', '0', '-3', '1.5', '']) {
    assert.throws(() => loadSettings({ LOAD_DURATION_S: bad }), /LOAD_DURATION_S/);
    assert.throws(() => loadSettings({ LOAD_CONNECTIONS: bad }), /LOAD_CONNECTIONS/);
  }
});
