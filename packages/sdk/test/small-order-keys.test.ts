// Ed25519 public keys of small order and non-canonical encodings (y >= p) are refused wherever a key is parsed:
// OpenSSL verifies without the cofactor, so for such a key a fixed forged signature verifies.
// The 8 small-order points are derived here from the curve with a tiny BigInt implementation (test only).
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  decodeHex,
  encodeBase64,
  encodeBase64url,
  encodeHex,
  formatPublicKey,
  generateKeyPair,
  isVouchError,
  parsePublicKey,
  publicKeyFromRaw,
  RegistryFormatError,
  createGenesis,
  validateIssuerEntry,
  validateProposal,
  validateRegistryDocument,
} from '../src/index.ts';
import { at, entryFor, makeOrg, makeRoot, proposalFor, stateOf } from './registry-fixtures.ts';
import { throwsCode } from './vectors.ts';

// --- Edwards25519 in affine coordinates, BigInt (slow and fine for a test) ---
const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const mod = (a: bigint): bigint => ((a % P) + P) % P;
function pow(b: bigint, e: bigint): bigint {
  let r = 1n;
  b = mod(b);
  for (; e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) r = (r * b) % P;
  return r;
}
const inv = (a: bigint): bigint => pow(a, P - 2n);
const D = mod(-121665n * inv(121666n));
const SQRT_M1 = pow(2n, (P - 1n) / 4n);
type Point = readonly [bigint, bigint];
const IDENTITY: Point = [0n, 1n];

function add([x1, y1]: Point, [x2, y2]: Point): Point {
  const t = mod(D * x1 * x2 * y1 * y2);
  return [mod((x1 * y2 + x2 * y1) * inv(1n + t)), mod((y1 * y2 + x1 * x2) * inv(1n - t))];
}
function mul(k: bigint, pt: Point): Point {
  let r = IDENTITY;
  for (let q = pt; k > 0n; k >>= 1n, q = add(q, q)) if (k & 1n) r = add(r, q);
  return r;
}
const same = (a: Point, b: Point): boolean => a[0] === b[0] && a[1] === b[1];

/** RFC 8032 §5.1.3 decoding (strict: y < p, x = 0 only with the sign bit clear); undefined if it fails. */
function decodePoint(raw: Uint8Array): Point | undefined {
  let n = 0n;
  for (let i = 31; i >= 0; i--) n = (n << 8n) | BigInt(raw[i]!);
  const sign = n >> 255n;
  const y = n & ((1n << 255n) - 1n);
  if (y >= P) return undefined;
  const u = mod(y * y - 1n);
  const v = mod(D * y * y + 1n);
  let x = mod(u * pow(v, 3n) * pow(u * pow(v, 7n), (P - 5n) / 8n));
  if (mod(v * x * x) !== u) {
    if (mod(v * x * x) !== mod(-u)) return undefined;
    x = mod(x * SQRT_M1);
  }
  if (x === 0n && sign === 1n) return undefined;
  return [(x & 1n) === sign ? x : mod(-x), y];
}
/** 32 little-endian bytes of y (any value below 2^255, so also y >= p), sign bit set if asked. */
function encodeY(y: bigint, sign: boolean): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0, v = y; i < 32; i++, v >>= 8n) out[i] = Number(v & 0xffn);
  if (sign) out[31]! |= 0x80;
  return out;
}
const encodePoint = ([x, y]: Point): Uint8Array => encodeY(y, (x & 1n) === 1n);

// The list from the literature (libsodium's blocklist, with both signs; "Taming the many EdDSAs", Table 6 of
// Chalkias et al. 2020): identity, order 2, the two of order 4, the four of order 8.
const LITERATURE = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
].sort();

/** The torsion subgroup E[8], derived: [L]R for a point R with an order-8 component, and its 8 multiples. */
function deriveSmallOrderPoints(): Point[] {
  for (let y = 2n; ; y++) {
    const r = decodePoint(encodeY(y, false));
    if (r === undefined) continue;
    const t = mul(L, r); // kills the prime-order part, keeps the torsion part
    if (same(mul(4n, t), IDENTITY)) continue; // not of order 8: try another R
    return Array.from({ length: 8 }, (_, i) => mul(BigInt(i), t));
  }
}

const SMALL_ORDER = deriveSmallOrderPoints();
const SMALL_ORDER_RAW = SMALL_ORDER.map(encodePoint);
const orderOf = (pt: Point): number => [1, 2, 4, 8].find((n) => same(mul(BigInt(n), pt), IDENTITY))!;

// The other spellings of small-order points OpenSSL decodes: x = 0 with the sign bit set (y = 1 and p - 1), and
// y + p for y = 0 and 1 (p and p + 1, both signs).
const OTHER_SPELLINGS = [encodeY(1n, true), encodeY(P - 1n, true)];
// Every y from p to 2^255 - 1, with either sign: 38 encodings.
const NON_CANONICAL = Array.from({ length: 19 }, (_, i) => P + BigInt(i)).flatMap((y) => [
  encodeY(y, false),
  encodeY(y, true),
]);

const spki = (raw: Uint8Array): Uint8Array => Uint8Array.from([...decodeHex('302a300506032b6570032100'), ...raw]);
const pem = (raw: Uint8Array): string =>
  `-----BEGIN PUBLIC KEY-----\n${encodeBase64(spki(raw))}\n-----END PUBLIC KEY-----\n`;
const jwk = (raw: Uint8Array) => ({ kty: 'OKP', crv: 'Ed25519', x: encodeBase64url(raw) });

/** Every way a caller can hand the SDK an Ed25519 public key. */
function everyForm(raw: Uint8Array): [string, () => unknown][] {
  return [
    ['registry text', () => parsePublicKey(`ed25519:${encodeBase64url(raw)}`)],
    ['base64 text', () => parsePublicKey(encodeBase64(raw), { type: 'Ed25519' })],
    ['JWK object', () => parsePublicKey(jwk(raw))],
    ['JWK text', () => parsePublicKey(JSON.stringify(jwk(raw)))],
    ['SPKI DER', () => parsePublicKey(spki(raw))],
    ['PEM', () => parsePublicKey(pem(raw))],
    ['raw', () => publicKeyFromRaw('Ed25519', raw)],
  ];
}

/** What raw OpenSSL does with the forged signature R = identity, S = 0 for `raw`, over 64 messages. */
function forgeriesAccepted(raw: Uint8Array): number {
  const key = createPublicKey({ key: { ...jwk(raw) }, format: 'jwk' });
  const sig = Buffer.concat([encodeY(1n, false), Buffer.alloc(32)]);
  let ok = 0;
  for (let i = 0; i < 64; i++) if (verify(null, Buffer.from(`message ${i}`), key, sig)) ok++;
  return ok;
}

describe('Ed25519 points of small order', () => {
  test('derived from the curve: 8 distinct points, [8]P = identity, orders 1, 2, 4, 4, 8, 8, 8, 8', () => {
    assert.equal(new Set(SMALL_ORDER_RAW.map(encodeHex)).size, 8);
    for (const [i, pt] of SMALL_ORDER.entries()) {
      assert.ok(same(mul(8n, pt), IDENTITY), `point ${i}`);
      // each encoding is canonical: it decodes back to the same point
      assert.ok(same(decodePoint(SMALL_ORDER_RAW[i]!)!, pt), `point ${i}`);
    }
    assert.deepEqual(SMALL_ORDER.map(orderOf).sort(), [1, 2, 4, 4, 8, 8, 8, 8]);
    // The curve group is Z/8 x Z/L, so no other point has [8]P = identity: the list is complete.
    assert.deepEqual(SMALL_ORDER_RAW.map(encodeHex).sort(), LITERATURE);
    for (const raw of SMALL_ORDER_RAW)
      throwsCode(() => publicKeyFromRaw('Ed25519', raw), 'INVALID_KEY', encodeHex(raw));
  });

  test('the attack: raw node:crypto accepts the forged signature (R = identity, S = 0); the SDK refuses the key', () => {
    for (const [i, raw] of SMALL_ORDER_RAW.entries()) {
      const accepted = forgeriesAccepted(raw);
      const order = orderOf(SMALL_ORDER[i]!);
      // identity: every message; order n: the messages whose k is a multiple of n
      if (order === 1) assert.equal(accepted, 64, encodeHex(raw));
      else assert.ok(accepted > 0 && accepted < 64, `${encodeHex(raw)} (order ${order}): ${accepted}/64`);
    }
    // OpenSSL also takes the other spellings of the identity: every message verifies
    assert.equal(forgeriesAccepted(encodeY(1n, true)), 64);
    assert.equal(forgeriesAccepted(encodeY(P + 1n, false)), 64);
    assert.equal(forgeriesAccepted(encodeY(P + 1n, true)), 64);
    assert.ok(forgeriesAccepted(encodeY(P, false)) > 0);
    for (const raw of [
      ...SMALL_ORDER_RAW,
      encodeY(1n, true),
      encodeY(P + 1n, false),
      encodeY(P + 1n, true),
      encodeY(P, false),
    ]) {
      throwsCode(() => parsePublicKey(jwk(raw)), 'INVALID_KEY', encodeHex(raw));
    }
  });

  test('each of the 8 and their other spellings is refused in every input form; near misses still parse', async () => {
    for (const raw of [...SMALL_ORDER_RAW, ...OTHER_SPELLINGS]) {
      for (const [form, parse] of everyForm(raw)) {
        assert.throws(parse, (e: unknown) => {
          assert.ok(isVouchError(e, 'INVALID_KEY'), `${form} ${encodeHex(raw)}: ${String(e)}`);
          assert.match(e.message, /small order/);
          return true;
        });
      }
    }
    const generated = await generateKeyPair('Ed25519');
    const nearMisses = [
      formatPublicKey(generated.publicKey, 'raw'),
      encodeY(2n, false),
      encodeY(P - 2n, false), // the largest canonical y but p - 1
      encodeY(P - 2n, true),
      Uint8Array.from(
        SMALL_ORDER_RAW.find((r) => r[0] === 0x26)!,
        (b, i) => (i === 0 ? b ^ 1 : b),
      ),
    ];
    for (const raw of nearMisses) {
      for (const [form, parse] of everyForm(raw)) {
        const key = parse() as Parameters<typeof formatPublicKey>[0];
        assert.deepEqual(formatPublicKey(key, 'raw'), raw, form);
      }
    }
  });

  test('all 38 non-canonical encodings (y = p .. 2^255 - 1, either sign) are refused in every form', () => {
    assert.equal(NON_CANONICAL.length, 38);
    for (const raw of NON_CANONICAL) {
      assert.equal(decodePoint(raw), undefined, 'RFC 8032 decoding fails for y >= p');
      for (const [form, parse] of everyForm(raw)) {
        assert.throws(parse, (e: unknown) => {
          assert.ok(isVouchError(e, 'INVALID_KEY'), `${form} ${encodeHex(raw)}: ${String(e)}`);
          assert.match(e.message, /not canonically encoded/);
          return true;
        });
      }
    }
  });

  test('a registry issuer, proposal or root key of small order or non-canonical is REGISTRY_INVALID at its field', async () => {
    const [acme, bravo, charlie, root] = await Promise.all([
      makeOrg('acme'),
      makeOrg('bravo'),
      makeOrg('charlie'),
      makeRoot(),
    ]);
    const genesis = await createGenesis({
      rootKey: root.privateKey,
      issuers: [acme, bravo, charlie].map((o) => entryFor(o)),
      threshold: 2,
      now: at(1),
    });
    const refusedAt = (fn: () => unknown, field: string): void => {
      assert.throws(fn, (e: unknown) => {
        assert.ok(e instanceof RegistryFormatError, String(e));
        assert.equal(e.code, 'REGISTRY_INVALID');
        assert.equal(e.field, field);
        return true;
      });
    };
    for (const raw of [...SMALL_ORDER_RAW, ...OTHER_SPELLINGS, ...NON_CANONICAL]) {
      const publicKey = `ed25519:${encodeBase64url(raw)}`;
      refusedAt(() => validateIssuerEntry({ ...entryFor(acme), publicKey }), 'publicKey');
      const add = proposalFor(stateOf(genesis), { action: 'add', entry: entryFor(acme, { id: 'mallory' }) });
      refusedAt(() => validateProposal({ ...add, entry: { ...add.entry, publicKey } }), 'entry.publicKey');
      const [step, ...rest] = genesis.governance;
      refusedAt(
        () => validateRegistryDocument({ ...genesis, governance: [{ ...step, rootKey: publicKey }, ...rest] }),
        'governance[0].rootKey',
      );
    }
  });
});
