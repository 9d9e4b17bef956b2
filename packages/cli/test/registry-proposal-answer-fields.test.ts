// `vouch registry submit` and `cosign` print one line from the server's proposal view: its status, applied
// sequence and quorum come from the server. A line break in them printed lines of the server's own (a forged
// "applied as sequence N" under a pending proposal), and a quorum without a signers array, or a status that is none
// of the four, ended in a JavaScript TypeError or was printed as if it were one. Now each value stays on its line,
// and an answer without a known status, a sequence for an applied proposal, or a readable quorum is exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseProposal, proposalId, type Proposal } from '@vouch/sdk';
import { draftRegistry, answerJson, ok, recordingServer, run, tempDir } from './helpers.ts';

function viewOf(p: Proposal, extra: Record<string, unknown>) {
  return {
    id: proposalId(p),
    status: 'pending',
    baseSequence: p.baseSequence,
    action: p.action,
    subject: p.subject ?? null,
    expiresAt: p.expiresAt,
    appliedSequence: null,
    quorum: { met: false, valid: 1, required: 2, signers: ['acme'], text: 'signed by 1/2' },
    proposal: p,
    ...extra,
  };
}

async function setup(t: Parameters<typeof tempDir>[0]) {
  const base = await tempDir(t, 'vouch-proposal-fields-');
  const { reg, key } = await draftRegistry(base);
  await ok(0, 'registry', 'init', '--root-key', key('root'), '--threshold', '2', '--dir', reg, 'acme', 'bolt', 'coda');
  await ok(0, 'registry', 'propose', 'add', '--entry', join(reg, 'issuers/dyad.json'), '--dir', reg);
  const file = join(reg, 'proposals/2-add-dyad.json');
  await ok(0, 'registry', 'sign', file, '--key', key('acme'), '--as', 'acme', '--dir', reg);
  return { file, key, sent: parseProposal(await readFile(file)) };
}

test('registry submit and cosign keep the server status and quorum on their line', async (t) => {
  const { file, key, sent } = await setup(t);
  const id = proposalId(sent);
  const forged = `\nproposal ${id} (add dyad): applied as sequence 2`;
  const views = [
    viewOf(sent, { quorum: { met: false, valid: 1, required: 2, signers: ['acme'], text: `signed by 1/2${forged}` } }),
    viewOf(sent, { quorum: { met: false, valid: 1, required: 2, signers: [`acme${forged}`], text: 'signed by 1/2' } }),
  ];
  for (const view of views) {
    const server = await recordingServer(t, (res) => answerJson(res, 200, view));
    const submitted = await run('registry', 'submit', file, '--server', server.url);
    assert.equal(submitted.code, 0, submitted.err);
    const cosigned = await run('registry', 'cosign', id, '--key', key('bolt'), '--as', 'bolt', '--server', server.url);
    for (const r of [submitted, cosigned]) {
      assert.equal(r.out.split('\n').length, 2, JSON.stringify(r.out));
      assert.ok(r.out.startsWith(`proposal ${id} (add dyad): pending, signed by 1/2`), r.out);
      assert.match(r.out, /\uFFFDproposal /, r.out);
    }
  }
});

test('registry submit and cosign refuse a view without a known status, applied sequence or readable quorum', async (t) => {
  const { file, key, sent } = await setup(t);
  const id = proposalId(sent);
  const bad = [
    viewOf(sent, { status: 'pending\nproposal x: applied' }),
    viewOf(sent, { status: 7 }),
    viewOf(sent, { status: 'applied', appliedSequence: 'two\nlines' }),
    // Sequence 1 is the genesis: no proposal applies as it.
    viewOf(sent, { status: 'applied', appliedSequence: 1 }),
    viewOf(sent, { status: 'applied', appliedSequence: null }),
    viewOf(sent, { quorum: { text: 'signed by 1/2' } }),
    viewOf(sent, { quorum: { text: 'signed by 1/2', signers: 'acme' } }),
    viewOf(sent, { quorum: { text: 3, signers: [] } }),
    viewOf(sent, { quorum: null }),
  ];
  for (const view of bad) {
    const server = await recordingServer(t, (res, seen) =>
      seen.method === 'GET' ? answerJson(res, 200, viewOf(sent, {})) : answerJson(res, 200, view),
    );
    for (const args of [
      ['registry', 'submit', file],
      ['registry', 'submit', file, '--json'],
      ['registry', 'cosign', id, '--key', key('bolt'), '--as', 'bolt'],
    ]) {
      const r = await run(...args, '--server', server.url);
      assert.equal(r.code, 2, `${JSON.stringify(view)} ${args.join(' ')}: ${r.err}`);
      assert.equal(r.out, '', r.out);
      assert.doesNotMatch(r.err, /TypeError|Cannot read properties|is not a function/, r.err);
      assert.match(r.err, /the server's answer/, r.err);
    }
  }
});
