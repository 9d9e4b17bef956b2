// `vouch serve --port/--host/--data-dir` reach the server's configuration through its VOUCH_* variables; a bad value
// is reported under the flag the user typed (it said "VOUCH_PORT must be a whole number" for `--port abc`), and an
// empty value is refused instead of silently becoming the default (`--port ""` listened on 4100).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { run, runClean, tempDir } from './helpers.ts';

test('vouch serve names the flag that holds a bad value, not the variable it is passed through', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--port', 'abc'], /^vouch: --port must be a whole number, got "abc" \(CONFIG_INVALID\)\n$/],
    [['--port', '70000'], /^vouch: --port must be between 0 and 65535, got 70000 \(CONFIG_INVALID\)\n$/],
    [['--host', 'http://x'], /^vouch: --host must be an IP address/],
    [['--port', ''], /^vouch: --port must not be empty\.\n$/],
    [['--host', ' '], /^vouch: --host must not be empty\.\n$/],
    [['--data-dir', ''], /^vouch: --data-dir must not be empty\.\n$/],
  ];
  for (const [args, message] of cases) {
    const r = await run('serve', ...args);
    assert.equal(r.code, 2, `serve ${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message, `serve ${JSON.stringify(args)}`);
    assert.doesNotMatch(r.err, /VOUCH_(PORT|HOST|DATA_DIR)/);
  }
});

test('refusals that name the variable with = or : are reported under the flag too', async (t) => {
  const dir = await tempDir(t, 'vouch-serve-flag-');
  const file = join(dir, 'not-a-folder');
  await writeFile(file, 'x');
  // Both are refused before anything listens: no public URL for a port picked at each start, a file as data folder.
  const env = { VOUCH_PUBLIC_URL: '', VOUCH_DATABASE_URL: '', VOUCH_LOG_LEVEL: 'silent' };
  const cases: Array<[string[], RegExp]> = [
    [['--port', '0'], /^vouch: --port 0 picks a different free port at every start/],
    [['--data-dir', file], /^vouch: --data-dir: cannot use .* as the data folder \(EEXIST\) \(CONFIG_INVALID\)\n$/],
  ];
  for (const [args, message] of cases) {
    const r = await runClean(env, 'serve', '--host', '127.0.0.1', ...args);
    assert.equal(r.code, 2, `serve ${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message, `serve ${JSON.stringify(args)}`);
    assert.doesNotMatch(r.err, /VOUCH_(PORT|HOST|DATA_DIR)/);
  }
});

test('a bad VOUCH_PORT in the environment is still reported as VOUCH_PORT', async () => {
  const saved = process.env.VOUCH_PORT;
  process.env.VOUCH_PORT = 'eighty';
  try {
    const r = await run('serve', '--host', '127.0.0.1');
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /^vouch: VOUCH_PORT must be a whole number, got "eighty" \(CONFIG_INVALID\)\n$/);
  } finally {
    if (saved === undefined) delete process.env.VOUCH_PORT;
    else process.env.VOUCH_PORT = saved;
  }
});

test('vouch kek rewrap --data-dir "" is refused instead of re-sealing the keys under ./data', async (t) => {
  const dir = await tempDir(t, 'vouch-kek-flag-');
  const saved = process.cwd();
  process.chdir(dir);
  try {
    const r = await run('kek', 'rewrap', '--new-kek-file', join(dir, 'kek.new'), '--data-dir', '');
    assert.equal(r.code, 2, r.err);
    assert.equal(r.err, 'vouch: --data-dir must not be empty.\n');
  } finally {
    process.chdir(saved);
  }
});
