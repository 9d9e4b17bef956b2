// `vouch integrator create --help` described a slug as "3 to 40 of a-z, 0-9 and -", so `-shop`, `1shop` and `shop-`
// read as valid; the server (INTEGRATOR_SLUG_PATTERN) refuses them: a slug starts with a letter and does not end
// with a hyphen. The help now says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './helpers.ts';

test('integrator create --help states the slug rule the server holds', async () => {
  const help = await run('integrator', 'create', '--help');
  assert.equal(help.code, 0);
  assert.match(
    help.out.replace(/\s+/g, ' '),
    /3 to 40 of a-z, 0-9 and -, starting with a letter and not ending with -/,
  );
});
