// The CLI's answers are JSON, and JSON is UTF-8 (RFC 8259 §8.1): readAnswer decoded leniently, so bytes that are not
// UTF-8 became U+FFFD and the command went on with an answer the server never sent (a refusal's message, a listed
// value). They now end the command with exit 2 and one line, as an answer that is not JSON does. registry publish,
// which takes a success answer that is not JSON as published, takes one that is not UTF-8 alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { draftRegistry, ok, recordingServer as serve, run, tempDir } from './helpers.ts';

const ADMIN = 'vouch_admin_SECRET_DO_NOT_LEAK_1234567890';

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

/** JSON text with one byte (0xff) that UTF-8 never has inside a string. */
const notUtf8 = (before: string, after: string) =>
  Buffer.concat([Buffer.from(before), Buffer.from([0xff]), Buffer.from(after)]);

test('an answer that is not UTF-8 is exit 2 and one line, not read with U+FFFD', async (t) => {
  for (const [status, body] of [
    [200, notUtf8('{"keys":[],"note":"', '"}')],
    [400, notUtf8('{"error":"bad ', '","code":"BAD_THING"}')],
  ] as const) {
    const { url } = await serve(t, (res) => res.writeHead(status, { 'content-type': 'application/json' }).end(body));
    const r = await withAdminEnv('keys', 'list', '--server', url);
    assert.equal(r.code, 2, r.err);
    assert.equal(r.err, `vouch: ${url}/api/v1/admin/keys answered ${status} with a body that is not UTF-8.\n`);
    assert.equal(r.out, '');
  }
});

test('registry publish takes a success answer that is not UTF-8 as it takes one that is not JSON', async (t) => {
  const base = await tempDir(t, 'vouch-not-utf8-');
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  const { url } = await serve(t, (res) =>
    res.writeHead(201, { 'content-type': 'application/json' }).end(notUtf8('{"sequence":1,"x":"', '"}')),
  );
  const r = await withAdminEnv('registry', 'publish', reg, '--server', url);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^published registry /);
});
