// An identity file's `label` and `linked` were not type-checked when read: a hand-edited `"label": {"a": 1}` printed
// "label: [object Object]" and `"linked": "no"` went out in --json as if the store held it. A member of the wrong
// type is now "not a vouch identity", as a missing key member is; an absent label is still no label.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readIdentity } from '../src/identity-store.ts';
import { CliError } from '../src/exit.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vouch-cli-identity-types-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const GOOD = {
  version: 1,
  alias: 'bot',
  did: 'did:identity:bot',
  server: 'http://127.0.0.1:4100',
  publicKey: 'ed25519:x',
  publicKeyBase64: 'x',
  privateKeyPem: 'x',
  linked: false,
  createdAt: '2026-01-01T00:00:00.000Z',
};

test('a label or linked of the wrong type is "not a vouch identity"', async () => {
  const home = join(dir, 'home');
  await mkdir(join(home, 'identities'), { recursive: true, mode: 0o700 });
  const file = join(home, 'identities', 'bot.json');
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ label: { a: 1 } }, 'label is not a string'],
    [{ label: 5 }, 'label is not a string'],
    [{ label: null }, 'label is not a string'],
    [{ linked: 'no' }, 'linked is not true or false'],
    [{ linked: null }, 'linked is not true or false'],
  ];
  for (const [members, why] of cases) {
    await writeFile(file, JSON.stringify({ ...GOOD, ...members }), { mode: 0o600 });
    await assert.rejects(readIdentity('bot', { VOUCH_HOME: home }), (err: unknown) => {
      assert.ok(err instanceof CliError, String(err));
      assert.equal(err.message, `${file} is not a vouch identity (${why}).`);
      return true;
    });
  }
  for (const members of [{}, { label: 'support bot' }, { linked: true }]) {
    await writeFile(file, JSON.stringify({ ...GOOD, ...members }), { mode: 0o600 });
    assert.equal((await readIdentity('bot', { VOUCH_HOME: home })).alias, 'bot');
  }
});
