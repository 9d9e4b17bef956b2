// `vouch keys rotate --help` tells the operator how long the previous key keeps verifying. A retired capability key
// leaves /.well-known/vouch-keys.json (and stops verifying at the gateway) once no token it signed can be live,
// a day after the rotation (docs/operations.md, "Key rotation"); only tool-manifest keys stay published for good.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './helpers.ts';

test('keys rotate --help does not promise that retired capability keys stay published for good', async () => {
  const help = await run('keys', 'rotate', '--help');
  const text = (help.out + help.err).replace(/\s+/g, ' ');
  assert.doesNotMatch(text, /capability and tool-manifest keys for good/);
  assert.match(text, /tool-manifest keys for good/);
  assert.match(text, /capability keys until no token they signed can be live/);
});
