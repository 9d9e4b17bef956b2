// `--metric key:polarity:weight:lane[:maxPerDay]`: a metric key may hold colons (the server accepts them), so the
// fields are read from the right.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMetric } from '../src/commands/integrator/metrics.ts';
import { CliError } from '../src/exit.ts';

test('--metric: plain keys, keys with colons, with and without maxPerDay', () => {
  assert.deepEqual(parseMetric('tasks:boost:1:conduct'), {
    metricKey: 'tasks',
    polarity: 'boost',
    weight: 1,
    lane: 'conduct',
  });
  assert.deepEqual(parseMetric('spam:hurt:2.5:conduct:3'), {
    metricKey: 'spam',
    polarity: 'hurt',
    weight: 2.5,
    lane: 'conduct',
    maxPerDay: 3,
  });
  assert.deepEqual(parseMetric('orders:refunded:hurt:2:conduct'), {
    metricKey: 'orders:refunded',
    polarity: 'hurt',
    weight: 2,
    lane: 'conduct',
  });
  assert.deepEqual(parseMetric('a:b:c:boost:0.5:presence:10'), {
    metricKey: 'a:b:c',
    polarity: 'boost',
    weight: 0.5,
    lane: 'presence',
    maxPerDay: 10,
  });
  // A key whose last segment is a lane's name keeps it: the field after it is the lane.
  assert.deepEqual(parseMetric('x:conduct:boost:1:origin'), {
    metricKey: 'x:conduct',
    polarity: 'boost',
    weight: 1,
    lane: 'origin',
  });
});

test('--metric: too few fields, an empty key, a bad weight or maxPerDay are usage errors', () => {
  for (const [spec, reason] of [
    ['x:boost', /must be key:polarity:weight:lane/],
    ['x:boost:1', /must be key:polarity:weight:lane/],
    [':boost:1:conduct', /must be key:polarity:weight:lane/],
    // Read from the right, a missing key shifts every field: still refused.
    ['boost:1:conduct:5', /weight must be a number/],
    ['x:boost:heavy:conduct', /weight must be a number/],
    ['x:boost::conduct', /weight must be a number/],
    ['x:boost:1:conduct:1.5', /maxPerDay must be an integer/],
    // After a lane, the last field can only be maxPerDay: named as such, not read as a shifted weight.
    ['x:boost:1:conduct:', /maxPerDay must be an integer/],
    ['x:boost:1:conduct:Infinity', /maxPerDay must be an integer/],
    ['x:boost:1:presence:ten', /maxPerDay must be an integer/],
  ] as const) {
    assert.throws(
      () => parseMetric(spec),
      (err: unknown) => err instanceof CliError && reason.test(err.message),
      spec,
    );
  }
});
