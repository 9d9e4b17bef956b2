// The string an agent signs to record a message: the agent, the verifier and the server all build it with
// signedMessageText, so its exact form is pinned here.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { createWebCryptoProvider, signedMessageText } from '../src/index.ts';

const HASH = 'ab'.repeat(32);

test('signedMessageText: identity.app form without a note, the note hash appended with one', async () => {
  assert.equal(await signedMessageText(HASH, 1700000000000), `${HASH}:1700000000000`);
  for (const none of [undefined, null, '']) {
    assert.equal(
      await signedMessageText(HASH, 1700000000000, none),
      `${HASH}:1700000000000`,
      'an empty note is no note',
    );
  }
  const note = 'Q3 figures, ünïcode ✓';
  const noteHash = createHash('sha256').update(note, 'utf8').digest('hex');
  assert.equal(await signedMessageText(HASH, 1700000000000, note), `${HASH}:1700000000000:${noteHash}`);
  // The same through WebCrypto (browsers).
  assert.equal(
    await signedMessageText(HASH, 1700000000000, note, createWebCryptoProvider()),
    `${HASH}:1700000000000:${noteHash}`,
  );
});
