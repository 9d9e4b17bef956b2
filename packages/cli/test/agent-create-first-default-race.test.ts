// Two `vouch agent create` run at once on a store with no default yet: exactly one becomes the default and says so.
// Before, each read "no default", each renamed its own config.json into place and each printed "[default]", while
// config.json named only the last: the other's user was told commands would act as an identity they do not.
// The first config.json rename is held here until the other run has finished, the interleaving that showed it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type * as FsPromises from 'node:fs/promises';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { answerJson, recordingServer as serve, run, tempDir } from './helpers.ts';

test('concurrent first agent creates: one default, and only it says so', { timeout: 60_000 }, async (t) => {
  const home = await tempDir(t);
  let n = 0;
  const server = await serve(t, (res, req) =>
    req.url === '/.well-known/agent-registry.json'
      ? answerJson(res, 200, { issuer: 'https://vouch.example' })
      : answerJson(res, 201, { did: `did:identity:agent${++n}`, linked: true }),
  );

  const fsp = createRequire(import.meta.url)('node:fs/promises') as typeof FsPromises;
  const rename = fsp.rename;
  let release: (() => void) | undefined;
  fsp.rename = async (from, to) => {
    if (String(to).endsWith('config.json') && release === undefined) {
      await new Promise<void>((resolve) => (release = resolve));
    }
    return rename(from, to);
  };
  syncBuiltinESMExports();
  t.after(() => {
    fsp.rename = rename;
    syncBuiltinESMExports();
  });

  // One environment for both runs (runClean's, restored as each ends, would move the other run's VOUCH_HOME).
  const names = ['HOME', 'VOUCH_HOME', 'VOUCH_LINKING_KEY', 'VOUCH_AGENT'] as const;
  const saved = names.map((name) => process.env[name]);
  t.after(() =>
    names.forEach((name, i) => (saved[i] === undefined ? delete process.env[name] : (process.env[name] = saved[i]))),
  );
  Object.assign(process.env, { HOME: home, VOUCH_HOME: home });
  delete process.env.VOUCH_LINKING_KEY;
  delete process.env.VOUCH_AGENT;
  const create = (alias: string) =>
    run('agent', 'create', '--alias', alias, '--pow-difficulty', '0', '--server', server.url, '--json');
  const runs = [create('a'), create('b')];
  // Whichever run is not held finishes; then the held rename goes on.
  for (const r of runs) void r.finally(() => release?.());
  const results = await Promise.all(runs);
  release = () => undefined;

  for (const r of results) assert.equal(r.code, 0, r.err);
  const claimed = results.map((r) => JSON.parse(r.out) as { alias: string; default: boolean }).filter((o) => o.default);
  const config = JSON.parse(await readFile(join(home, 'config.json'), 'utf8')) as { defaultAlias: string };
  assert.deepEqual(
    claimed.map((o) => o.alias),
    [config.defaultAlias],
    'exactly one says it is the default, the one config.json names',
  );
});
