// The bounded caches of parsed public keys (crypto/node.ts, crypto/webcrypto.ts: 4096 entries each) rest on lruGet,
// which no test called: letting the map reach max + 1 entries (`size > max`), or not moving a hit to the end (first
// in, first out instead of least recently used) left every SDK test passing. These pin its order and its bound.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lruGet } from '../src/lib/lru.ts';

test('lruGet stores a miss, answers a hit without make(), and drops the least recently used entry at max', () => {
  const map = new Map<string, string>();
  const made: string[] = [];
  const get = (id: string) =>
    lruGet(map, id, 3, () => {
      made.push(id);
      return `v:${id}`;
    });
  assert.equal(get('a'), 'v:a');
  get('b');
  get('c');
  assert.deepEqual([...map.keys()], ['a', 'b', 'c']);
  // A hit: no make(), and 'a' becomes the most recently used.
  assert.equal(get('a'), 'v:a');
  assert.deepEqual(made, ['a', 'b', 'c']);
  assert.deepEqual([...map.keys()], ['b', 'c', 'a']);
  // A miss at max drops 'b', the least recently used (not 'a', the first stored).
  get('d');
  assert.deepEqual([...map.keys()], ['c', 'a', 'd']);
  assert.equal(map.has('b'), false);
  get('b');
  assert.deepEqual(made, ['a', 'b', 'c', 'd', 'b']);
  assert.deepEqual([...map.keys()], ['a', 'd', 'b']);
});

test('lruGet never holds more than max entries', () => {
  const map = new Map<string, number>();
  for (let i = 0; i < 1000; i++) {
    lruGet(map, String(i % 3 === 0 ? 0 : i), 5, () => i);
    assert.ok(map.size <= 5, `size ${map.size} after ${i}`);
  }
  assert.equal(map.size, 5);
  // Entry 0, asked for every third time, was kept throughout with its first value.
  assert.equal(map.get('0'), 0);
});
