// Reading a server URL costs time in proportion to its text. `/\/+$/` tried a match at every slash of an inner run
// and scanned the run to its end each time: a server URL with 200,000 slashes before its last segment (an identity
// file, $VOUCH_SERVER, --server) took 17 s of CPU before a word was printed. Bound: 1 s.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverBase } from '../src/commands/token/http.ts';
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

test('a server URL with a long inner run of slashes is read in linear time', () => {
  const url = `http://127.0.0.1:4100/${'/'.repeat(200_000)}x/`;
  const took = ms(() => assert.equal(serverBase({ server: url }), url.slice(0, -1)));
  assert.ok(took < BOUND_MS, `serverBase took ${Math.round(took)} ms`);
});
