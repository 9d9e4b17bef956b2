/**
 * What a slug looks like, for refusing look-alikes (409 `SLUG_CONFUSABLE`): two slugs with one skeleton would read
 * the same on a profile page (`/verify/paypal` and `/verify/paypa1`), so only one agent may hold either.
 *
 * The table is deliberately small, so that ordinary distinct names keep apart:
 * - `-` is dropped: hyphen placement (`pay-pal`, `p-aypal`) is the cheapest disguise.
 * - digits drawn like a lowercase letter in the page's sans-serif fonts: `0`→`o`, `1`→`l`, `5`→`s`.
 * - letters drawn like another: `rn`→`m` (left to right), and a run of `v` and `w` by its width alone (`w` is two
 *   `v`s wide): as many `w` as it holds pairs of `v`, then a `v` for an odd one left. Folding `vv` into `w` left to
 *   right read `vvv` as `wv` but left `vw` as it was, so `navwar` stood beside `nawvar` (migration 0021).
 *
 * Left out on purpose: `i`/`l` (the dot tells them apart in lowercase, and folding them joins `mail` and `mall`),
 * `cl`→`d` (joins common words: `clog`/`dog`, `clip`/`dip`, `clear`/`dear`), and `2`/`3`/`4`/`6`/`7`/`8`/`9`
 * (leetspeak, not look-alikes: `8` stands taller than `b`, `2` is not drawn like `z`). The slug alphabet
 * (`^[a-z][a-z0-9-]…$`, slug.ts) has no upper case, underscore, dot or non-ASCII letter to fold.
 *
 * `1` is drawn like `l` and like `i`, so a slug with a `1` has two readings ({@link slugReadings}): every `1` as `l`
 * (this function) and every `1` as `i`. `i` and `l` themselves stay apart.
 *
 * Stored as rows of `slug_skeletons`, one per reading, a reading held by one agent at most under a unique index
 * (migration 0019): changing this table changes readings already stored, so it needs a migration that recomputes
 * those rows as 0019 did.
 *
 * @example
 * slugSkeleton('pay-pa1'); // 'paypal'
 * slugSkeleton('rnodern'); // 'modem'
 */
export function slugSkeleton(slug: string): string {
  let out = '';
  for (const c of slug) {
    if (c === '-') continue;
    out += DIGIT_AS_LETTER[c] ?? c;
  }
  return out.replace(/rn/g, 'm').replace(/[vw]+/g, vRun);
}

/** A run of `v` and `w` as its width in `v`s: `w` for each pair, then `v` for an odd one (`vw`, `wv`, `vvv`: `wv`). */
function vRun(run: string): string {
  let width = 0;
  for (const c of run) width += c === 'w' ? 2 : 1;
  return 'w'.repeat(width >> 1) + (width % 2 === 1 ? 'v' : '');
}

const DIGIT_AS_LETTER: Readonly<Record<string, string>> = { '0': 'o', '1': 'l', '5': 's' };

/**
 * The skeletons a slug reads as, at most two, sorted (so that concurrent writers take their rows in one order): its
 * {@link slugSkeleton}, which reads every `1` as `l`, and, when it has a `1`, the skeleton with every `1` read as `i`.
 * Two slugs are look-alikes when they share a reading (`m1ke` reads as `mlke` and `mike`). Bounded on purpose: mixed
 * readings (`1`s read some as `l`, some as `i`: `m11l` as `mlil`) are not covered, as they would grow as 2^n.
 *
 * @example
 * slugReadings('m1ke'); // ['mike', 'mlke']
 * slugReadings('mike'); // ['mike']
 */
export function slugReadings(slug: string): string[] {
  const asL = slugSkeleton(slug);
  if (!slug.includes('1')) return [asL];
  return [...new Set([asL, slugSkeleton(slug.replaceAll('1', 'i'))])].sort();
}
