// A signed message already recorded, submitted again after its signing window closed (a client retrying a request
// whose answer it lost), answers its record: the retry is safe, as PROTOCOL.md says, and no new signature is made.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { codeOf, postSign, registerPow, SIG_ENV, signBody, signNotedBody, WINDOW_MS } from './helpers.ts';

eachEngine('sign: a recorded submission retried after the window answers its record', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: SIG_ENV });
  try {
    const agent = await registerPow(app, { label: 'writer' });
    const signedAt = clock.now();
    const noted = await signNotedBody(agent.pair, agent.did, 'report Q3', signedAt, 'final');
    const plain = await signBody(agent.pair, agent.did, 'report Q4', signedAt, 'attached');
    const first = await postSign(app, noted);
    assert.equal(first.statusCode, 201, first.body);
    const second = await postSign(app, plain);
    assert.equal(second.statusCode, 201, second.body);

    clock.advance(WINDOW_MS + 1);
    const counts = await tableCounts(storage);
    const retry = await postSign(app, noted);
    assert.equal(retry.statusCode, 201, retry.body);
    assert.deepEqual(retry.json(), first.json());
    const retryPlain = await postSign(app, plain);
    assert.equal(retryPlain.statusCode, 201, retryPlain.body);
    assert.deepEqual(retryPlain.json(), second.json());
    // The same signature with another note is still a conflict, not a new record.
    const other = await postSign(app, { ...noted, publicNote: 'draft' });
    assert.equal(other.statusCode, 409, other.body);
    assert.equal(codeOf(other), 'SIGNATURE_CONFLICT');
    // A signature never recorded is still held to the window.
    const late = await signBody(agent.pair, agent.did, 'late', signedAt);
    const refused = await postSign(app, late);
    assert.equal(refused.statusCode, 400, refused.body);
    assert.equal(codeOf(refused), 'SIGNED_AT_OUT_OF_WINDOW');
    assert.deepEqual(await tableCounts(storage), counts);
  } finally {
    await app.close();
  }
});
