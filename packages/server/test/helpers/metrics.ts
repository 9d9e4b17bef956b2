// A signature cache's counters as an app's own /metrics reports them (read with the admin key).
import assert from 'node:assert/strict';
import type { TestApp } from './app.ts';

/** `<prefix>_lookups_total{result="hit"|"miss"}` and `<prefix>_entries`, e.g. prefix `vouch_token_signature_cache`. */
export async function signatureCacheMetrics(
  t: TestApp,
  prefix: string,
): Promise<{ hit: number; miss: number; entries: number }> {
  const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: { 'x-api-key': t.adminKey } });
  assert.equal(res.statusCode, 200, res.body);
  const read = (pattern: RegExp) => Number(pattern.exec(res.body)?.[1] ?? Number.NaN);
  return {
    hit: read(new RegExp(`^${prefix}_lookups_total\\{result="hit"\\} (\\d+)$`, 'm')),
    miss: read(new RegExp(`^${prefix}_lookups_total\\{result="miss"\\} (\\d+)$`, 'm')),
    entries: read(new RegExp(`^${prefix}_entries (\\d+)$`, 'm')),
  };
}
