import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { open, seal, StorageError } from '../../src/storage/index.ts';

const kek = randomBytes(32);
const FORMAT = /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{22}$/;

function assertSealedInvalid(fn: () => unknown, why: string): void {
  assert.throws(fn, (err: unknown) => err instanceof StorageError && err.code === 'SEALED_INVALID', why);
}

/** Flips one bit of the decoded bytes of part `index` and re-encodes it canonically. */
function flipBit(sealed: string, index: number, bit: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[index] as string, 'base64url');
  const at = Math.floor(bit / 8) % bytes.length;
  bytes[at] = (bytes[at] as number) ^ (1 << (bit % 8));
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

test('seal/open round-trips, including empty plaintext, in the v1 format with a fresh IV each time', () => {
  for (const plaintext of [Buffer.alloc(0), Buffer.from('hello'), randomBytes(1000)]) {
    const sealed = seal(kek, plaintext, 'kid-1');
    assert.match(sealed, FORMAT);
    assert.deepEqual(open(kek, sealed, 'kid-1'), plaintext);
  }
  const a = seal(kek, Buffer.from('same'), 'aad');
  const b = seal(kek, Buffer.from('same'), 'aad');
  assert.notEqual(a.split('.')[1], b.split('.')[1]);
});

test('a flipped bit in the IV, ciphertext or tag is SEALED_INVALID', () => {
  const sealed = seal(kek, randomBytes(64), 'kid-1');
  for (const part of [1, 2, 3]) {
    for (const bit of [0, 7, 13, 95])
      assertSealedInvalid(() => open(kek, flipBit(sealed, part, bit), 'kid-1'), `${part}/${bit}`);
  }
});

test('wrong AAD or wrong key is SEALED_INVALID; a KEK of the wrong size is KEK_INVALID', () => {
  const sealed = seal(kek, Buffer.from('secret'), 'kid-1');
  assertSealedInvalid(() => open(kek, sealed, 'kid-2'), 'wrong aad');
  assertSealedInvalid(() => open(kek, sealed, ''), 'empty aad');
  assertSealedInvalid(() => open(randomBytes(32), sealed, 'kid-1'), 'wrong key');
  assert.throws(() => open(Buffer.alloc(16), sealed, 'kid-1'), { code: 'KEK_INVALID' });
  assert.throws(() => seal(Buffer.alloc(31), Buffer.alloc(1), 'x'), { code: 'KEK_INVALID' });
});

test('malformed sealed strings are SEALED_INVALID', () => {
  const sealed = seal(kek, Buffer.from('secret'), 'a');
  const [, iv, ct, tag] = sealed.split('.') as [string, string, string, string];
  const malformed = [
    '',
    'v1',
    `v2.${iv}.${ct}.${tag}`,
    `V1.${iv}.${ct}.${tag}`,
    `v1.${iv}.${ct}`,
    `v1.${iv}.${ct}.${tag}.x`,
    `v1.${iv}=.${ct}.${tag}`,
    `v1.${iv}.${ct}.${tag} `,
    `v1.${iv.slice(1)}.${ct}.${tag}`,
    `v1.${iv}.${ct}.${tag.slice(2)}`,
    `v1.${iv}.${ct}+.${tag}`,
    `v1.${iv.slice(0, -1)}${iv.endsWith('A') ? 'B' : 'A'}.${ct}.${tag}`, // other bytes or non-canonical bits
    `v1.${iv}.${ct}.${tag}`.replace(/\./g, ':'),
    'v1.'.padEnd(100_000, 'A'),
  ];
  for (const text of malformed) assertSealedInvalid(() => open(kek, text, 'a'), JSON.stringify(text.slice(0, 80)));
  assertSealedInvalid(() => open(kek, 42 as unknown as string, 'a'), 'not a string');
});

test('property: round trip for any bytes and AAD; any single bit flip is refused', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 256 }),
      fc.string(),
      fc.nat(),
      fc.integer({ min: 1, max: 3 }),
      (pt, aad, bit, part) => {
        const sealed = seal(kek, pt, aad);
        assert.deepEqual(open(kek, sealed, aad), Buffer.from(pt));
        if (part === 2 && pt.length === 0) return; // empty ciphertext has no bit to flip
        assertSealedInvalid(() => open(kek, flipBit(sealed, part, bit), aad), 'flip');
      },
    ),
    { numRuns: 200 },
  );
});
