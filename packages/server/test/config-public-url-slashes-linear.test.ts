// VOUCH_PUBLIC_URL is read in time proportional to its text. `/\/+$/` tried a match at every slash of an inner run
// and scanned the run to its end each time: a URL with 200,000 slashes inside its path held the start for seconds
// before it was refused (an empty path segment). Bound: 1 s.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../src/config-error.ts';
import { loadConfig, publicPathOf } from '../src/config.ts';

const BOUND_MS = 1_000;

/**
 * Milliseconds of CPU this process has used: what a quadratic scan spends, and not the time a loaded machine leaves
 * the process waiting for a core, which the wall clock would count against the bound.
 */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

test('a public URL with a long inner run of slashes is refused in linear time', () => {
  const raw = `http://127.0.0.1:4100/${'/'.repeat(200_000)}x/`;
  const started = cpuMs();
  assert.throws(() => loadConfig({ VOUCH_PUBLIC_URL: raw }, '/tmp'), ConfigError);
  const took = cpuMs() - started;
  assert.ok(took < BOUND_MS, `loadConfig took ${Math.round(took)} ms`);
});

test('the public path drops its trailing slashes, and only those', () => {
  assert.equal(publicPathOf({ publicUrl: 'https://x.example/vouch///' }), '/vouch');
  assert.equal(publicPathOf({ publicUrl: 'https://x.example/' }), '');
  assert.equal(publicPathOf({ publicUrl: `https://x.example/a${'/b'.repeat(50_000)}/` }), `/a${'/b'.repeat(50_000)}`);
  const config = loadConfig({ VOUCH_PUBLIC_URL: 'https://x.example/vouch//' }, '/tmp');
  assert.equal(config.publicUrl, 'https://x.example/vouch');
});
