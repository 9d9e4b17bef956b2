// `vouch agent verify` prints a record's optional members too (the signer's public name, the note, the owner): one of
// the wrong type is no signature record (exit 2), as a wrong required member is. Before, `"owner": "acme"` printed
// "owner: undefined (@undefined)", `"publicNote": {}` printed "note: [object Object]", and the verdict was given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerJson, recordingServer as serve, runClean, tempDir } from './helpers.ts';

const HASH = 'a'.repeat(64);
const AGENT = { did: 'did:identity:bot', status: 'active' };
const RECORD = { valid: true, signedAt: 1_767_225_600_000, payloadHash: 'b'.repeat(64), agent: AGENT, owner: null };

test('agent verify refuses a record whose optional members are of the wrong type', async (t) => {
  const dir = await tempDir(t);
  const verify = async (body: unknown) => {
    const server = await serve(t, (res) => answerJson(res, 200, body));
    return runClean({ HOME: dir, VOUCH_HOME: dir }, 'agent', 'verify', HASH, '--server', server.url);
  };
  for (const body of [
    { ...RECORD, owner: 'acme' },
    { ...RECORD, owner: {} },
    { ...RECORD, owner: { name: 'Acme', handle: 7 } },
    { ...RECORD, publicNote: { a: 1 } },
    { ...RECORD, agent: { ...AGENT, publicName: ['x'] } },
  ]) {
    const r = await verify(body);
    assert.equal(r.code, 2, `${JSON.stringify(body)}: ${r.out}`);
    assert.equal(r.out, '');
    assert.match(r.err, /the server's answer is not a signature record/);
  }
  // Absent or null optional members, and ones of the right type, still give the verdict.
  for (const body of [
    RECORD,
    { ...RECORD, owner: undefined, publicNote: null, agent: { ...AGENT, publicName: null } },
    { ...RECORD, owner: { name: 'Acme', handle: 'acme' }, publicNote: 'hi', agent: { ...AGENT, publicName: 'Bot' } },
  ]) {
    const r = await verify(body);
    assert.equal(r.code, 0, `${JSON.stringify(body)}: ${r.err}`);
    assert.doesNotMatch(r.out, /undefined|\[object Object\]/);
  }
});
