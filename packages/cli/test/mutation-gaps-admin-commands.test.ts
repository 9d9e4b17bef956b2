// Mutation checks of `vouch audit` and `vouch integrator` that no test held. With --json the answer's `next` says
// where older entries are; the "older entries follow" hint is the table's, and printed after --json it reached
// stderr too (mutation: the hint's `opts.json !== true` dropped). A `--metric` whose last field is a number after a
// misspelled lane is read as maxPerDay, so the server names the lane; read as part of the key, it was refused as a
// weight that is no number (mutation: the number test of the last field dropped).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerJson, recordingServer, runClean } from './helpers.ts';
import { parseMetric } from '../src/commands/integrator/metrics.ts';

const env = { VOUCH_ADMIN_KEY: 'vouch_admin_MUTATION_GAPS_0123456789' };
const entry = (id: number) => ({
  id,
  at: '2026-12-04T23:00:00.000Z',
  actor: 'admin',
  action: 'server_key.rotate',
  target: 'tokens',
  details: null,
  requestId: null,
});

test('audit --json with older entries prints no hint on stderr: next in the JSON says it', async (t) => {
  const server = await recordingServer(t, (res) => answerJson(res, 200, { entries: [entry(9), entry(8)], next: 8 }));
  const r = await runClean(env, 'audit', '--limit', '2', '--json', '--server', server.url);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '');
  assert.equal((JSON.parse(r.out) as { next: number }).next, 8);
});

test('--metric: a number after a misspelled lane is maxPerDay, so the lane reaches the server', () => {
  assert.deepEqual(parseMetric('sale:boost:1:condcut:10'), {
    metricKey: 'sale',
    polarity: 'boost',
    weight: 1,
    lane: 'condcut',
    maxPerDay: 10,
  });
});
