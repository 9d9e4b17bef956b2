// An integrator's name is shown on its disclosure page and to every agent asked to consent, but one of only
// whitespace (spaces, no-break and wide spaces, which the display-text pattern lets through) was taken, naming it as
// nothing. A name that is empty after trimming is now refused as an empty one is: 400 VALIDATION_FAILED, field
// body.name, nothing written. A name with spaces around or inside it is still taken as sent.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts } from '../helpers/app.ts';
import { ADMIN, post, repApp } from './helpers.ts';

const METRICS = [{ metricKey: 'tasks', polarity: 'boost', weight: 1, lane: 'conduct' }];

eachEngine('an integrator name of only whitespace is refused, naming body.name', async ({ open }) => {
  const storage = await open();
  const t = await repApp(storage);
  const base = { slug: 'shop', domain: 'shop.example', metrics: METRICS };
  const empty = await post(t, '/api/v1/admin/integrators', { ...base, name: '' }, ADMIN);
  assert.equal(empty.statusCode, 400, empty.body);
  const emptyBody = empty.json() as { code: string; field?: string };
  const before = await tableCounts(storage);
  for (const name of [' ', '   ', '\u00a0', '\u3000 \u2003']) {
    const res = await post(t, '/api/v1/admin/integrators', { ...base, name }, ADMIN);
    assert.equal(res.statusCode, 400, `${JSON.stringify(name)}: ${res.body}`);
    const body = res.json() as { code: string; field?: string; error: string };
    assert.equal(body.code, emptyBody.code);
    assert.equal(emptyBody.field, 'body.name');
    assert.equal(body.field, 'body.name');
    assert.match(body.error, /body\.name/);
  }
  assert.deepEqual(await tableCounts(storage), before, 'nothing written');
  const ok = await post(t, '/api/v1/admin/integrators', { ...base, name: ' Shop  Inc ' }, ADMIN);
  assert.equal(ok.statusCode, 201, ok.body);
  const list = await t.app.inject({ method: 'GET', url: '/api/v1/admin/integrators', headers: ADMIN });
  assert.equal((list.json() as { integrators: Array<{ name: string }> }).integrators[0]!.name, ' Shop  Inc ');
  await t.app.close();
});
