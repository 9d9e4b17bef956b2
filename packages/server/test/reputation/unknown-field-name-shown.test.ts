// An event member the checks do not know is named in its result's error, and that name is the caller's text: it was
// echoed as sent, so a terminal escape, a C1 control or a bidi override in it reached whoever reads the answer, at any
// length. It is now named as docs/PROTOCOL.md "Errors" names a refused member: as itself when it reads as a name,
// else `["<name>"]` with all but printable ASCII escaped as \uXXXX and cut at 64 characters.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { appWithAllowingAgent, event, ingest } from '../integrators/helpers.ts';
import type { MetricSpec } from '../integrators/helpers.ts';

const METRICS: MetricSpec[] = [{ metricKey: 'tasks', polarity: 'boost', weight: 1, lane: 'conduct' }];

eachEngine('an unknown event or metric value member is named escaped and cut, never echoed raw', async ({ open }) => {
  const { t, key, agent } = await appWithAllowingAgent(await open(), 'shop', METRICS);
  const mv = [{ metricKey: 'tasks', booleanValue: true }];
  const res = await ingest(t, key, [
    event('shop', agent, mv, { addedLater: 1 }),
    event('shop', agent, mv, { 'x\u202e\u001b[2J': 1 }),
    event('shop', agent, mv, { ['\u009b31m'.padEnd(5000, 'y')]: 1 }),
    event('shop', agent, [{ metricKey: 'tasks', booleanValue: true, weight: 2 }]),
    event('shop', agent, [{ metricKey: 'tasks', booleanValue: true, 'w\u2066': 2 }]),
  ]);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(
    res.body.results.map((r) => [r.code, r.error]),
    [
      ['VALIDATION_FAILED', 'addedLater is not an event field.'],
      ['VALIDATION_FAILED', '["x\\u202e\\u001b[2J"] is not an event field.'],
      ['VALIDATION_FAILED', `["\\u009b31m${'y'.repeat(60)}..."] is not an event field.`],
      ['VALIDATION_FAILED', 'metricValues[0].weight is unknown.'],
      ['VALIDATION_FAILED', 'metricValues[0]["w\\u2066"] is unknown.'],
    ],
  );
  assert.equal(res.body.count, 0);
  await t.app.close();
});
