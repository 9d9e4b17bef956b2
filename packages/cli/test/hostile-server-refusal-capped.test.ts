// A refusal's `code` and `error` (expectStatus, for token, keys, integrator and audit commands) were printed whole: an
// answer may be up to 16 MiB, all of it on stderr as one line. They are now cut as the SDK cuts them (the message at
// 500 characters; the code at 64, the longest code the SDK takes), and still pass through field(): no escape
// sequence, bidi control or line break of the server's reaches the terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { draftRegistry, ok, recordingServer as serve, run, tempDir } from './helpers.ts';

const ADMIN = 'vouch_admin_refusal_capped_1234567890';

test('a refusal prints at most 64 characters of code and 500 of message, escaped', async (t) => {
  const code = `${'C'.repeat(63)}\u001b${'D'.repeat(100_000)}`;
  const error = `\u001b[2J\u202Eno\nte\u2066${'y'.repeat(2_000_000)}`;
  const server = await serve(t, (res) =>
    res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ code, error })),
  );
  const saved = process.env.VOUCH_ADMIN_KEY;
  process.env.VOUCH_ADMIN_KEY = ADMIN;
  try {
    // The message's first 500: 11 characters (4 replaced) and 489 y.
    const message = `\uFFFD[2J\uFFFDno\uFFFDte\uFFFD${'y'.repeat(489)}`;
    const want = `vouch: the server refused: ${'C'.repeat(63)}\uFFFD: ${message}\n`;
    for (const args of [
      ['token', 'revoke', '--jti', 'abc'],
      ['integrator', 'list'],
      ['keys', 'list'],
    ]) {
      const r = await run(...args, '--server', server.url);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err.slice(0, 200)}`);
      assert.equal(r.out, '');
      assert.equal(r.err.length, want.length, `${args.join(' ')}: ${r.err.length} characters`);
      assert.equal(r.err, want);
    }
  } finally {
    if (saved === undefined) delete process.env.VOUCH_ADMIN_KEY;
    else process.env.VOUCH_ADMIN_KEY = saved;
  }
});

// `vouch registry submit` and `cosign` printed a refusal through their own code (expectProposal), without the caps.
test('registry submit and cosign cap and escape a refusal as the other commands do', async (t) => {
  const base = await tempDir(t, 'vouch-refusal-capped-');
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  await ok(0, 'registry', 'propose', 'add', '--entry', join(reg, 'issuers/dyad.json'), '--dir', reg);
  const file = join(reg, 'proposals/2-add-dyad.json');
  await ok(0, 'registry', 'sign', file, '--key', key('acme'), '--as', 'acme', '--dir', reg);
  const code = `${'C'.repeat(63)}\u001b${'D'.repeat(100_000)}`;
  const error = `\u001b[2J\u202Eno\nte\u2066${'y'.repeat(2_000_000)}`;
  const server = await serve(t, (res) =>
    res.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify({ code, error })),
  );
  const message = `\uFFFD[2J\uFFFDno\uFFFDte\uFFFD${'y'.repeat(489)}`;
  const want = `vouch: the server refused: ${'C'.repeat(63)}\uFFFD: ${message}\n`;
  for (const args of [
    ['registry', 'submit', file],
    ['registry', 'cosign', 'a'.repeat(64), '--key', key('bolt'), '--as', 'bolt'],
  ]) {
    const r = await run(...args, '--server', server.url);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err.slice(0, 200)}`);
    assert.equal(r.out, '');
    assert.equal(r.err.length, want.length, `${args.join(' ')}: ${r.err.length} characters`);
    assert.equal(r.err, want);
  }
});

// A refusal with a code but no message (or one that is not a string) printed "CODE: undefined" or "CODE: [object
// Object]"; it prints the code alone. A code the registry commands take as a verification failure still exits 1.
test('a refusal whose error is missing or not a string prints the code alone', async (t) => {
  const base = await tempDir(t, 'vouch-refusal-no-error-');
  await ok(0, 'registry', 'keygen', '--output', join(base, 'bolt.key.json'));
  const saved = process.env.VOUCH_ADMIN_KEY;
  process.env.VOUCH_ADMIN_KEY = ADMIN;
  try {
    for (const body of [{}, { error: null }, { error: { text: 'no' } }, { error: 42 }, { error: ['no'] }]) {
      for (const code of ['NOT_FOUND', 'REGISTRY_SIGNATURE_REFUSED']) {
        const server = await serve(t, (res) =>
          res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ code, ...body })),
        );
        const cosign = ['registry', 'cosign', 'a'.repeat(64), '--key', join(base, 'bolt.key.json'), '--as', 'bolt'];
        for (const [args, exit] of [
          [['token', 'revoke', '--jti', 'abc'], 2],
          [cosign, code === 'NOT_FOUND' ? 2 : 1],
        ] as const) {
          const r = await run(...args, '--server', server.url);
          const what = `${args.join(' ')} ${JSON.stringify(body)}`;
          assert.equal(r.code, exit, `${what}: ${r.err}`);
          assert.equal(r.err, `vouch: the server refused: ${code}\n`, what);
        }
      }
    }
  } finally {
    if (saved === undefined) delete process.env.VOUCH_ADMIN_KEY;
    else process.env.VOUCH_ADMIN_KEY = saved;
  }
});

// `vouch registry publish` and a refused verdict of `vouch token verify` printed the server's code and message whole
// (escaped, but up to 16 MiB on one line), and a message that is no string as "undefined" or "[object Object]".
test('registry publish and token verify cut and escape the server text they print', async (t) => {
  const code = `${'C'.repeat(63)}\u001b${'D'.repeat(100_000)}`;
  const error = `\u001b[2J\u202Eno\nte\u2066${'y'.repeat(2_000_000)}`;
  const message = `\uFFFD[2J\uFFFDno\uFFFDte\uFFFD${'y'.repeat(489)}`;
  const shownCode = `${'C'.repeat(63)}\uFFFD`;

  const verdict = await serve(t, (res) =>
    res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ valid: false, code, error })),
  );
  const r = await run('token', 'verify', 'a.b.c', '--server', verdict.url);
  assert.equal(r.code, 1, r.err.slice(0, 200));
  assert.equal(r.out, `invalid: ${shownCode}: ${message}\n`);
  assert.equal(r.err, `vouch: the token is not valid (${shownCode}).\n`);
  const noReason = await serve(t, (res) =>
    res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ valid: false, code: 'X' })),
  );
  assert.equal((await run('token', 'verify', 'a.b.c', '--server', noReason.url)).out, 'invalid: X\n');

  const base = await tempDir(t, 'vouch-publish-capped-');
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  const saved = process.env.VOUCH_ADMIN_KEY;
  process.env.VOUCH_ADMIN_KEY = ADMIN;
  try {
    const refused = await serve(t, (res) =>
      res.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify({ code, error })),
    );
    const p = await run('registry', 'publish', reg, '--server', refused.url);
    assert.equal(p.code, 2, p.err.slice(0, 200));
    const origin = new URL(refused.url).origin;
    assert.equal(p.err, `vouch: ${origin} refused the registry (409 ${shownCode}): ${message}\n`);
    const objectError = await serve(t, (res) =>
      res.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'X', error: { a: 1 } })),
    );
    const o = await run('registry', 'publish', reg, '--server', objectError.url);
    assert.equal(o.err, `vouch: ${new URL(objectError.url).origin} refused the registry (409 X): Conflict\n`);
    const oddSequence = await serve(t, (res) =>
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sequence: '1\n\u001b[2Jx' })),
    );
    const s = await run('registry', 'publish', reg, '--server', oddSequence.url);
    assert.equal(s.code, 0, s.err);
    assert.match(s.out, /sequence 1\uFFFD\uFFFD\[2Jx to /);
  } finally {
    if (saved === undefined) delete process.env.VOUCH_ADMIN_KEY;
    else process.env.VOUCH_ADMIN_KEY = saved;
  }
});
