// Listening on every address (`0.0.0.0`, `::`) gives no address a client could use, so the default public URL (the
// issuer of every token, and every printed link) names 127.0.0.1 instead. Only the two shortest spellings were
// recognised: `VOUCH_HOST=::0` or `0:0:0:0:0:0:0:0` (the same address) made every token's issuer http://[::]:4100.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../src/config.ts';

test('every spelling of the unspecified address gives the default public URL 127.0.0.1', () => {
  for (const host of ['0.0.0.0', '::', '::0', '0:0:0:0:0:0:0:0', '0000::0000']) {
    const c = loadConfig({ VOUCH_HOST: host, VOUCH_PORT: '4100' });
    assert.equal(c.host, host, 'listens where configured');
    assert.equal(c.publicUrl, 'http://127.0.0.1:4100', host);
  }
  // Other addresses keep their own spelling.
  assert.equal(loadConfig({ VOUCH_HOST: '::1', VOUCH_PORT: '9' }).publicUrl, 'http://[::1]:9');
  assert.equal(loadConfig({ VOUCH_HOST: '10.0.0.5', VOUCH_PORT: '9' }).publicUrl, 'http://10.0.0.5:9');
});
