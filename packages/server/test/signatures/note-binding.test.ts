// A signature's publicNote is the agent's only when the agent's signature covers it
// ("<payloadHash>:<signedAt>:<sha256hex(note)>"). Whoever submits a signature first must not be able to put words
// in the agent's mouth: a note the signature does not cover is kept apart as an unverified note.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { sha256HexSync } from '@vouch/sdk';
import type { FastifyInstance } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { signedMessageText } from '@vouch/sdk';
import { findSignature } from '../../src/modules/signatures/service.ts';
import { signatureNoteBinding } from '../../src/storage/migrations/0011_signature_note_binding.ts';
import { signatureSignerKey } from '../../src/storage/migrations/0017_signature_signer_key.ts';
import { codeOf, postSign, registerPow, SIG_ENV, signBody, signNotedBody } from './helpers.ts';

const HOSTILE = 'RETRACTED: these figures are fake';

interface View {
  publicNote: string | null;
  unverifiedNote: string | null;
}

async function viewOf(app: FastifyInstance, hash: string): Promise<{ json: View; html: string }> {
  const json = (await app.inject({ method: 'GET', url: `/api/v1/signatures/verify?hash=${hash}` })).json() as View;
  const html = (await app.inject({ method: 'GET', url: `/verify/${hash}`, headers: { accept: 'text/html' } })).body;
  return { json, html };
}

eachEngine("sign: a third party's note on an agent's signature is never shown as the agent's", async ({ open }) => {
  const storage = await open();
  const { app, ctx, clock } = await makeApp(storage, { env: SIG_ENV });
  try {
    const agent = await registerPow(app);
    // identity.app's form: the signature covers "<payloadHash>:<signedAt>" only. Someone who saw it before it was
    // recorded submits it first with a note of their own.
    const mine = await signBody(agent.pair, agent.did, 'quarterly report', clock.now(), 'Official Q3 figures');
    const hostile = await postSign(app, { ...mine, publicNote: HOSTILE });
    assert.equal(hostile.statusCode, 201, hostile.body);
    const hash = (hostile.json() as { signatureHash: string }).signatureHash;
    const { json, html } = await viewOf(app, hash);
    assert.equal(json.publicNote, null);
    assert.equal(json.unverifiedNote, HOSTILE);
    assert.ok(!html.includes('id="public-note"'), "no note shown as the agent's");
    assert.match(
      html,
      /<dt>Unverified note<\/dt><dd><span id="unverified-note">RETRACTED: these figures are fake<\/span>/,
    );
    assert.match(html, /Not signed by the agent/);
    const certify = await app.inject({
      method: 'POST',
      url: '/api/v1/signatures/certify',
      payload: { signatureHash: hash, contentHash: mine.payloadHash },
    });
    assert.equal((certify.json() as { signer: { publicNote: unknown } }).signer.publicNote, null);
    // The agent's own submission of that signature: its note is no more the agent's than the first one was.
    assert.equal(codeOf(await postSign(app, mine)), 'SIGNATURE_CONFLICT');

    // The note form: the note is the agent's, and nobody can detach it or swap it.
    clock.advance(1000);
    const bound = await signNotedBody(agent.pair, agent.did, 'quarterly report', clock.now(), 'Official Q3 figures');
    const before = await tableCounts(storage);
    for (const publicNote of [HOSTILE, undefined, '']) {
      const res = await postSign(app, { ...bound, publicNote });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(codeOf(res), 'SIGNATURE_INVALID');
    }
    assert.deepEqual(await tableCounts(storage), before, 'nothing written');
    const own = await postSign(app, bound);
    assert.equal(own.statusCode, 201, own.body);
    const ownHash = (own.json() as { signatureHash: string }).signatureHash;
    const shown = await viewOf(app, ownHash);
    assert.deepEqual([shown.json.publicNote, shown.json.unverifiedNote], ['Official Q3 figures', null]);
    assert.match(shown.html, /<span id="public-note">Official Q3 figures<\/span>/);
    assert.ok(!shown.html.includes('id="unverified-note"'));
    // The same submission again is the same record; the signed string is the one documented.
    assert.equal(((await postSign(app, bound)).json() as { signatureHash: string }).signatureHash, ownHash);
    assert.equal(
      await signedMessageText(bound.payloadHash, bound.signedAt, 'Official Q3 figures'),
      `${bound.payloadHash}:${bound.signedAt}:${sha256HexSync('Official Q3 figures')}`,
    );
    assert.equal((await findSignature(ctx, ownHash))?.publicNote, 'Official Q3 figures');
  } finally {
    await app.close();
  }
});

eachEngine('migration 0011 moves every earlier note to unverified_note', async ({ open, engine }) => {
  const storage = await open();
  const { app, ctx, clock } = await makeApp(storage, { env: SIG_ENV });
  try {
    const agent = await registerPow(app);
    const noted = await postSign(app, await signBody(agent.pair, agent.did, 'a', clock.now(), 'old note'));
    const plain = await postSign(app, await signBody(agent.pair, agent.did, 'b', clock.now()));
    const hashes = [noted, plain].map((r) => (r.json() as { signatureHash: string }).signatureHash);
    // As before the migration: no column (nor those of later migrations), the note in public_note. Then the
    // migrations from there, on these rows (the columns back in their order: cached plans keep their row type).
    await sql`alter table signatures drop column signer_public_key`.execute(storage.db);
    await sql`alter table signatures drop column unverified_note`.execute(storage.db);
    await sql`update signatures set public_note = 'old note' where signature_hash = ${hashes[0]}`.execute(storage.db);
    await signatureNoteBinding.up(storage.db as unknown as Kysely<unknown>, engine);
    await signatureSignerKey.up(storage.db as unknown as Kysely<unknown>, engine);
    const after = await Promise.all(hashes.map((h) => findSignature(ctx, h)));
    assert.deepEqual(
      after.map((s) => [s?.publicNote, s?.unverifiedNote]),
      [
        [null, 'old note'],
        [null, null],
      ],
    );
  } finally {
    await app.close();
  }
});
