/**
 * What a slug looks like, for refusing look-alikes (409 `SLUG_CONFUSABLE`): two slugs with one skeleton would read
 * the same on a profile page (`/verify/paypal` and `/verify/paypa1`), so only one agent may hold either.
 *
 * The table is deliberately small, so that ordinary distinct names keep apart:
 * - `-` is dropped: hyphen placement (`pay-pal`, `p-aypal`) is the cheapest disguise.
 * - digits drawn like a lowercase letter in the page's sans-serif fonts: `0`→`o`, `1`→`l`, `5`→`s`.
 * - letter pairs drawn like one letter: `rn`→`m`, `vv`→`w` (applied after the above, left to right).
 *
 * Left out on purpose: `i`/`l` (the dot tells them apart in lowercase, and folding them joins `mail` and `mall`),
 * `cl`→`d` (joins common words: `clog`/`dog`, `clip`/`dip`, `clear`/`dear`), and `2`/`3`/`4`/`6`/`7`/`8`/`9`
 * (leetspeak, not look-alikes: `8` stands taller than `b`, `2` is not drawn like `z`). The slug alphabet
 * (`^[a-z][a-z0-9-]…$`, slug.ts) has no upper case, underscore, dot or non-ASCII letter to fold.
 *
 * Stored as `agents.slug_skeleton` under a unique index (migration 0018): changing this table changes skeletons
 * already stored, so it needs a migration that recomputes that column as 0018 did.
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
  return out.replace(/rn/g, 'm').replace(/vv/g, 'w');
}

const DIGIT_AS_LETTER: Readonly<Record<string, string>> = { '0': 'o', '1': 'l', '5': 's' };
