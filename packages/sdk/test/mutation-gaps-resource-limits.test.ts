// The length bound of a resource pattern (512 characters, docs/PROTOCOL.md "Resources, actions, scopes"), found by
// mutation testing: no test noticed it raised by one. A pattern of 16 segments fits 1,039 characters, so the length is
// its own bound; one character over is no pattern, so it covers nothing and no scope or token can name it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RESOURCE_LIMITS, isResourcePattern, parseScopeEntry, resourceCovers, scopeAllows } from '../src/index.ts';

/** A valid pattern of exactly `length` characters (`length` ≥ 66): 64-character segments, then a shorter last one. */
function patternOf(length: number, last = ''): string {
  const segs: string[] = [];
  let used = 0;
  while (length - used > 65 + last.length) {
    segs.push('s'.repeat(64));
    used += 65;
  }
  const tail = 'e'.repeat(length - used - last.length) + last;
  return [...segs, tail].join(':');
}

test('a resource pattern is at most 512 characters, as the protocol says', () => {
  assert.equal(RESOURCE_LIMITS.maxLength, 512);
  const longest = patternOf(512);
  const over = patternOf(513);
  assert.equal(longest.length, 512);
  assert.equal(over.length, 513);
  assert.ok(over.split(':').length <= RESOURCE_LIMITS.maxSegments, 'only the length is over');
  assert.equal(isResourcePattern(longest), true);
  assert.equal(isResourcePattern(over), false);
  // One over covers nothing, not even itself, and is covered by nothing, not even `*`.
  assert.equal(resourceCovers(over, over), false);
  assert.equal(resourceCovers('*', over), false);
  assert.equal(resourceCovers('*', longest), true);
  assert.equal(parseScopeEntry(`${over}:read`), undefined);
  assert.equal(scopeAllows(['*:read'], over, 'read'), false);
});
