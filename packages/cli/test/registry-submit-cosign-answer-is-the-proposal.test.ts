// `vouch registry submit` prints the id co-signers then pass to `vouch registry cosign`, and cosign prints what was
// signed. Both lines must come from the proposal the CLI itself sent and signed, not from the server's answer: a
// server (or anything between it and the CLI on plain http) answering with the view of another proposal would
// otherwise hand the submitter the id of a proposal its co-signers never saw (cosign only checks that the proposal
// it fetches is the one the id names), or tell a co-signer it signed something else than it did.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { draftProposal, parseProposal, proposalId, type Proposal } from '@vouch/sdk';
import { draftRegistry, answerJson, ok, recordingServer, run, tempDir } from './helpers.ts';

function viewOf(p: Proposal, status = 'pending') {
  return {
    id: proposalId(p),
    status,
    baseSequence: p.baseSequence,
    action: p.action,
    subject: p.subject ?? null,
    expiresAt: p.expiresAt,
    appliedSequence: null,
    quorum: { met: false, valid: 1, required: 2, signers: ['acme'], text: 'signed by 1/2' },
    proposal: p,
  };
}

async function setup(t: Parameters<typeof tempDir>[0]) {
  const base = await tempDir(t, 'vouch-submit-answer-');
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  await ok(0, 'registry', 'propose', 'add', '--entry', join(reg, 'issuers/dyad.json'), '--dir', reg);
  const file = join(reg, 'proposals/2-add-dyad.json');
  await ok(0, 'registry', 'sign', file, '--key', key('acme'), '--as', 'acme', '--dir', reg);
  const sent = parseProposal(await readFile(file));
  // What a hostile server would rather have signed: the same admission, but with its own endpoint.
  const { signatures: _s, ...unsigned } = sent;
  const evil = draftProposal({
    registry: unsigned.registry,
    baseSequence: unsigned.baseSequence,
    expiresAt: unsigned.expiresAt,
    action: 'add',
    entry: { ...unsigned.entry!, endpoint: 'https://credentials.attacker.example' },
  });
  return { file, key, sent, evil };
}

test('submit: an answer about another proposal is refused (exit 1), and its id is not printed', async (t) => {
  const { file, sent, evil } = await setup(t);
  const server = await recordingServer(t, (res) => answerJson(res, 201, viewOf(evil)));
  for (const extra of [[], ['--json']]) {
    const r = await run('registry', 'submit', file, '--server', server.url, ...extra);
    assert.equal(r.code, 1, r.err);
    assert.ok(!r.out.includes(proposalId(evil)), r.out);
    assert.match(r.err, /another proposal/);
  }
  // The honest answer still prints the id of what was sent.
  const honest = await recordingServer(t, (res) => answerJson(res, 201, viewOf(sent)));
  const r = await run('registry', 'submit', file, '--server', honest.url);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, `proposal ${proposalId(sent)} (add dyad): pending, signed by 1/2 by acme\n`);
});

test('cosign: an answer to the signature about another proposal is refused (exit 1), not shown as what was signed', async (t) => {
  const { key, sent, evil } = await setup(t);
  const id = proposalId(sent);
  const server = await recordingServer(t, (res, seen) =>
    seen.method === 'GET' ? answerJson(res, 200, viewOf(sent)) : answerJson(res, 200, viewOf(evil)),
  );
  const r = await run('registry', 'cosign', id, '--key', key('bolt'), '--as', 'bolt', '--server', server.url);
  assert.equal(r.code, 1, r.err);
  assert.ok(!r.out.includes(proposalId(evil)), r.out);
  assert.match(r.err, /another proposal/);
  // A body that is no proposal view at all is an error naming that, not a crash on a missing member.
  const empty = await recordingServer(t, (res, seen) =>
    seen.method === 'GET' ? answerJson(res, 200, viewOf(sent)) : answerJson(res, 200, null),
  );
  const e = await run('registry', 'cosign', id, '--key', key('bolt'), '--as', 'bolt', '--server', empty.url);
  assert.equal(e.code, 1, e.err);
  assert.match(e.err, /another proposal/);
});

test('cosign: a GET answer that holds no proposal ends with a message about it (exit 2), not a TypeError', async (t) => {
  const { key, sent } = await setup(t);
  for (const body of ['null', '', '[]']) {
    const server = await recordingServer(t, (res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(body),
    );
    const r = await run(
      'registry',
      'cosign',
      proposalId(sent),
      '--key',
      key('bolt'),
      '--as',
      'bolt',
      '--server',
      server.url,
    );
    assert.equal(r.code, 2, r.err);
    assert.doesNotMatch(r.err, /Cannot read properties|TypeError/, r.err);
    assert.equal(server.seen.length, 1, 'nothing was signed or sent');
  }
});

// The line printed names the action and subject from the view: with the right id and proposal but another action or
// subject beside them, the answer is refused too, so the line never says "(remove acme)" of an admission of dyad.
test("submit and cosign: a view whose action or subject is not its proposal's is refused (exit 1)", async (t) => {
  const { file, key, sent } = await setup(t);
  const id = proposalId(sent);
  for (const lie of [{ action: 'remove' }, { subject: 'acme' }, { subject: null }]) {
    const view = { ...viewOf(sent), ...lie };
    const server = await recordingServer(t, (res, seen) => answerJson(res, seen.method === 'GET' ? 200 : 201, view));
    const submitted = await run('registry', 'submit', file, '--server', server.url);
    assert.equal(submitted.code, 1, `${JSON.stringify(lie)}: ${submitted.out}${submitted.err}`);
    assert.equal(submitted.out, '');
    assert.match(submitted.err, /another proposal/);
    const cosignServer = await recordingServer(t, (res, seen) =>
      seen.method === 'GET' ? answerJson(res, 200, viewOf(sent)) : answerJson(res, 200, view),
    );
    const cosigned = await run(
      'registry',
      'cosign',
      id,
      '--key',
      key('bolt'),
      '--as',
      'bolt',
      '--server',
      cosignServer.url,
    );
    assert.equal(cosigned.code, 1, `${JSON.stringify(lie)}: ${cosigned.out}${cosigned.err}`);
    assert.equal(cosigned.out, '');
  }
});

// cosign refuses locally, as `sign` does (exit 2, docs/registry.md), what the server would refuse as
// REGISTRY_SIGNATURE_REFUSED: a second signature of an issuer that signed, and a signature of the subject. Only the
// GET is sent; no co-signature leaves the machine.
test('cosign: signing twice or as the subject is refused locally (exit 2), nothing posted', async (t) => {
  const { key, sent } = await setup(t);
  const id = proposalId(sent);
  for (const as of ['acme', 'dyad']) {
    const server = await recordingServer(t, (res) => answerJson(res, 200, viewOf(sent)));
    const r = await run('registry', 'cosign', id, '--key', key(as), '--as', as, '--server', server.url);
    assert.equal(r.code, 2, `${as}: ${r.out}${r.err}`);
    assert.match(r.err, as === 'acme' ? /acme has already signed/ : /dyad is the subject/);
    assert.deepEqual(
      server.seen.map((s) => s.method),
      ['GET'],
    );
  }
});
