// `vouch registry …` end to end: real keys, real files, the real command (in process through run(), and through the
// bin once). Time is never slept on: expiry is exercised with `verify --at`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { draftIssuer, draftRegistry, json, ok, run, runBin, tempDir } from './helpers.ts';

test('--help on registry and every subcommand, with an example', async () => {
  const top = await ok(0, 'registry', '--help');
  assert.match(top.out, /Examples?:\n\s+\$ vouch registry /);
  const subs = [...top.out.matchAll(/^ {2}(\w[\w-]*)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
  assert.deepEqual(subs, [
    'keygen',
    'init',
    'draft',
    'sign',
    'propose',
    'build',
    'verify',
    'list',
    'publish',
    'submit',
    'cosign',
    'credential',
    'verify-credential',
  ]);
  for (const sub of subs) {
    const help = await ok(0, 'registry', sub, '--help');
    assert.match(help.out, /Examples?:\n\s+\$ vouch registry /, `registry ${sub} --help shows an example`);
  }
  for (const action of ['remove', 'update', 'threshold', 'add']) {
    const help = await ok(0, 'registry', 'propose', action, '--help');
    assert.match(help.out, /Examples?:\n\s+\$ vouch registry propose /, `propose ${action} --help`);
  }
});

test('five issuers from keygen to a verified registry, then a removal and a threshold change by proposal', async (t) => {
  const base = await tempDir(t, 'vouch-registry-');
  const { reg, key } = await draftRegistry(base);
  const rootPub = (await json<{ publicKey: string }>(key('root'))).publicKey;
  const keyFile = await json<{ publicKey: string; privateKey: string }>(key('acme'));
  assert.deepEqual(Object.keys(keyFile), ['publicKey', 'privateKey']);
  assert.match(keyFile.publicKey, /^ed25519:[A-Za-z0-9_-]{43}$/);
  assert.match(keyFile.privateKey, /^-----BEGIN PRIVATE KEY-----/);
  assert.equal((await stat(key('acme'))).mode & 0o777, 0o600);

  const sign = (file: string, as: string, signer = as) =>
    ok(0, 'registry', 'sign', file, '--key', key(signer), '--as', as, '--dir', reg);
  const build = (code = 0) => ok(code, 'registry', 'build', '--root-key', key('root'), '--dir', reg);
  const verify = (...extra: string[]) => run('registry', 'verify', '--root-key', rootPub, '--dir', reg, ...extra);

  // Genesis: three founders, threshold 2 (the root key signs this step alone).
  const init = await ok(
    0,
    'registry',
    'init',
    '--root-key',
    key('root'),
    '--threshold',
    '2',
    '--dir',
    reg,
    'acme',
    'bolt',
    'coda',
  );
  assert.match(init.out, /sequence 1, 3 issuers, threshold 2/);

  // An entry file is not co-signed on its own: its signatures would name no registry, sequence or deadline.
  const bare = await run(
    'registry',
    'sign',
    join(reg, 'issuers/dyad.json'),
    '--key',
    key('acme'),
    '--as',
    'acme',
    '--dir',
    reg,
  );
  assert.equal(bare.code, 2);
  assert.match(bare.err, /not a proposal.*propose add --entry/s);
  const drafts = await build(1);
  assert.match(
    drafts.out,
    /refused .*dyad\.json: dyad is not registered: admission goes through `vouch registry propose add/,
  );

  // dyad and echo are admitted by add proposals with two co-signatures each, one after the other (each proposal is
  // bound to the sequence it applies to); one signature is not enough.
  await ok(0, 'registry', 'propose', 'add', '--entry', join(reg, 'issuers/dyad.json'), '--dir', reg);
  const addDyad = join(reg, 'proposals/2-add-dyad.json');
  await sign(addDyad, 'acme');
  const short = await build(1);
  assert.match(short.out, /refused .*2-add-dyad\.json: add dyad: signed by 1\/2 by acme/);
  assert.doesNotMatch(short.out, /issuers\/dyad\.json/, 'its proposal speaks for the entry');
  assert.match(short.out, /refused .*echo\.json: echo is not registered/);
  const notYet = await run('registry', 'sign', addDyad, '--key', key('dyad'), '--as', 'dyad', '--dir', reg);
  assert.equal(notYet.code, 2);
  assert.match(notYet.err, /dyad is not an active issuer/);
  await sign(addDyad, 'bolt');
  assert.match((await build(1)).out, /applied step 2: add dyad .* signed by 2\/2 by acme, bolt/);
  await ok(0, 'registry', 'propose', 'add', '--entry', join(reg, 'issuers/echo.json'), '--dir', reg);
  const addEcho = join(reg, 'proposals/3-add-echo.json');
  await sign(addEcho, 'coda');
  await sign(addEcho, 'acme');
  assert.match((await build()).out, /applied step 3: add echo .* signed by 2\/2 by coda, acme/);

  let v = await verify();
  assert.equal(v.code, 0, v.out + v.err);
  assert.match(v.out, /sequence 3, threshold 2 of 5/);
  assert.match(v.out, /echo {2}signed by 2\/2 \(step 3, proposal\)/);
  assert.match(v.out, /^VALID/m);

  // Threshold 2 → 3, proposed and co-signed by two (the threshold in force).
  const proposed = await ok(
    0,
    'registry',
    'propose',
    'threshold',
    '--required',
    '3',
    '--reason',
    'five issuers',
    '--dir',
    reg,
  );
  assert.match(proposed.out, /proposals\/4-threshold\.json \(applies to sequence 3, needs 2 co-signatures/);
  const raise = join(reg, 'proposals/4-threshold.json');
  await sign(raise, 'dyad');
  await sign(raise, 'echo');
  assert.match((await build()).out, /applied step 4: threshold → 3/);

  // Remove echo: echo cannot vote on its own removal, three others can.
  await ok(0, 'registry', 'propose', 'remove', '--id', 'echo', '--reason', 'left the consortium', '--dir', reg);
  const removal = join(reg, 'proposals/5-remove-echo.json');
  const self = await run('registry', 'sign', removal, '--key', key('echo'), '--as', 'echo', '--dir', reg);
  assert.equal(self.code, 2);
  assert.match(self.err, /subject/);
  await sign(removal, 'acme');
  await sign(removal, 'bolt');
  const twice = await run('registry', 'sign', removal, '--key', key('bolt'), '--as', 'bolt', '--dir', reg);
  assert.equal(twice.code, 2);
  assert.match(twice.err, /already signed/);
  const third = await sign(removal, 'coda');
  assert.match(third.out, /signed by 3\/3 by acme, bolt, coda/);
  assert.match((await build()).out, /applied step 5: remove echo .* signed by 3\/3/);
  assert.deepEqual(await json(join(reg, 'revoked/echo.json')), {
    id: 'echo',
    publicKey: (await json<{ publicKey: string }>(key('echo'))).publicKey,
    revokedAt: (await json<{ governance: { appliedAt: string }[] }>(join(reg, 'registry.json'))).governance[4]!
      .appliedAt,
    reason: 'left the consortium',
  });
  assert.deepEqual((await readdir(join(reg, 'issuers'))).sort(), ['acme.json', 'bolt.json', 'coda.json', 'dyad.json']);

  // Threshold 3 → 2 needs three signatures now.
  await ok(0, 'registry', 'propose', 'threshold', '--required', '2', '--dir', reg);
  const lower = join(reg, 'proposals/6-threshold.json');
  await sign(lower, 'acme');
  await sign(lower, 'bolt');
  assert.match((await build(1)).out, /refused .*6-threshold\.json: threshold → 2: signed by 2\/3/);
  await sign(lower, 'dyad');
  assert.match((await build()).out, /applied step 6: threshold → 2/);

  v = await verify('--format', 'json');
  assert.equal(v.code, 0, v.out + v.err);
  const report = JSON.parse(v.out) as {
    valid: boolean;
    sequence: number;
    chainHash: string;
    threshold: { required: number; total: number };
    rootKeyPinned: boolean;
    steps: { sequence: number; quorum?: { text: string } }[];
  };
  assert.deepEqual(
    [report.valid, report.sequence, report.threshold, report.rootKeyPinned],
    [true, 6, { required: 2, total: 4 }, true],
  );
  assert.deepEqual(
    report.steps.map((s) => s.quorum?.text ?? 'genesis'),
    ['genesis', 'signed by 2/2', 'signed by 2/2', 'signed by 2/2', 'signed by 3/3', 'signed by 3/3'],
  );

  const list = await ok(0, 'registry', 'list', '--dir', reg);
  assert.match(list.out, /^ID +ENDPOINT +REGISTERED +STATUS$/m);
  assert.match(list.out, /^echo +https:\/\/credentials\.echo\.example +\d{4}-\d{2}-\d{2} +Revoked$/m);
  assert.match(list.out, /^acme +https:\/\/credentials\.acme\.example +\d{4}-\d{2}-\d{2} +Active$/m);
  const listed = JSON.parse((await ok(0, 'registry', 'list', '--dir', reg, '--format', 'json')).out) as {
    issuers: { id: string; status: string }[];
  };
  assert.deepEqual(
    listed.issuers.map((i) => `${i.id}:${i.status}`),
    ['acme:active', 'bolt:active', 'coda:active', 'dyad:active', 'echo:revoked'],
  );

  // --id, rollback and expiry.
  assert.equal((await verify('--id', 'acme')).code, 0);
  const gone = await verify('--id', 'echo');
  assert.equal(gone.code, 1);
  assert.match(gone.err, /issuer echo is revoked/);
  assert.match(gone.out, /^echo is revoked$/m, 'the report says it too');
  assert.equal((await verify('--last-seen', `6:${report.chainHash}`)).code, 0);
  const rolled = await verify('--last-seen', `7:${report.chainHash}`);
  assert.equal(rolled.code, 1);
  assert.match(rolled.out, /rule 4, step 6: REGISTRY_ROLLBACK/);
  const expired = await verify('--at', '2999-01-01T00:00:00Z');
  assert.equal(expired.code, 1);
  assert.match(expired.out, /FAIL rule 1: REGISTRY_EXPIRED/);

  // The real binary: valid, then a registry.json from which the root key alone dropped an issuer.
  const { code, out } = await runBin(['registry', 'verify', '--root-key', key('root'), '--dir', reg], {}, base);
  assert.equal(code, 0, out);
  assert.match(out, /^VALID/m);
  const doc = await json<{ issuers: { id: string }[] }>(join(reg, 'registry.json'));
  doc.issuers = doc.issuers.filter((i) => i.id !== 'bolt');
  await writeFile(join(reg, 'registry.json'), JSON.stringify(doc));
  const tampered = await verify();
  assert.equal(tampered.code, 1);
  assert.match(tampered.out, /FAIL rule 1: REGISTRY_SIGNATURE_INVALID/);
});

test('draft names the real next step: a founder at genesis, then an add proposal (never `sign` on the entry)', async (t) => {
  const base = await tempDir(t, 'vouch-registry-');
  const { reg, key } = await draftRegistry(base);
  const draft = (id: string) => draftIssuer(reg, key(id), id);

  const founder = await draft('fox');
  assert.match(founder.out, /next: name it as a founder in `vouch registry init --root-key FILE --threshold N --dir /);
  assert.doesNotMatch(founder.out, /registry sign/);

  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  const admitted = await draft('gulf');
  assert.doesNotMatch(admitted.out, /registry sign [^`]*issuers/, 'the entry file is not what co-signers sign');
  assert.match(admitted.out, /then co-signers sign that proposal with `vouch registry sign PROPOSAL --key FILE/);
  // The hint is a command that works as printed.
  const hint = /propose its admission with `vouch (registry propose add [^`]+)`/.exec(admitted.out);
  assert.ok(hint, admitted.out);
  await ok(0, ...hint[1]!.split(' '));
  await stat(join(reg, 'proposals/2-add-gulf.json'));
});

test('errors name the file and the field, and exit 2 for input errors', async (t) => {
  const base = await tempDir(t, 'vouch-registry-');
  const { reg, key } = await draftRegistry(base);
  const e = (r: { err: string }) => r.err;
  const init = (code: number, rootKey: string, threshold: string, ...founders: string[]) =>
    ok(code, 'registry', 'init', '--root-key', rootKey, '--threshold', threshold, '--dir', reg, ...founders);

  let r = await ok(
    2,
    'registry',
    'draft',
    '--dir',
    reg,
    '--id',
    'Bad_Id',
    '--public-key',
    key('acme'),
    '--endpoint',
    'https://x.example',
    '--name',
    'X',
    '--contact',
    'x@x.example',
  );
  assert.match(e(r), /id: must be lowercase/);
  r = await ok(
    2,
    'registry',
    'draft',
    '--dir',
    reg,
    '--id',
    'x',
    '--public-key',
    'nope',
    '--endpoint',
    'https://x.example',
    '--name',
    'X',
    '--contact',
    'x',
  );
  assert.match(e(r), /--public-key: "nope" is neither a file nor an Ed25519 public key/);
  r = await ok(
    2,
    'registry',
    'draft',
    '--dir',
    reg,
    '--id',
    'acme',
    '--public-key',
    key('acme'),
    '--endpoint',
    'https://x.example',
    '--name',
    'X',
    '--contact',
    'x',
  );
  assert.match(e(r), /issuers\/acme\.json already exists/);
  r = await ok(2, 'registry', 'keygen', '--output', key('acme'));
  assert.match(e(r), /already exists/);

  const bolt = join(reg, 'issuers/bolt.json');
  const entry = await json<{ metadata: { url: string } }>(bolt);
  entry.metadata.url = 'ftp://bolt.example';
  await writeFile(bolt, JSON.stringify(entry));
  r = await init(2, key('root'), '2', 'acme', 'bolt', 'coda');
  assert.match(e(r), /issuers\/bolt\.json: metadata\.url: must be an https:\/\/ URL/);
  await writeFile(bolt, (await readFile(bolt, 'utf8')).replace('{', '{"id":"bolt",'));
  r = await ok(2, 'registry', 'sign', bolt, '--key', key('acme'), '--as', 'acme', '--dir', reg);
  assert.match(e(r), /issuers\/bolt\.json: is not strict JSON \(DUPLICATE_KEY\)/);
  await rm(bolt);

  r = await init(2, key('root'), '3', 'acme', 'coda', 'dyad');
  assert.match(e(r), /threshold 3 of 3 active issuers is outside 2 ≤ required ≤ total − 1/);
  r = await init(2, key('acme').replace('acme', 'nobody'), '2', 'acme', 'coda', 'dyad');
  assert.match(e(r), /nobody\.key\.json: no such key file/);
  const notKey = join(base, 'not-a-key.json');
  await writeFile(notKey, '{"privateKey":"hello"}');
  r = await init(2, notKey, '2', 'acme', 'coda', 'dyad');
  assert.match(e(r), /not-a-key\.json: privateKey: /);
  r = await ok(2, 'registry', 'verify', '--dir', reg);
  assert.match(e(r), /registry\.json not found; create the registry with `vouch registry init`/);

  await init(0, key('root'), '2', 'acme', 'coda', 'dyad');
  r = await init(2, key('root'), '2', 'acme', 'coda', 'dyad');
  assert.match(e(r), /already exists; the genesis happens once/);
  r = await ok(1, 'registry', 'build', '--root-key', key('acme'), '--dir', reg);
  assert.match(e(r), /registry\.json does not verify with .*\n {2}rule 1: REGISTRY_SIGNATURE_INVALID/);
  r = await ok(
    2,
    'registry',
    'sign',
    join(reg, 'issuers/echo.json'),
    '--key',
    key('acme'),
    '--as',
    'coda',
    '--dir',
    reg,
  );
  assert.match(e(r), /acme\.key\.json: not the registered key of coda/);
  r = await ok(2, 'registry', 'propose', 'remove', '--id', 'acme', '--dir', reg);
  assert.match(e(r), /--reason is required/);
  r = await ok(2, 'registry', 'propose', 'remove', '--id', 'zulu', '--reason', 'x', '--dir', reg);
  assert.match(e(r), /zulu is not an active issuer/);
  r = await ok(2, 'registry', 'propose', 'remove', '--id', 'acme', '--reason', 'x', '--dir', reg);
  assert.match(e(r), /threshold 2 of 2 active issuers/, 'removing one of three would leave 2 of 2');
  r = await ok(2, 'registry', 'propose', 'threshold', '--required', '1', '--dir', reg);
  assert.match(e(r), /threshold\.required: must be from 2/);
  r = await ok(2, 'registry', 'propose', 'update', '--id', 'acme', '--dir', reg);
  assert.match(e(r), /nothing to update/);
  r = await ok(2, 'registry', 'verify', '--dir', reg, '--format', 'xml');
  assert.match(e(r), /--format must be text or json/);
  r = await ok(2, 'registry', 'build', '--root-key', key('root'), '--dir', reg, '--validity', 'forever');
  assert.match(e(r), /--validity must be a duration/);

  // A key rotation by proposal: the proposal names the new key; acme's new key signs from the next step on.
  await ok(0, 'registry', 'keygen', '--output', key('acme2'));
  await ok(
    0,
    'registry',
    'propose',
    'update',
    '--id',
    'acme',
    '--public-key',
    key('acme2'),
    '--reason',
    'rotation',
    '--dir',
    reg,
  );
  const rotation = join(reg, 'proposals/2-update-acme.json');
  assert.equal(
    (await json<{ entry: { publicKey: string } }>(rotation)).entry.publicKey,
    (await json<{ publicKey: string }>(key('acme2'))).publicKey,
  );
  await ok(0, 'registry', 'sign', rotation, '--key', key('coda'), '--as', 'coda', '--dir', reg);
  await ok(0, 'registry', 'sign', rotation, '--key', key('dyad'), '--as', 'dyad', '--dir', reg);
  // echo.json and the others are still pending (unsigned): build applies the rotation and refuses them, exit 1.
  r = await ok(1, 'registry', 'build', '--root-key', key('root'), '--dir', reg);
  assert.match(r.out, /applied step 2: update acme/);
  assert.equal(
    (await json<{ publicKey: string }>(join(reg, 'issuers/acme.json'))).publicKey,
    (await json<{ publicKey: string }>(key('acme2'))).publicKey,
  );
  await ok(0, 'registry', 'propose', 'add', '--entry', join(reg, 'issuers/echo.json'), '--dir', reg);
  const addEcho = join(reg, 'proposals/3-add-echo.json');
  r = await ok(2, 'registry', 'sign', addEcho, '--key', key('acme'), '--as', 'acme', '--dir', reg);
  assert.match(e(r), /not the registered key of acme/);
  await ok(0, 'registry', 'sign', addEcho, '--key', key('acme2'), '--as', 'acme', '--dir', reg);
});

test('publish: POST /v1/registry/genesis {document} with the admin key; exit codes follow the answer', async (t) => {
  const base = await tempDir(t, 'vouch-registry-');
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  const requests: { method: string; url: string; key: string | undefined; type: string | undefined; body: unknown }[] =
    [];
  let answer: { status: number; body: unknown } = { status: 201, body: {} };
  const server = createServer((req, res) => {
    let data = '';
    req.setEncoding('utf8').on('data', (d: string) => (data += d));
    req.on('end', () => {
      requests.push({
        method: req.method!,
        url: req.url!,
        key: req.headers['x-api-key'] as string | undefined,
        type: req.headers['content-type'],
        body: JSON.parse(data) as unknown,
      });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const doc = await json(join(reg, 'registry.json'));

  answer = { status: 201, body: { registry: doc.registry, sequence: 1, chainHash: 'a'.repeat(64) } };
  const r = await ok(0, 'registry', 'publish', reg, '--server', url, '--admin-key', 'test-admin-key-0123456789');
  assert.match(r.out, /published registry .* sequence 1 to http:\/\/127\.0\.0\.1:\d+ \(201\)/);
  assert.deepEqual(requests[0], {
    method: 'POST',
    url: '/v1/registry/genesis',
    key: 'test-admin-key-0123456789',
    type: 'application/json',
    body: { document: doc },
  });

  answer = { status: 400, body: { error: 'The registry does not verify.', code: 'QUORUM_NOT_MET' } };
  assert.match(
    (await ok(1, 'registry', 'publish', reg, '--server', url, '--admin-key', 'k'.repeat(20))).err,
    /refused the registry \(400 QUORUM_NOT_MET\)/,
  );
  answer = { status: 409, body: { error: 'A registry exists.', code: 'REGISTRY_EXISTS' } };
  assert.match(
    (await ok(2, 'registry', 'publish', '--dir', reg, '--server', url, '--admin-key', 'k'.repeat(20))).err,
    /409 REGISTRY_EXISTS/,
  );
  const saved = process.env.VOUCH_ADMIN_KEY;
  delete process.env.VOUCH_ADMIN_KEY;
  try {
    assert.match(
      (await ok(2, 'registry', 'publish', reg, '--server', url)).err,
      /VOUCH_ADMIN_KEY or --admin-key-file is required/,
    );
  } finally {
    if (saved !== undefined) process.env.VOUCH_ADMIN_KEY = saved;
  }
  assert.equal(requests.length, 3);
});
