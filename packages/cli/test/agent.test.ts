// `vouch agent …` against a real listening server (SQLite): identities on disk, tokens, signatures, consent,
// reports, and the error paths (exit codes, one-line messages, no key ever printed).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { freePort } from '../../server/test/helpers/net.ts';
import { join } from 'node:path';
import { decodeJwt } from '@vouch/sdk';
import { BIN, run, runBin } from './helpers.ts';
import { ADMIN_KEY, startLiveServer } from '../../sdk/test/aip-server.ts';
import type { LiveServer } from '../../sdk/test/aip-server.ts';

let live: LiveServer;
let dir: string;
let home: string;
const savedEnv = { ...process.env };

before(async () => {
  // The CLI signs with the real clock, so the server runs on it too; proof of work at a small difficulty.
  live = await startLiveServer({ VOUCH_POW_DIFFICULTY: '2' });
  live.clock.set(Date.now());
  dir = await mkdtemp(join(tmpdir(), 'vouch-cli-agent-'));
  home = join(dir, 'vouch-home');
  process.env.VOUCH_HOME = home;
  process.env.VOUCH_SERVER = live.url;
  delete process.env.VOUCH_AGENT;
  delete process.env.VOUCH_POW_DIFFICULTY;
});
after(async () => {
  process.env = savedEnv;
  await live?.close();
  await rm(dir, { recursive: true, force: true });
});

const SUBCOMMANDS = ['create', 'list', 'use', 'whoami', 'sign', 'verify', 'consent', 'report', 'token'];

test('every agent subcommand has --help with an example and --json', async () => {
  const group = await run('agent', '--help');
  assert.equal(group.code, 0);
  assert.match(group.out, /Examples?:\n\s+\$ vouch agent /);
  for (const sub of SUBCOMMANDS) {
    const r = await run('agent', sub, '--help');
    assert.equal(r.code, 0, sub);
    assert.match(r.out, /Examples?:\n\s+\$ vouch agent /, `agent ${sub} --help shows an example`);
    assert.match(r.out, /--json/, `agent ${sub} has --json`);
  }
});

test('create: proof of work with progress, identity file 0600 in a 0700 folder, default alias, no key printed', async () => {
  const r = await run('agent', 'create', '--alias', 'alpha', '--label', 'Alpha bot', '--json');
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /proof of work: found after [\d,]+ hashes/);
  const out = JSON.parse(r.out) as {
    did: string;
    publicKey: string;
    file: string;
    default: boolean;
    claimToken: string;
  };
  assert.match(out.did, /^did:identity:/);
  assert.match(out.publicKey, /^ed25519:/);
  assert.equal(out.default, true, 'the first identity becomes the default');
  assert.match(out.claimToken, /^vouch_claim_/);
  assert.equal(out.file, join(home, 'identities', 'alpha.json'));

  assert.equal((await stat(home)).mode & 0o777, 0o700);
  assert.equal((await stat(join(home, 'identities'))).mode & 0o777, 0o700);
  assert.equal((await stat(out.file)).mode & 0o777, 0o600);
  assert.equal((await stat(join(home, 'config.json'))).mode & 0o777, 0o600);
  assert.deepEqual(await readdir(join(home, 'identities')), ['alpha.json'], 'no temporary file is left behind');
  const stored = JSON.parse(await readFile(out.file, 'utf8')) as { privateKeyPem: string; did: string };
  assert.equal(stored.did, out.did);
  const keyBody = stored.privateKeyPem.split('\n')[1]!;
  assert.ok(!r.out.includes(keyBody) && !r.err.includes(keyBody), 'the private key is never printed');

  // The server knows the agent, with its label.
  const profile = await live.call('GET', `/v1/identity/${out.did}`);
  assert.equal(profile.status, 200);

  // The same alias again is refused before anything is registered; a path in an alias is refused.
  const again = await run('agent', 'create', '--alias', 'alpha');
  assert.equal(again.code, 2);
  assert.match(again.err, /already exists/);
  assert.equal((await run('agent', 'create', '--alias', '../evil')).code, 2);

  // A client that guesses too low a difficulty learns the server's from its refusal and solves again.
  const low = await run('agent', 'create', '--alias', 'beta', '--pow-difficulty', '0');
  assert.equal(low.code, 0, low.err);
  assert.match(low.out, /^created agent "beta": did:identity:\S+$/m);
  assert.ok(!low.out.includes(keyBody));
});

test('list, use and whoami', async () => {
  const list = await run('agent', 'list', '--json');
  assert.equal(list.code, 0, list.err);
  const ids = (JSON.parse(list.out) as { identities: Array<{ alias: string; default: boolean }> }).identities;
  assert.deepEqual(
    ids.map((i) => [i.alias, i.default]),
    [
      ['alpha', true],
      ['beta', false],
    ],
  );
  assert.ok(!list.out.includes('PRIVATE KEY') && !list.out.includes('vouch_claim_'), 'no secrets in the listing');
  const human = await run('agent', 'list');
  assert.match(human.out, /^\* alpha {2}did:identity:\S+ {2}http:\/\/127\.0\.0\.1:\d+$/m);

  const who = await run('agent', 'whoami', '--check', '--json');
  assert.equal(who.code, 0, who.err);
  const me = JSON.parse(who.out) as { alias: string; status: string };
  assert.equal(me.alias, 'alpha');
  assert.equal(me.status, 'unclaimed', 'registered without a linking key, not yet claimed by an owner');
  assert.ok(!who.out.includes('PRIVATE KEY'));

  assert.equal((await run('agent', 'use', 'beta')).code, 0);
  assert.match((await run('agent', 'whoami')).out, /^alias: beta$/m);
  assert.equal((await run('agent', 'whoami', '--alias', 'alpha', '--json')).code, 0);
  process.env.VOUCH_AGENT = 'alpha';
  assert.match((await run('agent', 'whoami')).out, /^alias: alpha$/m, '$VOUCH_AGENT picks the identity');
  delete process.env.VOUCH_AGENT;
  assert.equal((await run('agent', 'use', 'alpha')).code, 0);

  const missing = await run('agent', 'whoami', '--alias', 'nobody');
  assert.equal(missing.code, 2);
  assert.match(missing.err, /no identity named "nobody"/);
});

test('token: identity and session tokens on the agent key alone, verified by anyone', async () => {
  live.clock.set(Date.now());
  const who = JSON.parse((await run('agent', 'whoami', '--json')).out) as { did: string };

  const identity = await run('agent', 'token');
  assert.equal(identity.code, 0, identity.err);
  const token = identity.out.trim();
  assert.equal(decodeJwt(token).claims.sub, who.did);
  assert.equal(decodeJwt(token).header.typ, 'agent-identity+jwt');
  assert.equal((await run('token', 'verify', token)).code, 0);

  const session = await run('agent', 'token', '--audience', 'shop.example', '--nonce', 'n-123', '--json');
  assert.equal(session.code, 0, session.err);
  const issued = JSON.parse(session.out) as { token: string; token_type: string };
  assert.equal(issued.token_type, 'session');
  const { claims } = decodeJwt(issued.token);
  assert.equal(claims.aud, 'shop.example');
  assert.equal(claims.nonce, 'n-123');
  assert.equal((await run('token', 'verify', issued.token, '--audience', 'shop.example')).code, 0);
  assert.equal((await run('token', 'verify', issued.token, '--audience', 'bank.example')).code, 1);

  // `vouch token issue --key` takes the identity file itself, as well as a `vouch keygen` file.
  const byFile = await run('token', 'issue', who.did, '--key', join(home, 'identities', 'alpha.json'), '--json');
  assert.equal(byFile.code, 0, byFile.err);
  const fromFile = JSON.parse(byFile.out) as { token: string };
  assert.equal(decodeJwt(fromFile.token).claims.sub, who.did);
  assert.equal((await run('token', 'verify', fromFile.token)).code, 0);
  const notKey = await run('token', 'issue', who.did, '--key', join(home, 'config.json'));
  assert.equal(notKey.code, 2);
  assert.match(notKey.err, /does not hold an Ed25519 private key/);

  assert.equal((await run('agent', 'token', '--expires-in', '2d')).code, 2, 'a lifetime outside the choices');
  assert.equal((await run('agent', 'token', '--nonce', 'x')).code, 2, 'a nonce needs a session token');
});

test('sign, verify and certify: exit 0 when the content matches, 1 when it does not or the hash is unknown', async () => {
  live.clock.set(Date.now());
  const file = join(dir, 'hello.txt');
  await writeFile(file, 'I approve this message.\n');
  const signed = await run('agent', 'sign', file, '--note', 'walkthrough');
  assert.equal(signed.code, 0, signed.err);
  const hash = signed.out.trim();
  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.match(signed.err, new RegExp(`verify: ${live.url}/verify/${hash}`));

  const ok = await run('agent', 'verify', hash, '--file', file);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /^valid signature by .*did:identity:\S+/);
  assert.match(ok.out, /content matches/);
  const json = JSON.parse((await run('agent', 'verify', hash, '--json')).out) as { valid: boolean; publicNote: string };
  assert.equal(json.valid, true);
  assert.equal(json.publicNote, 'walkthrough');

  const forged = join(dir, 'forged.txt');
  await writeFile(forged, 'I approve something else.\n');
  const mismatch = await run('agent', 'verify', hash, '--file', forged, '--json');
  assert.equal(mismatch.code, 1);
  assert.equal((JSON.parse(mismatch.out) as { match: boolean }).match, false);

  const unknown = await run('agent', 'verify', 'a'.repeat(64));
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /no signature/);
  assert.equal((await run('agent', 'verify', 'not-a-hash')).code, 2);
  assert.equal((await run('agent', 'sign', join(dir, 'missing.txt'))).code, 2);
  assert.equal((await run('agent', 'sign', file, '--note', 'x'.repeat(161))).code, 2);
});

test('report: signed by the identity or anonymous; an agent cannot report itself', async () => {
  live.clock.set(Date.now());
  assert.equal((await run('agent', 'create', '--alias', 'target')).code, 0);
  const target = JSON.parse((await run('agent', 'whoami', '--alias', 'target', '--json')).out) as { did: string };
  const signed = await run('agent', 'report', target.did, '--reason', 'spam', '--details', 'junk', '--json');
  assert.equal(signed.code, 0, signed.err);
  assert.equal((JSON.parse(signed.out) as { duplicate: boolean }).duplicate, false);
  const anon = await run('agent', 'report', target.did, '--reason', 'other', '--anonymous');
  assert.equal(anon.code, 0, anon.err);
  assert.equal(anon.out, `reported ${target.did} for other (anonymous)\n`);

  // A repeat within 24 h, whatever the reason, stores nothing: the text says so and names the reason that counted;
  // --json stays the server's answer.
  const again = await run('agent', 'report', target.did, '--reason', 'malicious');
  assert.equal(again.code, 0, again.err);
  assert.equal(
    again.out,
    `already reported ${target.did} for spam within 24 hours (signed): nothing recorded, no new penalty\n`,
  );
  const againAnon = await run('agent', 'report', target.did, '--reason', 'other', '--anonymous');
  assert.match(againAnon.out, /^already reported \S+ for other within 24 hours \(anonymous\): .*no new penalty$/m);
  const againJson = await run('agent', 'report', target.did, '--reason', 'spam', '--json');
  assert.equal(againJson.code, 0, againJson.err);
  const receipt = JSON.parse(againJson.out) as Record<string, unknown>;
  assert.deepEqual(Object.keys(receipt), Object.keys(JSON.parse(signed.out) as object));
  assert.equal(receipt.reportId, (JSON.parse(signed.out) as { reportId: unknown }).reportId);
  assert.equal(receipt.duplicate, true);
  assert.equal(receipt.penalty, 0);
  const me = JSON.parse((await run('agent', 'whoami', '--json')).out) as { did: string };
  assert.equal((await run('agent', 'report', me.did, '--reason', 'spam')).code, 2);
  assert.equal((await run('agent', 'report', target.did, '--reason', 'rude')).code, 2);
  assert.equal((await run('agent', 'report', target.did)).code, 2, '--reason is required');
});

test('consent: allow then revoke, backed by a recorded signature', async () => {
  live.clock.set(Date.now());
  const created = await live.call(
    'POST',
    '/api/v1/admin/integrators',
    {
      slug: 'acme-market',
      name: 'Acme Market',
      domain: 'acme.example',
      metrics: [{ metricKey: 'orders_completed', polarity: 'boost', weight: 1, lane: 'conduct' }],
    },
    true,
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const allow = await run('agent', 'consent', 'acme-market', 'allow', '--json');
  assert.equal(allow.code, 0, allow.err);
  assert.equal((JSON.parse(allow.out) as { status: string }).status, 'allowed');
  const revoke = await run('agent', 'consent', 'acme-market', 'revoke');
  assert.equal(revoke.code, 0, revoke.err);
  assert.match(revoke.out, /^consent for acme-market: revoked/);
  assert.equal((await run('agent', 'consent', 'acme-market', 'maybe')).code, 2);
  const unknown = await run('agent', 'consent', 'no-such-integrator', 'allow');
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /the server refused: [A-Z_]+/);
});

test('errors are one line with exit 2: server down, server error codes, no identity', async () => {
  live.clock.set(Date.now());
  const port = await freePort();
  const down = await run('agent', 'token', '--server', `http://127.0.0.1:${port}`);
  assert.equal(down.code, 2);
  assert.equal(down.err, `vouch: cannot reach http://127.0.0.1:${port} (ECONNREFUSED).\n`);
  assert.equal((await run('agent', 'token', '--server', 'ftp://x')).code, 2);

  // A revoked agent: the server's code, in one line.
  await run('agent', 'create', '--alias', 'gamma');
  const gamma = JSON.parse((await run('agent', 'whoami', '--alias', 'gamma', '--json')).out) as { did: string };
  const file = join(dir, 'gamma.txt');
  await writeFile(file, 'signed before the revocation\n');
  const signed = await run('agent', 'sign', file, '--alias', 'gamma');
  assert.equal(signed.code, 0, signed.err);
  const revoked = await live.call('POST', `/api/v1/agents/${gamma.did}/revoke`, { reason: 'test' }, true);
  assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
  for (const args of [['token'], ['sign', file]]) {
    const refused = await run('agent', ...args, '--alias', 'gamma');
    assert.equal(refused.code, 2, args[0]);
    assert.equal(refused.err.split('\n').filter(Boolean).length, 1);
    assert.match(refused.err, /^vouch: the server refused: AGENT_REVOKED: /);
    assert.ok(!refused.err.includes(ADMIN_KEY));
  }
  // Its earlier signature still matches the content, but no longer vouches for it: exit 1.
  const stale = await run('agent', 'verify', signed.out.trim(), '--file', file, '--json');
  assert.equal(stale.code, 1);
  const verdict = JSON.parse(stale.out) as { valid: boolean; match: boolean; code: string };
  assert.deepEqual([verdict.valid, verdict.match, verdict.code], [false, true, 'AGENT_REVOKED']);

  const empty = await mkdtemp(join(dir, 'empty-home-'));
  process.env.VOUCH_HOME = empty;
  try {
    const none = await run('agent', 'whoami');
    assert.equal(none.code, 2);
    assert.match(none.err, /no agent identity yet/);
    const list = await run('agent', 'list');
    assert.equal(list.code, 0);
    assert.match(list.out, /no identities yet/);
  } finally {
    process.env.VOUCH_HOME = home;
  }
});

test('the vouch binary: a server that is down is one line on stderr, no stack trace, exit 2', async () => {
  const port = await freePort();
  const { code, err } = await runBin(
    ['agent', 'token', '--server', `http://127.0.0.1:${port}`],
    { VOUCH_HOME: home },
    dir,
  );
  assert.equal(code, 2);
  assert.equal(err, `vouch: cannot reach http://127.0.0.1:${port} (ECONNREFUSED).\n`);
});

test('the vouch binary signs standard input (agent sign -)', async () => {
  live.clock.set(Date.now());
  const child = spawn(process.execPath, [BIN, 'agent', 'sign', '-', '--alias', 'alpha', '--json'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, VOUCH_HOME: home, VOUCH_SERVER: live.url },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => (out += d));
  child.stdin.end('signed from a pipe\n');
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0);
  const signed = JSON.parse(out) as { signatureHash: string; payloadHash: string };
  const file = join(dir, 'piped.txt');
  await writeFile(file, 'signed from a pipe\n');
  assert.equal((await run('agent', 'verify', signed.signatureHash, '--file', file)).code, 0);
});

test('create proves the key to a server that requires it; --no-key-proof is refused there, nothing kept', async (t) => {
  const strict = await startLiveServer({ VOUCH_POW_DIFFICULTY: '2', VOUCH_REQUIRE_KEY_PROOF: '1' });
  t.after(() => strict.close());
  strict.clock.set(Date.now());
  const help = await run('agent', 'create', '--help');
  assert.match(help.out, /--no-key-proof\s+send no proof of possession/);
  assert.match(help.out, /\$ vouch agent create .*--no-key-proof/);

  const r = await run('agent', 'create', '--alias', 'proven', '--server', strict.url, '--json');
  assert.equal(r.code, 0, r.err);
  const { did } = JSON.parse(r.out) as { did: string };
  const profile = await strict.call('GET', `/v1/identity/${did}`);
  assert.equal(profile.status, 200);
  assert.equal(profile.body.key_proven, true);

  const refused = await run('agent', 'create', '--alias', 'unproven', '--server', strict.url, '--no-key-proof');
  assert.equal(refused.code, 2, refused.err);
  assert.match(refused.err, /^vouch: the server refused: VALIDATION_FAILED: body\.keyProof is required/m);
  assert.ok(!(await readdir(join(home, 'identities'))).includes('unproven.json'), 'no identity file is kept');
});
