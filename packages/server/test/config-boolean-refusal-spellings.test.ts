// A switch (VOUCH_METRICS_PUBLIC, VOUCH_REQUIRE_KEY_PROOF, ...) takes 1, true, yes and 0, false, no in any case, but
// its refusal said "must be 1 or 0": a user who wrote `on` learnt only two of the six spellings, and one who had
// written `true` elsewhere could think it refused. The refusal now names every spelling the switch takes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../src/config.ts';

test('a switch refusal names every spelling the switch takes', () => {
  const switches = CONFIG_VARIABLES.filter((v) => v.accepts.kind === 'boolean');
  assert.ok(switches.length >= 4);
  for (const v of switches) {
    assert.throws(
      () => loadConfig({ [v.name]: 'on' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.equal(err.message, `${v.name} must be 1, true or yes (on) or 0, false or no (off), got "on".`);
        return true;
      },
    );
  }
});
