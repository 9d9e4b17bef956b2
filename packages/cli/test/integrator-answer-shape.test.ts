// `vouch integrator create|rotate-key|metrics|list` read the server's answer before printing it, as `vouch keys` does:
// an answer not in the shape the route gives (a proxy's JSON, a broken server) ends the command with exit 2 and one
// line saying so. Before, every one of them failed with a JavaScript TypeError ("Cannot read properties of undefined")
// that told nothing of what happened, after a key rotation that may well have been made, and with --json, create and
// rotate-key printed such an answer and exited 0, as if it held the new API key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { answerJson, recordingServer as serve, run, tempDir } from './helpers.ts';

const ADMIN = 'vouch_admin_SECRET_DO_NOT_LEAK_1234567890';

const METRIC = { metricKey: 'sale', polarity: 'boost', weight: 1, lane: 'conduct', maxPerDay: 10 };
const INTEGRATOR = { slug: 'shop', name: 'Shop', domain: 'shop.example', environmentVersion: 1, metrics: [METRIC] };

test('integrator commands refuse an answer that is not in the shape of their route', async (t) => {
  const dir = await tempDir(t);
  const metricsFile = join(dir, 'metrics.json');
  await writeFile(metricsFile, JSON.stringify([METRIC]));
  const create = ['integrator', 'create', 'shop', '--name', 'Shop', '--domain', 'shop.example'];
  const rotate = ['integrator', 'rotate-key', 'shop'];
  const metrics = ['integrator', 'metrics', 'shop', '--file', metricsFile];
  const list = ['integrator', 'list'];
  const cases: ReadonlyArray<readonly [number, unknown, readonly string[], RegExp]> = [
    [201, {}, create, /201 answer is not a new integrator/],
    [201, null, create, /201 answer is not a new integrator/],
    [201, { slug: 'shop', apiKey: 7, environmentVersion: 1 }, create, /201 answer is not a new integrator/],
    [200, {}, rotate, /200 answer is not an integrator key/],
    [200, { slug: 'shop', apiKey: '' }, rotate, /200 answer is not an integrator key/],
    [200, {}, metrics, /200 answer is not an integrator's metrics/],
    [200, null, metrics, /200 answer is not an integrator's metrics/],
    [200, { ...INTEGRATOR, changed: true, metrics: 'x' }, metrics, /200 answer is not an integrator's metrics/],
    [200, {}, list, /200 answer is not an integrator list/],
    [200, null, list, /200 answer is not an integrator list/],
    [200, { integrators: [{ ...INTEGRATOR, metrics: [null] }] }, list, /200 answer is not an integrator list/],
  ];
  const saved = process.env.VOUCH_ADMIN_KEY;
  process.env.VOUCH_ADMIN_KEY = ADMIN;
  try {
    for (const [status, body, args, message] of cases) {
      const server = await serve(t, (res) => answerJson(res, status, body));
      for (const form of [[], ['--json']]) {
        const r = await run(...args, ...form, '--server', server.url);
        const what = `${args.slice(0, 2).join(' ')} ${form.join(' ')} ${JSON.stringify(body)}`;
        assert.equal(r.code, 2, `${what}: ${r.err}`);
        assert.equal(r.out, '', what);
        assert.match(r.err, message, what);
        assert.doesNotMatch(r.err, /is not a function|Cannot read properties/);
        assert.ok(!r.err.includes(ADMIN));
      }
    }
    // Well-formed answers still print.
    const good = await serve(t, (res, req) => {
      if (req.method === 'GET') answerJson(res, 200, { integrators: [INTEGRATOR] });
      else if (req.method === 'PUT')
        answerJson(res, 200, { slug: 'shop', environmentVersion: 2, changed: true, metrics: [METRIC] });
      else if (req.url.endsWith('/rotate-key')) answerJson(res, 200, { slug: 'shop', apiKey: 'vik_new' });
      else answerJson(res, 201, { slug: 'shop', apiKey: 'vik_first', environmentVersion: 1 });
    });
    const created = await run(...create, '--server', good.url);
    assert.deepEqual([created.code, created.out], [0, 'vik_first\n'], created.err);
    const rotated = await run(...rotate, '--server', good.url);
    assert.deepEqual([rotated.code, rotated.out], [0, 'vik_new\n'], rotated.err);
    const replaced = await run(...metrics, '--server', good.url);
    assert.deepEqual(
      [replaced.code, replaced.out],
      [0, 'shop  v2  metrics replaced\n  sale (boost 1 conduct, 10/day)\n'],
      replaced.err,
    );
    const listed = await run(...list, '--server', good.url);
    assert.deepEqual(
      [listed.code, listed.out],
      [0, 'shop  v1  Shop  shop.example\n  sale (boost 1 conduct, 10/day)\n'],
      listed.err,
    );
  } finally {
    if (saved === undefined) delete process.env.VOUCH_ADMIN_KEY;
    else process.env.VOUCH_ADMIN_KEY = saved;
  }
});
