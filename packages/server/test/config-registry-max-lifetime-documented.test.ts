// VOUCH_TRUST_REGISTRY_MAX_LIFETIME (and `vouch registry verify --max-lifetime`, parsed alike) takes whole seconds from
// 120 to 3660 days, but the README, its configuration table and the CLI's help said only "120 or more": a value above
// 316224000 stopped the start (or was exit 2) although the documentation allowed it. Each now names the bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CONFIG_VARIABLES, ConfigError, parseRegistryMaxLifetime } from '../src/config.ts';

const MAX = 3660 * 86_400;
const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

test('the largest VOUCH_TRUST_REGISTRY_MAX_LIFETIME accepted is the one documented', () => {
  assert.equal(parseRegistryMaxLifetime(String(MAX)), MAX);
  assert.throws(() => parseRegistryMaxLifetime(String(MAX + 1)), ConfigError);
  const meaning = CONFIG_VARIABLES.find((v) => v.name === 'VOUCH_TRUST_REGISTRY_MAX_LIFETIME')!.meaning;
  assert.match(meaning, new RegExp(`120 to ${MAX}\\b`));
  assert.match(read('README.md'), new RegExp(`whole seconds, 120 to ${MAX}\\b`));
  assert.match(read('packages/cli/src/commands/registry/verify.ts'), new RegExp(`120 to ${MAX}\\b`));
});
