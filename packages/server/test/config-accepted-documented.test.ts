// The README's configuration table gave most settings' accepted values nowhere: a whole number's bounds (VOUCH_PORT
// 0 to 65535, VOUCH_BODY_LIMIT 1024 to 67108864, ...), a switch's spellings (`1`, `true`, `yes` and `0`, `false`,
// `no`, any case), a list's form; the user learnt them from the start's refusal. Each CONFIG_VARIABLES entry now
// states what it accepts (`accepts`), the generated table shows it in its own column, and this test holds loadConfig
// to each statement: a bound in the code that differs from the documented one fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../src/config.ts';
import type { ConfigVariable } from '../src/config.ts';

// A public URL because VOUCH_PORT=0 needs one; no NODE_ENV, so the test-only switches may be turned on.
const BASE = { VOUCH_PUBLIC_URL: 'https://vouch.example' };

function refusal(name: string, value: string): ConfigError {
  try {
    loadConfig({ ...BASE, [name]: value });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.match(err.message, new RegExp(`^${name}\\b`), `${name}=${value}`);
    return err;
  }
  assert.fail(`${name}=${JSON.stringify(value)} was accepted`);
}

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const rowOf = (v: ConfigVariable) => readme.split('\n').find((line) => line.startsWith(`| \`${v.name}\` |`)) ?? '';

test('every setting states what it accepts, and its README row shows it', () => {
  for (const v of CONFIG_VARIABLES) {
    assert.ok(v.accepts, `${v.name} states what it accepts`);
    const row = rowOf(v);
    if (v.accepts.kind === 'integer') assert.ok(row.includes(`${v.accepts.min} to ${v.accepts.max}`), v.name);
    if (v.accepts.kind === 'boolean') assert.ok(row.includes('`1`, `true`, `yes`'), v.name);
    if (v.accepts.kind === 'oneOf') for (const value of v.accepts.values) assert.ok(row.includes(`\`${value}\``));
  }
});

test('each whole-number setting takes exactly its documented range', () => {
  for (const v of CONFIG_VARIABLES) {
    if (v.accepts.kind !== 'integer') continue;
    const { min, max, off } = v.accepts;
    const atMin = loadConfig({ ...BASE, [v.name]: String(min) });
    const atMax = loadConfig({ ...BASE, [v.name]: String(max) });
    // Read: its two bounds configure different servers.
    assert.notDeepEqual(atMin, atMax, `${v.name} is read`);
    assert.match(refusal(v.name, String(max + 1)).message, /must be between/, `${v.name}=${max + 1}`);
    if (min > 0) assert.match(refusal(v.name, String(min - 1)).message, /must be between/, `${v.name}=${min - 1}`);
    if (off) {
      for (const spelling of ['0', 'off', 'OFF']) loadConfig({ ...BASE, [v.name]: spelling });
    } else if (min > 0) {
      refusal(v.name, 'off');
    }
    for (const raw of ['1e3', '0x10', '+5', '-0', '5.0', '1 000']) refusal(v.name, raw);
  }
});

test('each switch takes exactly its documented spellings, in any case', () => {
  for (const v of CONFIG_VARIABLES) {
    if (v.accepts.kind !== 'boolean') continue;
    const on = ['1', 'true', 'yes', 'TRUE', 'Yes'].map((s) => loadConfig({ ...BASE, [v.name]: s }));
    const offs = ['0', 'false', 'no', 'FALSE', 'No'].map((s) => loadConfig({ ...BASE, [v.name]: s }));
    for (const c of on) assert.deepEqual(c, on[0], v.name);
    for (const c of offs) assert.deepEqual(c, offs[0], v.name);
    assert.notDeepEqual(on[0], offs[0], `${v.name} is read`);
    for (const raw of ['on', 'y', '2', 'enabled']) refusal(v.name, raw);
  }
});

test('each setting with a closed list takes exactly its documented values, in any case', () => {
  for (const v of CONFIG_VARIABLES) {
    if (v.accepts.kind !== 'oneOf') continue;
    for (const value of v.accepts.values) {
      loadConfig({ ...BASE, [v.name]: value });
      loadConfig({ ...BASE, [v.name]: value.toUpperCase() });
    }
    refusal(v.name, 'verbose');
  }
});
