// VOUCH_METRICS_PUBLIC opens /metrics to anyone. Its reader (config.ts boolVar) takes 1/0 and, in any case and
// with surrounding blanks, true/false and yes/no; anything else stops the start. Only `1` and a junk value were
// tested: an operator's `false`, `no` or ` FALSE ` was held by nothing, so a reader that took one of them as true
// (or dropped the trim or the lower-casing, refusing `False`) passed every test. `false` must leave /metrics to
// the admin: 401 without the key.
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/config.ts';
import { eachEngine } from './helpers/storage.ts';
import { makeApp, TEST_ADMIN_KEY } from './helpers/app.ts';

const CLOSED = ['', '0', 'false', 'no', 'FALSE', 'No', ' false ', '\t0\n'];
const OPEN = ['1', 'true', 'yes', 'TRUE', 'Yes', ' true ', ' 1 '];

eachEngine('VOUCH_METRICS_PUBLIC: every spelling of no keeps /metrics for the admin', async ({ open }) => {
  for (const v of CLOSED) assert.equal(loadConfig({ VOUCH_METRICS_PUBLIC: v }).metricsPublic, false, JSON.stringify(v));
  for (const v of OPEN) assert.equal(loadConfig({ VOUCH_METRICS_PUBLIC: v }).metricsPublic, true, JSON.stringify(v));
  for (const v of ['2', 'on', 'off', 'enabled', 'f', 'n', '-1']) {
    assert.throws(() => loadConfig({ VOUCH_METRICS_PUBLIC: v }), ConfigError, JSON.stringify(v));
  }

  const t = await makeApp(await open(), { env: { VOUCH_METRICS_PUBLIC: 'false' } });
  try {
    const anonymous = await t.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(anonymous.statusCode, 401, anonymous.body);
    const admin = await t.app.inject({ method: 'GET', url: '/metrics', headers: { 'x-api-key': TEST_ADMIN_KEY } });
    assert.equal(admin.statusCode, 200);
  } finally {
    await t.app.close();
  }
});
