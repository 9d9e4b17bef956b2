// Parts of `vouch integrator` and `vouch reputation rebuild` no test held (each could be changed with every test still
// passing): a metric's maxPerDay checked as a number before it is printed, the empty list's line, the line for an
// unchanged metrics list, and the exit code of a rebuild (not a dry run) that found and rewrote a difference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { answerJson, recordingServer as serve, runClean, tempDir } from './helpers.ts';

const ADMIN = { VOUCH_ADMIN_KEY: 'vouch_admin_SECRET_DO_NOT_LEAK_1234567890' };

const METRIC = { metricKey: 'sale', polarity: 'boost', weight: 1, lane: 'conduct', maxPerDay: 10 };
const INTEGRATOR = { slug: 'shop', name: 'Shop', domain: 'shop.example', environmentVersion: 1, metrics: [METRIC] };

test('integrator list refuses a metric whose maxPerDay is not a number, and names an empty list', async (t) => {
  const bad = await serve(t, (res) =>
    answerJson(res, 200, { integrators: [{ ...INTEGRATOR, metrics: [{ ...METRIC, maxPerDay: '10' }] }] }),
  );
  const refused = await runClean(ADMIN, 'integrator', 'list', '--server', bad.url);
  assert.equal(refused.code, 2, refused.out);
  assert.equal(refused.out, '');
  assert.equal(refused.err, "vouch: the server's 200 answer is not an integrator list.\n");

  const empty = await serve(t, (res) => answerJson(res, 200, { integrators: [] }));
  const none = await runClean(ADMIN, 'integrator', 'list', '--server', empty.url);
  assert.equal(none.code, 0, none.err);
  assert.equal(none.out, '(no integrators)\n');
});

test('integrator metrics says whether the list was replaced or unchanged', async (t) => {
  const dir = await tempDir(t, 'vouch-integrator-gaps-');
  const file = join(dir, 'metrics.json');
  await writeFile(file, JSON.stringify([METRIC]));
  for (const [changed, version, said] of [
    [false, 1, 'unchanged'],
    [true, 2, 'metrics replaced'],
  ] as const) {
    const server = await serve(t, (res) =>
      answerJson(res, 200, { slug: 'shop', environmentVersion: version, changed, metrics: [METRIC] }),
    );
    const r = await runClean(ADMIN, 'integrator', 'metrics', 'shop', '--file', file, '--server', server.url);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `shop  v${version}  ${said}\n  sale (boost 1 conduct, 10/day)\n`);
  }
});

test('reputation rebuild that rewrote differing scores exits 0; only a dry run that finds them exits 1', async (t) => {
  const report = { events: 3, penalties: 1, agents: 2, consistent: false };
  const server = await serve(t, (res, seen) => {
    const dryRun = (JSON.parse(seen.body) as { dryRun: boolean }).dryRun;
    answerJson(res, 200, { ...report, written: !dryRun });
  });
  const rebuilt = await runClean(ADMIN, 'reputation', 'rebuild', '--server', server.url);
  assert.equal(rebuilt.code, 0, rebuilt.err);
  assert.equal(rebuilt.out, '3 events, 1 penalties, 2 agents: the stored scores differed and were rewritten.\n');
  assert.equal(rebuilt.err, '');

  const dry = await runClean(ADMIN, 'reputation', 'rebuild', '--dry-run', '--server', server.url);
  assert.equal(dry.code, 1, dry.err);
  assert.equal(dry.out, '3 events, 1 penalties, 2 agents: the stored scores differ.\n');
  assert.equal(dry.err, 'vouch: the stored scores differ from the rebuild.\n');
});
