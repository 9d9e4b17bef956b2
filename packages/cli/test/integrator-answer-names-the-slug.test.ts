// `vouch integrator create SLUG`, `rotate-key SLUG` and `metrics SLUG` print what the server answered as SLUG's: the
// new API key alone (`KEY=$(vouch integrator rotate-key shop)`), or its metrics. The server answers with the slug it
// acted on, always the one in the request; an answer naming another integrator (a proxy's cached answer, a broken
// server's) printed that integrator's key as SLUG's, exit 0, and the operator configured SLUG with it. It is now
// refused, exit 2, printing nothing on stdout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { answerJson, recordingServer, runClean, tempDir } from './helpers.ts';

const ADMIN = 'vouch_admin_SECRET_DO_NOT_LEAK_1234567890';
const METRIC = { metricKey: 'sale', polarity: 'boost', weight: 1, lane: 'conduct', maxPerDay: 10 };

test('integrator create, rotate-key and metrics refuse an answer about another integrator', async (t) => {
  const dir = await tempDir(t);
  const metricsFile = join(dir, 'metrics.json');
  await writeFile(metricsFile, JSON.stringify([METRIC]));
  const answer = (slug: string) => (res: ServerResponse, req: { method: string; url: string }) => {
    if (req.method === 'PUT') answerJson(res, 200, { slug, environmentVersion: 2, changed: true, metrics: [METRIC] });
    else if (req.url.endsWith('/rotate-key')) answerJson(res, 200, { slug, apiKey: 'vik_new' });
    else answerJson(res, 201, { slug, apiKey: 'vik_first', environmentVersion: 1 });
  };
  const commands = [
    [['integrator', 'create', 'shop', '--name', 'Shop', '--domain', 'shop.example'], 'vik_first\n'],
    [['integrator', 'rotate-key', 'shop'], 'vik_new\n'],
    [['integrator', 'metrics', 'shop', '--file', metricsFile], 'shop  v2  metrics replaced\n'],
  ] as const;
  const other = await recordingServer(t, answer('other'));
  const good = await recordingServer(t, answer('shop'));
  for (const [args, out] of commands) {
    for (const form of [[], ['--json']]) {
      const r = await runClean({ VOUCH_ADMIN_KEY: ADMIN }, ...args, ...form, '--server', other.url);
      const what = `${args[1]} ${form.join(' ')}`;
      assert.equal(r.code, 2, `${what}: ${r.out}${r.err}`);
      assert.equal(r.out, '', what);
      assert.match(r.err, /answer is about another integrator than shop/, what);
    }
    const r = await runClean({ VOUCH_ADMIN_KEY: ADMIN }, ...args, '--server', good.url);
    assert.equal(r.code, 0, r.err);
    assert.ok(r.out.startsWith(out), r.out);
  }
});
