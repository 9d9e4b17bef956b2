// The CLI against servers that misbehave, on real loopback HTTP: a redirect to another origin (the admin key must not
// follow it), an endless answer (read up to a cap), text a terminal would act on, and an outsized proof of work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { draftRegistry, answerJson, ok, recordingServer as serve, run, tempDir } from './helpers.ts';

const ADMIN = 'vouch_admin_SECRET_DO_NOT_LEAK_1234567890';

/** Runs the CLI with the admin key in the environment (never in arguments), restoring the environment after. */
async function withAdminEnv(...args: string[]) {
  const saved = process.env.VOUCH_ADMIN_KEY;
  process.env.VOUCH_ADMIN_KEY = ADMIN;
  try {
    return await run(...args);
  } finally {
    if (saved === undefined) delete process.env.VOUCH_ADMIN_KEY;
    else process.env.VOUCH_ADMIN_KEY = saved;
  }
}

/** A server (the one configured) that redirects every request to `other`. */
async function redirecting(t: Parameters<typeof serve>[0], status: number, other: string) {
  return serve(t, (res, req) => res.writeHead(status, { location: `${other}/collect${req.url}` }).end());
}

test('a redirect to another origin is not followed: exit 2, one line naming it, the admin key stays home', async (t) => {
  const other = await serve(t, (res) => answerJson(res, 200, { jti: 'x', keys: [] }));
  for (const [status, args, path] of [
    [307, ['token', 'revoke', '--jti', 'abc'], '/api/registry/revoke'],
    [302, ['keys', 'list'], '/api/v1/admin/keys'],
    [308, ['integrator', 'list'], '/api/v1/admin/integrators'],
  ] as const) {
    const configured = await redirecting(t, status, other.url);
    const r = await withAdminEnv(...args, '--server', configured.url);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.equal(
      r.err,
      `vouch: ${configured.url}${path} answered ${status}, a redirect to ${other.url}/collect${path} ` +
        'that is not followed.\n',
    );
    assert.equal(r.out, '');
    assert.equal(configured.seen.length, 1);
    assert.equal(configured.seen[0]!.headers['x-api-key'], ADMIN, 'the configured server got the key, as asked');
  }
  assert.deepEqual(
    other.seen.map((s) => s.url),
    [],
    'the other origin received no request (no key, no body)',
  );
});

test('registry publish does not follow a redirect with the admin key and the document', async (t) => {
  const base = await tempDir(t, 'vouch-hostile-');
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  const other = await serve(t, (res) => answerJson(res, 201, { sequence: 1 }));
  const configured = await redirecting(t, 307, other.url);
  const r = await withAdminEnv('registry', 'publish', reg, '--server', configured.url);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^vouch: http:\/\/127\.0\.0\.1:\d+\/v1\/registry\/genesis answered 307, a redirect to /);
  assert.match(r.err, /that is not followed\.\n$/);
  assert.ok(!r.err.includes(ADMIN));
  assert.equal(other.seen.length, 0, 'the other origin received neither the key nor the document');
});

test('an answer larger than 16 MiB is cut off: the stream is cancelled and the command fails (exit 2)', async (t) => {
  // Valid JSON of 64 MiB, streamed without a length, stopping early if the client goes away.
  let sent = 0;
  let finished = false;
  let onClose!: () => void;
  const closed = new Promise<void>((resolve) => (onClose = resolve));
  const { url } = await serve(t, (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.on('close', onClose);
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    const pump = (): void => {
      while (sent < 64 * chunk.length) {
        if (res.destroyed) return;
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      finished = true;
      res.end('"}');
    };
    res.write('{"keys":[],"pad":"');
    pump();
  });
  const r = await withAdminEnv('keys', 'list', '--server', url);
  assert.equal(r.code, 2, r.err);
  assert.equal(r.err, `vouch: ${url}/api/v1/admin/keys answered with more than 16 MiB; refused.\n`);
  await closed;
  assert.equal(finished, false, `the server could not send the whole answer (it sent ${sent} bytes)`);

  // A declared length over the cap is refused before reading anything.
  const declared = await serve(t, (res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(17 * 1024 * 1024) });
    res.write('{');
  });
  const early = await withAdminEnv('keys', 'list', '--server', declared.url);
  assert.equal(early.code, 2);
  assert.match(early.err, /answered with more than 16 MiB; refused\.\n$/);
});

test('server text reaches the terminal without control or bidi characters; --json keeps the same values', async (t) => {
  const kid = 'key\u202Egnp.exe\u009B31m\u0007';
  const server = await serve(t, (res, req) => {
    if (req.url === '/api/v1/admin/keys') {
      return answerJson(res, 200, {
        keys: [{ kid, purpose: 'tokens', alg: 'ES256', generation: 1, status: 'active', published: true }],
      });
    }
    if (req.url === '/api/v1/admin/integrators') {
      const integrators = [
        { slug: 'shop', name: 'Shop\nvalid session token', domain: 'x\u2067y', environmentVersion: 1, metrics: [] },
      ];
      return answerJson(res, 200, { integrators });
    }
    return answerJson(res, 400, { code: 'BAD\u009B2J', error: 'refused\u001B[2J\nvouch: all good\u202E' });
  });
  // eslint-disable-next-line no-control-regex
  const raw = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

  const human = await withAdminEnv('keys', 'list', '--server', server.url);
  assert.equal(human.code, 0, human.err);
  assert.ok(!raw.test(human.out), JSON.stringify(human.out));
  assert.match(human.out, /key\uFFFDgnp\.exe\uFFFD31m\uFFFD/);

  const asJson = await withAdminEnv('keys', 'list', '--server', server.url, '--json');
  assert.ok(!raw.test(asJson.out), JSON.stringify(asJson.out));
  assert.equal((JSON.parse(asJson.out) as { keys: { kid: string }[] }).keys[0]!.kid, kid, 'the same value');

  // A server-supplied field cannot start a line of its own either.
  const list = await withAdminEnv('integrator', 'list', '--server', server.url);
  assert.equal(list.code, 0, list.err);
  assert.equal(list.out.split('\n')[0], 'shop  v1  Shop\uFFFDvalid session token  x\uFFFDy');

  const refused = await withAdminEnv('token', 'revoke', '--jti', 'abc', '--server', server.url);
  assert.equal(refused.code, 2);
  assert.equal(refused.err, 'vouch: the server refused: BAD\uFFFD2J: refused\uFFFD[2J\uFFFDvouch: all good\uFFFD\n');
});

// (Without the cap the CLI would search for 16^7 hashes: the timeout ends the test, not the search.)
test(
  'agent create does not take on a proof of work above 6 zeros because a server asked',
  { timeout: 30_000 },
  async (t) => {
    const home = await tempDir(t, 'vouch-hostile-home-');
    // Discovery answers (the CLI reads the server's public URL for its key proof); the registration demands 7 zeros,
    // one past the cap.
    const server = await serve(t, (res, req) =>
      req.url === '/.well-known/agent-registry.json'
        ? answerJson(res, 200, { issuer: 'https://vouch.example' })
        : answerJson(res, 400, {
            code: 'POW_INVALID',
            error: 'sha256hex(publicKey + powNonce) must start with 7 zeros.',
          }),
    );
    const saved = process.env.VOUCH_HOME;
    process.env.VOUCH_HOME = join(home, '.vouch');
    try {
      const r = await run('agent', 'create', '--alias', 'a', '--pow-difficulty', '0', '--server', server.url);
      assert.equal(r.code, 2, r.err);
      assert.match(
        r.err,
        /vouch: the server asks for a proof of work of 7 leading zeros \(about 16\^7 hashes\); not attempted without --pow-difficulty 7\.\n$/,
      );
      assert.ok(!r.err.includes('finding 7 leading zero'), 'no search was started');
      assert.deepEqual(
        server.seen.map((s) => `${s.method} ${s.url}`),
        ['GET /.well-known/agent-registry.json', 'POST /api/v1/agents/register'],
      );
    } finally {
      if (saved === undefined) delete process.env.VOUCH_HOME;
      else process.env.VOUCH_HOME = saved;
    }
  },
);
