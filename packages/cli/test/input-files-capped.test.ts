// The files the CLI reads are read up to a cap: a key file (64 KiB), an integrator's metrics file (1 MiB), a registry
// file (64 MiB, the SDK's largest registry document). Each was read whole first, and a registry command read a file
// whole just to learn whether it exists, and an identity file (64 KiB) was read whole; /dev/zero (or a file that large) filled memory until Node gave up at 2 GiB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { outcomeOf, spawnVouch, tempDir } from './helpers.ts';

/** Runs the binary; killed after 15 s, so a command reading without end fails the test instead of hanging it. */
async function promptly(args: string[], cwd: string, env: Record<string, string> = {}) {
  const child = spawnVouch(args, env, cwd);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  try {
    return await outcomeOf(child);
  } finally {
    clearTimeout(timer);
  }
}

test('/dev/zero as a key, metrics or registry file is refused once past the cap', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t, 'vouch-input-cap-');
  const reg = join(dir, 'registry');
  await mkdir(reg);
  await symlink('/dev/zero', join(reg, 'registry.json'));
  const admin = { VOUCH_ADMIN_KEY: 'an-admin-key-0123456789', VOUCH_HOME: join(dir, 'home') };
  const cases: Array<[string[], string]> = [
    [
      ['token', 'issue', 'did:identity:x', '--key', '/dev/zero', '--server', 'http://127.0.0.1:9'],
      'vouch: cannot read the key file /dev/zero: more than 64 KiB, too large for a key file.\n',
    ],
    [
      ['registry', 'credential', '--key', '/dev/zero', '--as', 'acme', '--agent', 'agent:bot', '--dir', reg],
      'vouch: /dev/zero: more than 64 KiB, too large for a key file.\n',
    ],
    [
      ['integrator', 'metrics', 'shop', '--file', '/dev/zero', '--server', 'http://127.0.0.1:9'],
      'vouch: cannot read /dev/zero: more than 1 MiB, too large for a metrics file.\n',
    ],
    [['registry', 'verify', '--dir', reg], 'vouch: registry/registry.json: more than 64 MiB, too large for a file.\n'],
    [
      ['agent', 'whoami', '--alias', 'bot'],
      // Refused before any byte is read: the store reads regular files only.
      `vouch: ${join(dir, 'home', 'identities', 'bot.json')} is not a vouch identity (it is a character device, not a regular file).\n`,
    ],
  ];
  // An identity file (and the store's config.json) that is /dev/zero.
  await mkdir(join(dir, 'home', 'identities'), { recursive: true });
  await symlink('/dev/zero', join(dir, 'home', 'identities', 'bot.json'));
  await symlink('/dev/zero', join(dir, 'home', 'config.json'));
  for (const [args, message] of cases) {
    const r = await promptly(args, dir, admin);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.equal(r.err, message, args.join(' '));
  }
});
