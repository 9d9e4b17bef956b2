// `vouch registry publish` verifies registry.json (against the root key the document names) before it uploads it: a
// document that does not verify (edited after it was signed, say) is refused, exit 1, with the failures, and nothing
// is sent, so neither the admin key nor the document reaches the server. No test held that check: without it, such a
// document was posted with the admin key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { draftRegistry, ok, recordingServer, runClean, tempDir } from './helpers.ts';

test('registry publish refuses a registry.json that does not verify, sending nothing', async (t) => {
  const base = await tempDir(t, 'vouch-publish-verifies-');
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  const server = await recordingServer(t, (res) => {
    res.writeHead(201, { 'content-type': 'application/json' }).end('{"registry":"x","sequence":1}');
  });
  const file = join(reg, 'registry.json');
  const signed = await readFile(file, 'utf8');
  const doc = JSON.parse(signed) as { issuers: Array<{ metadata: { name: string } }> };
  doc.issuers[0]!.metadata.name = 'Someone Else Inc.';
  await writeFile(file, JSON.stringify(doc, null, 2));
  const env = { VOUCH_ADMIN_KEY: 'vouch_admin_publish_verifies_0123' };
  const r = await runClean(env, 'registry', 'publish', reg, '--server', server.url);
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /^vouch: the registry does not verify:\n {2}rule /);
  assert.equal(r.out, '');
  assert.equal(server.seen.length, 0, 'nothing is sent');
  // The document as signed is uploaded.
  await writeFile(file, signed);
  const good = await runClean(env, 'registry', 'publish', reg, '--server', server.url);
  assert.equal(good.code, 0, good.err);
  assert.equal(server.seen.length, 1);
});
