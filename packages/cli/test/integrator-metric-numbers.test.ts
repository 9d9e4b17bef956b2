// `--metric key:polarity:weight:lane[:maxPerDay]` reads the weight and maxPerDay as decimal numbers. Before, anything
// Number() reads was taken: `0x10` sent a weight of 16, ` 2` (a stray space) a weight of 2 and `0b11` a maxPerDay of
// 3, with no word of it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMetric } from '../src/commands/integrator/metrics.ts';
import { CliError } from '../src/exit.ts';

test('--metric: a weight or maxPerDay that is not written in decimal is refused', () => {
  for (const [spec, reason] of [
    ['x:boost:0x10:conduct', /weight must be a number/],
    ['x:boost: 2:conduct', /weight must be a number/],
    ['x:boost:2 :conduct', /weight must be a number/],
    ['x:boost:0o7:conduct', /weight must be a number/],
    ['x:boost:1:conduct:0b11', /maxPerDay must be an integer/],
    ['x:boost:1:conduct:0x10', /maxPerDay must be an integer/],
    ['x:boost:1:conduct: 5', /maxPerDay must be an integer/],
  ] as const) {
    assert.throws(
      () => parseMetric(spec),
      (err: unknown) => err instanceof CliError && err.exitCode === 2 && reason.test(err.message),
      spec,
    );
  }
  // Decimal forms are still read.
  assert.equal(parseMetric('x:boost:.5:conduct').weight, 0.5);
  assert.equal(parseMetric('x:boost:1e1:conduct').weight, 10);
  assert.equal(parseMetric('x:boost:-1:conduct').weight, -1);
  assert.equal(parseMetric('x:boost:1:conduct:10').maxPerDay, 10);
});
