// lib/trim.ts (base paths, issuers and public URLs lose their trailing slashes through withoutTrailing): removing only
// the last slash instead of the whole run passed every SDK test, none of which ended a URL in two slashes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trimHttpWhitespace, withoutTrailing } from '../src/lib/trim.ts';

test('withoutTrailing drops the whole trailing run, and nothing else', () => {
  assert.equal(withoutTrailing('https://vouch.example///', '/'), 'https://vouch.example');
  assert.equal(withoutTrailing('/api//v1//', '/'), '/api//v1');
  assert.equal(withoutTrailing('////', '/'), '');
  assert.equal(withoutTrailing('', '/'), '');
  assert.equal(withoutTrailing('/a', '/'), '/a');
});

test('trimHttpWhitespace drops tab, LF, CR and space runs at both ends only', () => {
  assert.equal(trimHttpWhitespace(' \t\r\n a b \n\r\t '), 'a b');
  assert.equal(trimHttpWhitespace('\u00a0a\u000b'), '\u00a0a\u000b'); // not HTTP whitespace
  assert.equal(trimHttpWhitespace(' \t '), '');
});
