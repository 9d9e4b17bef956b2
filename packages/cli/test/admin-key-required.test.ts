// Every admin-only command that talks to the server (keys, integrator, reputation rebuild, audit) takes its header
// from one shared adminHeaders: without an admin key (no --admin-key-file, no $VOUCH_ADMIN_KEY) each is exit 2 with
// the same line, before anything is sent; an owner key does not stand in for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordingServer, run } from './helpers.ts';

const COMMANDS: readonly string[][] = [
  ['keys', 'list'],
  ['keys', 'rotate'],
  ['integrator', 'create', 'shop', '--name', 'Shop', '--domain', 'shop.example'],
  ['integrator', 'rotate-key', 'shop'],
  ['integrator', 'list'],
  ['reputation', 'rebuild'],
  ['audit'],
];

test('admin commands without an admin key are exit 2 with one line, and send nothing', async (t) => {
  const server = await recordingServer(t, (res) => res.writeHead(500).end());
  const names = ['VOUCH_ADMIN_KEY', 'VOUCH_OWNER_KEY', 'VOUCH_LINKING_KEY', 'VOUCH_SERVER'] as const;
  const saved = names.map((n) => process.env[n]);
  for (const n of names) delete process.env[n];
  // An owner key in the environment is not an admin key.
  process.env.VOUCH_OWNER_KEY = 'vouch_owner_NOT_AN_ADMIN_KEY_0123456789';
  try {
    for (const args of COMMANDS) {
      const r = await run(...args, '--server', server.url);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.equal(r.out, '', args.join(' '));
      assert.equal(r.err, 'vouch: give $VOUCH_ADMIN_KEY (or --admin-key-file).\n', args.join(' '));
    }
  } finally {
    names.forEach((n, i) => (saved[i] === undefined ? delete process.env[n] : (process.env[n] = saved[i])));
  }
  assert.equal(server.seen.length, 0, 'nothing was sent');
});
