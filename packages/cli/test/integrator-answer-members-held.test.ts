// Checks of `vouch integrator` and `vouch reputation rebuild` that no test held: an integrator list entry without a
// whole environmentVersion, a create answer without one, and a rebuild report without `written` are no answers of
// their routes (exit 2, nothing on stdout; the list printed "vundefined"), and a metrics file holding neither an array
// nor {"metrics": [...]} is refused, exit 2, before anything is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { answerJson, recordingServer, runClean, tempDir } from './helpers.ts';

const ADMIN = 'vouch_admin_SECRET_DO_NOT_LEAK_1234567890';
const env = { VOUCH_ADMIN_KEY: ADMIN };

test('integrator list, create and reputation rebuild refuse an answer missing a member they rely on', async (t) => {
  const integrator = { slug: 'shop', name: 'Shop', domain: 'shop.example', metrics: [] };
  const cases = [
    [200, { integrators: [integrator] }, ['integrator', 'list'], /200 answer is not an integrator list/],
    [
      201,
      { slug: 'shop', apiKey: 'vik_first' },
      ['integrator', 'create', 'shop', '--name', 'Shop', '--domain', 'shop.example'],
      /201 answer is not a new integrator/,
    ],
    [
      200,
      { events: 1, penalties: 0, agents: 1, consistent: true },
      ['reputation', 'rebuild'],
      /200 answer is not a reputation rebuild report/,
    ],
  ] as const;
  for (const [status, body, args, message] of cases) {
    const server = await recordingServer(t, (res) => answerJson(res, status, body));
    for (const form of [[], ['--json']]) {
      const r = await runClean(env, ...args, ...form, '--server', server.url);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}${r.err}`);
      assert.equal(r.out, '');
      assert.match(r.err, message);
    }
  }
});

test('integrator metrics and create refuse a metrics file without a list, sending nothing', async (t) => {
  const dir = await tempDir(t);
  const server = await recordingServer(t, (res) => answerJson(res, 500, { error: 'unexpected', code: 'UNEXPECTED' }));
  for (const content of ['{}', '{"metrics": 5}', '"sale"', 'null']) {
    const file = join(dir, 'metrics.json');
    await writeFile(file, content);
    for (const args of [
      ['integrator', 'metrics', 'shop', '--file', file],
      ['integrator', 'create', 'shop', '--name', 'Shop', '--domain', 'shop.example', '--metrics-file', file],
    ]) {
      const r = await runClean(env, ...args, '--server', server.url);
      assert.equal(r.code, 2, `${content}: ${r.err}`);
      assert.equal(r.err, `vouch: ${file} must hold an array of metrics or {"metrics": [...]}.\n`);
    }
  }
  assert.equal(server.seen.length, 0);
});
