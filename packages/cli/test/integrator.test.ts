// `vouch integrator create|rotate-key|metrics|list` and `vouch reputation rebuild` against a real listening server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './helpers.ts';
import { ADMIN_KEY, startLiveServer } from '../../sdk/test/aip-server.ts';
import type { LiveServer } from '../../sdk/test/aip-server.ts';

let live: LiveServer;
let dir: string;
before(async () => {
  live = await startLiveServer();
  dir = await mkdtemp(join(tmpdir(), 'vouch-cli-integrator-'));
});
after(async () => {
  await live?.close();
  await rm(dir, { recursive: true, force: true });
});

const server = () => ['--server', live.url];
const admin = () => [...server(), '--admin-key', ADMIN_KEY];

test('every integrator and reputation subcommand has --help with an example', async () => {
  for (const args of [
    ['integrator'],
    ['integrator', 'create'],
    ['integrator', 'rotate-key'],
    ['integrator', 'metrics'],
    ['integrator', 'list'],
    ['reputation'],
    ['reputation', 'rebuild'],
  ]) {
    const r = await run(...args, '--help');
    assert.equal(r.code, 0, args.join(' '));
    assert.match(r.out, /Examples?:\n\s+\$ (KEY=\$\()?vouch /, `${args.join(' ')} --help shows an example`);
  }
});

test('create prints the key once; rotate-key replaces it; list shows metrics; refusals exit 2', async () => {
  const file = join(dir, 'metrics.json');
  await writeFile(file, JSON.stringify([{ metricKey: 'uptime', polarity: 'boost', weight: 0.5, lane: 'presence' }]));
  const created = await run(
    'integrator',
    'create',
    'shop',
    '--name',
    'Shop',
    '--domain',
    'shop.example',
    '--metric',
    'tasks:boost:1:conduct',
    '--metric',
    'spam:hurt:2.5:conduct:3',
    '--metrics-file',
    file,
    ...admin(),
  );
  assert.equal(created.code, 0, created.err);
  const key = created.out.trim();
  assert.match(key, /^vik_[A-Za-z0-9_-]{43}$/);
  // The key works: an empty batch is a 400 after authentication (a wrong key would be 401).
  const ingestWith = async (k: string) =>
    (
      await fetch(`${live.url}/api/v1/ingest`, {
        method: 'POST',
        headers: { authorization: `Bearer ${k}`, 'content-type': 'application/json' },
        body: '[]',
      })
    ).status;
  assert.equal(await ingestWith(key), 400);

  const list = await run('integrator', 'list', ...admin());
  assert.equal(list.code, 0, list.err);
  assert.match(list.out, /^shop {2}v1 {2}Shop {2}shop\.example/);
  assert.match(list.out, /spam \(hurt 2\.5 conduct, 3\/day\)/);
  assert.match(list.out, /uptime \(boost 0\.5 presence, 10\/day\)/);
  const json = await run('integrator', 'list', '--json', ...admin());
  const parsed = JSON.parse(json.out) as { integrators: Array<{ slug: string; metrics: unknown[] }> };
  assert.equal(parsed.integrators[0]!.metrics.length, 3);
  assert.ok(!json.out.includes(key));

  const rotated = await run('integrator', 'rotate-key', 'shop', ...admin());
  assert.equal(rotated.code, 0, rotated.err);
  const newKey = rotated.out.trim();
  assert.notEqual(newKey, key);
  assert.equal(await ingestWith(key), 401);
  assert.equal(await ingestWith(newKey), 400);

  const dup = await run('integrator', 'create', 'shop', '--name', 'S', '--domain', 's.example', ...admin());
  assert.equal(dup.code, 2);
  assert.match(dup.err, /INTEGRATOR_EXISTS/);
  const badMetric = await run(
    'integrator',
    'create',
    'bank',
    '--name',
    'B',
    '--domain',
    'b.example',
    '--metric',
    'x:boost',
    ...admin(),
  );
  assert.equal(badMetric.code, 2);
  const noKey = await run('integrator', 'list', ...server());
  assert.equal(noKey.code, 2);
  assert.match(noKey.err, /admin-key/);
  const unknown = await run('integrator', 'rotate-key', 'nobody', ...admin());
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /NOT_FOUND/);
});

test('metrics replaces the list from a file (new version); the same list changes nothing; refusals exit 2', async () => {
  const created = await run('integrator', 'create', 'desk', '--name', 'Desk', '--domain', 'desk.example', ...admin());
  assert.equal(created.code, 0, created.err);
  const file = join(dir, 'desk-metrics.json');
  const metrics = [
    { metricKey: 'tickets_closed', polarity: 'boost', weight: 2, lane: 'conduct', maxPerDay: 5 },
    { metricKey: 'spam', polarity: 'hurt', weight: 1, lane: 'conduct' },
  ];
  await writeFile(file, JSON.stringify({ metrics }));

  const replaced = await run('integrator', 'metrics', 'desk', '--file', file, ...admin());
  assert.equal(replaced.code, 0, replaced.err);
  assert.match(replaced.out, /^desk {2}v2 {2}metrics replaced$/m);
  assert.match(replaced.out, /tickets_closed \(boost 2 conduct, 5\/day\)/);
  const same = await run('integrator', 'metrics', 'desk', '--file', file, '--json', ...admin());
  assert.equal(same.code, 0, same.err);
  const body = JSON.parse(same.out) as {
    slug: string;
    environmentVersion: number;
    changed: boolean;
    metrics: unknown[];
  };
  assert.equal(body.slug, 'desk');
  assert.equal(body.environmentVersion, 2);
  assert.equal(body.changed, false);
  assert.equal(body.metrics.length, 2);
  const list = JSON.parse((await run('integrator', 'list', '--json', ...admin())).out) as {
    integrators: Array<{ slug: string; environmentVersion: number; metrics: Array<{ metricKey: string }> }>;
  };
  const desk = list.integrators.find((i) => i.slug === 'desk')!;
  assert.equal(desk.environmentVersion, 2);
  assert.deepEqual(desk.metrics.map((m) => m.metricKey).sort(), ['spam', 'tickets_closed']);

  const unknown = await run('integrator', 'metrics', 'nobody', '--file', file, ...admin());
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /NOT_FOUND/);
  const bad = join(dir, 'bad-metrics.json');
  await writeFile(bad, JSON.stringify([{ metricKey: 'x', polarity: 'sideways', weight: 1, lane: 'conduct' }]));
  const invalid = await run('integrator', 'metrics', 'desk', '--file', bad, ...admin());
  assert.equal(invalid.code, 2);
  assert.match(invalid.err, /VALIDATION_FAILED/);
  const missing = await run('integrator', 'metrics', 'desk', '--file', join(dir, 'nope.json'), ...admin());
  assert.equal(missing.code, 2);
  assert.match(missing.err, /cannot read/);
  const noFile = await run('integrator', 'metrics', 'desk', ...admin());
  assert.equal(noFile.code, 2);
  const noKey = await run('integrator', 'metrics', 'desk', '--file', file, ...server());
  assert.equal(noKey.code, 2);
  assert.match(noKey.err, /admin-key/);
  // Nothing of the refusals was stored: still version 2.
  const after = JSON.parse((await run('integrator', 'list', '--json', ...admin())).out) as typeof list;
  assert.equal(after.integrators.find((i) => i.slug === 'desk')!.environmentVersion, 2);
});

test('reputation rebuild reports and rewrites; --dry-run compares only', async () => {
  const dry = await run('reputation', 'rebuild', '--dry-run', '--json', ...admin());
  assert.equal(dry.code, 0, dry.err);
  assert.deepEqual(JSON.parse(dry.out), { events: 0, penalties: 0, agents: 0, consistent: true, written: false });
  const full = await run('reputation', 'rebuild', ...admin());
  assert.equal(full.code, 0, full.err);
  assert.match(full.out, /^0 events, 0 penalties, 0 agents: the stored scores matched the rebuild\.$/m);
});
