// Mutation gaps in http/text-patterns.ts: the existing display-text test samples a few spoofing characters; this one
// sends every character the patterns document as refused (C0 and C1 controls, DEL, the Arabic letter mark, the
// zero-width space, LRM/RLM, the line and paragraph separators, every bidi embedding, override and isolate, the BOM),
// checks that single-line text refuses line breaks and tabs while multi-line text keeps them, and that the
// characters at the edges of each refused range still pass.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';

const ENV = { VOUCH_LOG_LEVEL: 'silent', VOUCH_PUBLIC_URL: 'https://vouch.test' };

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const hex = (c: number): string => `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;

/** Refused in every display text, single- or multi-line. */
const INVISIBLE = [
  ...range(0x7f, 0x9f),
  0x061c,
  0x200b,
  0x200e,
  0x200f,
  ...range(0x2028, 0x202e),
  ...range(0x2066, 0x2069),
  0xfeff,
];
/** C0 controls a multi-line text may hold. */
const LINE_BREAKS = [0x09, 0x0a, 0x0d];
const C0_REFUSED_EVERYWHERE = range(0x00, 0x1f).filter((c) => !LINE_BREAKS.includes(c));
/** Neighbours of the refused ranges, and the joiners scripts and emoji need. */
const ALLOWED = [0x7e, 0xa0, 0x061b, 0x061d, 0x200a, 0x200c, 0x200d, 0x2027, 0x202f, 0x2065, 0x206a, 0xfefe, 0xff01];

eachEngine('every documented invisible or control character is refused; its neighbours pass', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: ENV });
  let n = 0;
  // Each request from its own address, so that the per-address registration limit never answers first.
  const register = (payload: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url: '/v1/identity/register',
      remoteAddress: `10.9.${(++n >> 8) & 0xff}.${n & 0xff}`,
      payload,
    });
  try {
    const before = await tableCounts(storage);
    const refused = async (field: 'name' | 'description', c: number) => {
      const res = await register({ slug: 'display-check', [field]: `a${String.fromCharCode(c)}b` });
      assert.equal(res.statusCode, 400, `${field} with ${hex(c)}: ${res.body}`);
      assert.equal(res.json().code, 'VALIDATION_FAILED', hex(c));
      assert.equal(res.json().field, `body.${field}`, hex(c));
    };
    for (const c of [...C0_REFUSED_EVERYWHERE, ...INVISIBLE]) {
      await refused('name', c);
      await refused('description', c);
    }
    // One line of text: no tab, line feed or carriage return either.
    for (const c of LINE_BREAKS) await refused('name', c);
    assert.deepEqual(await tableCounts(storage), before, 'nothing refused was written');

    for (const [i, c] of ALLOWED.entries()) {
      const text = `a${String.fromCharCode(c)}b`;
      const res = await register({ slug: `display-ok-${i}`, name: text, description: text });
      assert.equal(res.statusCode, 201, `${hex(c)}: ${res.body}`);
    }
    const lines = await register({ slug: 'display-lines', description: 'first line\r\n\tsecond line\n' });
    assert.equal(lines.statusCode, 201, lines.body);
  } finally {
    await app.close();
  }
});
