// `vouch token …` and `vouch keys …` against a real listening server (in-process CLI, real HTTP).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from '@vouch/sdk';
import { keyFileOf } from '../src/commands/keygen.ts';
import { run } from './helpers.ts';
import { ADMIN_KEY, startLiveServer } from '../../sdk/test/aip-server.ts';
import type { LiveServer } from '../../sdk/test/aip-server.ts';

let live: LiveServer;
let dir: string;
before(async () => {
  // The CLI signs proofs and checks expiry with the real clock, so the server runs on it too.
  live = await startLiveServer();
  live.clock.set(Date.now());
  dir = await mkdtemp(join(tmpdir(), 'vouch-cli-token-'));
});
after(async () => {
  await live?.close();
  await rm(dir, { recursive: true, force: true });
});

const server = () => ['--server', live.url];
const admin = () => [...server(), '--admin-key', ADMIN_KEY];

test('every token and keys subcommand has --help with an example', async () => {
  for (const args of [
    ['token'],
    ['token', 'issue'],
    ['token', 'verify'],
    ['token', 'revoke'],
    ['token', 'inspect'],
    ['keys'],
    ['keys', 'list'],
    ['keys', 'rotate'],
  ]) {
    const r = await run(...args, '--help');
    assert.equal(r.code, 0, args.join(' '));
    assert.match(r.out, /Examples?:\n\s+\$ vouch /, `${args.join(' ')} --help shows an example`);
  }
});

test('issue, verify (server and offline), inspect, revoke: exit codes 0, 1 and 2', async () => {
  live.clock.set(Date.now());
  const agent = await live.registerAgent();

  const issued = await run('token', 'issue', agent.did, '--type', 'session', '--audience', 'shop.example', ...admin());
  assert.equal(issued.code, 0, issued.err);
  const token = issued.out.trim();
  assert.equal(decodeJwt(token).claims.sub, agent.did);

  const ok = await run('token', 'verify', token, '--audience', 'shop.example', ...server());
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /^valid session token of did:identity:\S+ for shop\.example, expires /);
  const offline = await run('token', 'verify', token, '--offline', '--json', ...server());
  assert.equal(offline.code, 0, offline.err);
  assert.equal((JSON.parse(offline.out) as { valid: boolean }).valid, true);
  const wrong = await run('token', 'verify', token, '--audience', 'bank.example', '--json', ...server());
  assert.equal(wrong.code, 1);
  assert.equal((JSON.parse(wrong.out) as { code: string }).code, 'JWT_AUDIENCE_MISMATCH');

  const inspected = await run('token', 'inspect', token, '--json');
  assert.equal(inspected.code, 0);
  const { header, claims } = JSON.parse(inspected.out) as { header: { typ: string }; claims: { jti: string } };
  assert.equal(header.typ, 'agent-session+jwt');
  const human = await run('token', 'inspect', token);
  assert.match(human.out, /not verified/);
  assert.match(human.out, /exp: \d+ {2}\(\d{4}-/);

  const revoked = await run('token', 'revoke', '--jti', claims.jti, '--reason', 'test', ...admin());
  assert.equal(revoked.code, 0, revoked.err);
  assert.equal(revoked.out.trim(), `revoked ${claims.jti}`);
  const dead = await run('token', 'verify', token, ...server());
  assert.equal(dead.code, 1);
  assert.match(dead.out, /^invalid: TOKEN_REVOKED/);
  const deadOffline = await run('token', 'verify', token, '--offline', ...server());
  assert.equal(deadOffline.code, 1);
  assert.match(deadOffline.out, /TOKEN_REVOKED/);

  // Garbage is a failed verification (1) for verify, an input error (2) for inspect.
  assert.equal((await run('token', 'verify', 'garbage', ...server())).code, 1);
  assert.equal((await run('token', 'inspect', 'garbage')).code, 2);
  // Usage and server errors: 2, with the server's code in the message and no key in it.
  const noKey = await run('token', 'issue', agent.did, ...server());
  assert.equal(noKey.code, 2);
  const badKey = await run('token', 'issue', agent.did, ...server(), '--admin-key', 'wrong-admin-key-000000');
  assert.equal(badKey.code, 2);
  assert.match(badKey.err, /UNAUTHORIZED/);
  assert.ok(!badKey.err.includes('wrong-admin-key'));
  assert.equal((await run('token', 'issue', agent.did, '--type', 'claim', ...admin())).code, 2);
  assert.equal((await run('token', 'revoke', ...admin())).code, 2);
  assert.equal((await run('token', 'verify', token, '--server', 'ftp://x')).code, 2);
  const down = await run('token', 'verify', token, '--server', 'http://127.0.0.1:9');
  assert.equal(down.code, 2);
  assert.match(down.err, /cannot reach/);
});

test('an agent issues its own token with its key file (proof)', async () => {
  live.clock.set(Date.now());
  const agent = await live.registerAgent();
  const file = join(dir, 'agent.key.json');
  await writeFile(file, JSON.stringify(keyFileOf(agent.key, new Date())), { mode: 0o600 });
  const r = await run('token', 'issue', agent.did, '--key', file, '--json', ...server());
  assert.equal(r.code, 0, r.err);
  const body = JSON.parse(r.out) as { token: string; token_type: string };
  assert.equal(body.token_type, 'identity');
  assert.equal((await run('token', 'verify', body.token, ...server())).code, 0);
  // Someone else's key file is refused by the server.
  const other = await live.registerAgent();
  const otherFile = join(dir, 'other.key.json');
  await writeFile(otherFile, JSON.stringify(keyFileOf(other.key, new Date())), { mode: 0o600 });
  const refused = await run('token', 'issue', agent.did, '--key', otherFile, ...server());
  assert.equal(refused.code, 2);
  assert.match(refused.err, /PROOF_INVALID/);
});

test('keys list and rotate', async () => {
  live.clock.set(Date.now());
  const before = await run('keys', 'list', '--json', ...admin());
  assert.equal(before.code, 0, before.err);
  const active = (
    JSON.parse(before.out) as { keys: Array<{ kid: string; purpose: string; status: string }> }
  ).keys.find((k) => k.purpose === 'tokens' && k.status === 'active')!;
  const rotated = await run('keys', 'rotate', ...admin());
  assert.equal(rotated.code, 0, rotated.err);
  assert.match(rotated.out, /^new active key #\d+: \S+\nretired: /);
  assert.ok(rotated.out.includes(`retired: ${active.kid}`));
  const listed = await run('keys', 'list', ...admin());
  assert.match(listed.out, new RegExp(`tokens #\\d+ ES256 retired until \\S+  ${active.kid}`));
  const capability = await run('keys', 'rotate', '--purpose', 'capability', '--json', ...admin());
  assert.equal(capability.code, 0, capability.err);
  const cap = JSON.parse(capability.out) as { kid: string; retired: string[] };
  const all = await run('keys', 'list', ...admin());
  assert.match(all.out, new RegExp(`capability #\\d+ EdDSA active  ${cap.kid}`));
  // A retired capability key is listed until no token it signed can be live (then vouch-keys.json drops it).
  for (const kid of cap.retired) {
    assert.match(all.out, new RegExp(`capability #\\d+ EdDSA retired until \\d{4}-\\d\\d-\\d\\dT\\S+Z  ${kid}`));
  }
  assert.equal((await run('keys', 'list', ...server())).code, 2, 'no admin key');
  assert.equal((await run('keys', 'rotate', '--purpose', 'other', ...admin())).code, 2);
  // A leaked token key: the previous key is dropped at once, not retired.
  const current = (
    JSON.parse((await run('keys', 'list', '--json', ...admin())).out) as {
      keys: Array<{ kid: string; purpose: string; status: string }>;
    }
  ).keys.find((k) => k.purpose === 'tokens' && k.status === 'active')!;
  const dropped = await run('keys', 'rotate', '--compromised', ...admin());
  assert.equal(dropped.code, 0, dropped.err);
  assert.ok(dropped.out.includes(`dropped: ${current.kid}`), dropped.out);
  assert.ok(!(await run('keys', 'list', ...admin())).out.includes(current.kid));
  // A leaked capability key is dropped at once too; the tool-manifest key's retired keys verify manifests for good.
  const capDropped = await run('keys', 'rotate', '--purpose', 'capability', '--compromised', ...admin());
  assert.equal(capDropped.code, 0, capDropped.err);
  assert.ok(capDropped.out.includes(`dropped: ${cap.kid}`), capDropped.out);
  assert.ok(!(await run('keys', 'list', ...admin())).out.includes(cap.kid));
  assert.equal((await run('keys', 'rotate', '--purpose', 'tool-manifest', '--compromised', ...admin())).code, 2);
});
