// Checking a --metric weight costs time in proportion to its text. The decimal pattern's `\d+\.?\d*` split a run of
// digits every way before failing: a weight of 100,000 digits and a letter took 13 s of CPU. Bound: 1 s.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMetric } from '../src/commands/integrator/metrics.ts';
import { CliError } from '../src/exit.ts';

const BOUND_MS = 1_000;

/**
 * Milliseconds of CPU this process has used: what a quadratic scan spends, and not the time a loaded machine leaves
 * the process waiting for a core, which the wall clock would count against the bound.
 */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function ms(fn: () => unknown): number {
  const started = cpuMs();
  try {
    fn();
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
  }
  return cpuMs() - started;
}

test('a --metric weight of a long run of digits is checked in linear time', () => {
  const took = ms(() => parseMetric(`x:boost:${'1'.repeat(100_000)}x:conduct`));
  assert.ok(took < BOUND_MS, `parseMetric took ${Math.round(took)} ms`);
  assert.throws(() => parseMetric(`x:boost:${'1'.repeat(20)}x:conduct`), /weight must be a number/);
  assert.equal(parseMetric('x:boost:1.:conduct').weight, 1);
  assert.equal(parseMetric('x:boost:.5e1:conduct').weight, 5);
});
