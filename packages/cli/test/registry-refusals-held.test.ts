// Three refusals of the registry commands that no test held (removing each passed every test):
// - cosign signs only the proposal its id names: a server answering GET /v1/registry/proposals/ID with another
//   proposal obtains no signature (docs/registry.md, "Proposals on a server");
// - a key file whose `publicKey` is not the key of its `privateKey` is refused, not signed with;
// - sign refuses a proposal made for another registry than the one in --dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { draftProposal, parseProposal, proposalId } from '@vouch/sdk';
import { draftRegistry, json, ok, recordingServer, run, tempDir } from './helpers.ts';

const answer = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

async function setup(t: Parameters<typeof tempDir>[0]) {
  const base = await tempDir(t, 'vouch-refusals-');
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  await ok(0, 'registry', 'propose', 'add', '--entry', join(reg, 'issuers/dyad.json'), '--dir', reg);
  return { base, reg, key, file: join(reg, 'proposals/2-add-dyad.json') };
}

test('cosign signs nothing when the server answers the id with another proposal (exit 1)', async (t) => {
  const { key, file } = await setup(t);
  const sent = parseProposal(await readFile(file));
  const id = proposalId(sent);
  const { signatures: _s, ...unsigned } = sent;
  const evil = draftProposal({
    registry: unsigned.registry,
    baseSequence: unsigned.baseSequence,
    expiresAt: unsigned.expiresAt,
    action: 'add',
    entry: { ...unsigned.entry!, endpoint: 'https://credentials.attacker.example' },
  });
  const view = { id, status: 'pending', action: 'add', subject: 'dyad', appliedSequence: null, proposal: evil };
  const server = await recordingServer(t, (res) => answer(res, 200, view));
  const r = await run('registry', 'cosign', id, '--key', key('bolt'), '--as', 'bolt', '--server', server.url);
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /another proposal; nothing was signed/);
  assert.deepEqual(
    server.seen.map((s) => s.method),
    ['GET'],
    'no signature was sent',
  );
});

test('a key file whose publicKey is not its private key is refused (exit 2), and nothing is signed', async (t) => {
  const { reg, key, file } = await setup(t);
  const mixed = join(reg, '..', 'mixed.key.json');
  const acme = await json<{ publicKey: string; privateKey: string }>(key('acme'));
  const bolt = await json<{ publicKey: string }>(key('bolt'));
  await writeFile(mixed, JSON.stringify({ publicKey: bolt.publicKey, privateKey: acme.privateKey }), { mode: 0o600 });
  const before = await readFile(file, 'utf8');
  const r = await run('registry', 'sign', file, '--key', mixed, '--as', 'acme', '--dir', reg);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /publicKey: does not belong to the private key in the same file/);
  assert.equal(await readFile(file, 'utf8'), before, 'the proposal is unchanged');
});

test('sign refuses a proposal made for another registry (exit 2), and writes nothing', async (t) => {
  const { reg, key, file } = await setup(t);
  const foreign = parseProposal(await readFile(file));
  const { signatures: _s, ...unsigned } = foreign;
  const other = draftProposal({
    registry: `${unsigned.registry.slice(0, -1)}${unsigned.registry.endsWith('0') ? '1' : '0'}`,
    baseSequence: unsigned.baseSequence,
    expiresAt: unsigned.expiresAt,
    action: 'add',
    entry: unsigned.entry!,
  });
  const path = join(reg, 'proposals/other.json');
  const text = `${JSON.stringify(other, null, 2)}\n`;
  await writeFile(path, text);
  const r = await run('registry', 'sign', path, '--key', key('acme'), '--as', 'acme', '--dir', reg);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /registry: the proposal is for another registry/);
  assert.equal(await readFile(path, 'utf8'), text, 'nothing was written');
});

test('cosign refuses an id that is not 64 hex digits (exit 2) and sends nothing', async (t) => {
  const { key } = await setup(t);
  const server = await recordingServer(t, (res) => answer(res, 404, { error: 'no', code: 'NOT_FOUND' }));
  for (const id of ['../../api/v1/admin/keys', '', 'A'.repeat(64), `${'a'.repeat(64)}/signatures`, 'a'.repeat(63)]) {
    const r = await run('registry', 'cosign', id, '--key', key('bolt'), '--as', 'bolt', '--server', server.url);
    assert.equal(r.code, 2, `${id}: ${r.err}`);
    assert.match(r.err, /is not a proposal id \(64 hex digits\)/);
  }
  assert.equal(server.seen.length, 0, 'nothing was sent');
});
