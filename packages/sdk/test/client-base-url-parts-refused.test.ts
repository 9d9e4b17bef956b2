// A baseUrl with a user name or password, a query or a fragment lost those parts without a word: the client kept
// only the origin and path, so `https://user:pw@host` sent no credentials and `https://host/?tenant=a` asked every
// route of the bare host. They are now INVALID_ARGUMENT naming the part (never the URL, which may hold a password),
// as the CLI's --server already is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVouchError, VouchClient } from '../src/index.ts';

function refused(part: RegExp, secret?: string): (err: unknown) => true {
  return (err) => {
    assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), String(err));
    assert.match((err as Error).message, part);
    if (secret !== undefined) assert.ok(!(err as Error).message.includes(secret), 'the URL is not echoed');
    return true;
  };
}

test('a baseUrl holding credentials, a query or a fragment is refused', () => {
  assert.throws(() => new VouchClient({ baseUrl: 'http://ops:s3cret-pw@127.0.0.1:1' }), refused(/user name/, 's3cret'));
  assert.throws(() => new VouchClient({ baseUrl: 'http://ops@127.0.0.1:1/vouch' }), refused(/user name/));
  assert.throws(() => new VouchClient({ baseUrl: 'http://127.0.0.1:1/?tenant=a' }), refused(/query/));
  assert.throws(() => new VouchClient({ baseUrl: 'http://127.0.0.1:1/vouch?' }), refused(/query/));
  assert.throws(() => new VouchClient({ baseUrl: 'http://127.0.0.1:1/vouch#top' }), refused(/fragment/));
  assert.throws(() => new VouchClient({ baseUrl: 'http://127.0.0.1:1#' }), refused(/fragment/));
  // A path prefix, with or without a trailing slash, is kept.
  assert.equal(new VouchClient({ baseUrl: 'http://127.0.0.1:1/vouch/' }).baseUrl, 'http://127.0.0.1:1/vouch');
  assert.equal(new VouchClient({ baseUrl: 'http://127.0.0.1:1' }).baseUrl, 'http://127.0.0.1:1');
});
