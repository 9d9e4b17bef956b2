import { VouchError } from '../errors.ts';
import type { JsonValue } from '../json/types.ts';
import { getJson, objectOf } from './fetch-json.ts';
import type { FetchLike } from './fetch-json.ts';

/**
 * Pages fetched per sync at most (1,000: half a million entries at the server's default page of 500): bounds one
 * sync against an issuer that never stops saying `has_more`. A longer backlog continues from the cursor at the next
 * sync; until one reaches the end, the list is not fresh.
 */
const MAX_PAGES_PER_SYNC = 1000;
const CURSOR = /^[0-9A-Za-z_.:-]{1,64}$/;

/**
 * A local copy of an issuer's revocation list, kept in sync through the list's cursor: each sync asks only for
 * entries after the last cursor (which the server assigns in commit order, so none is ever skipped), sends the
 * last `ETag` so an unchanged list costs a 304, and forgets entries once their token has expired.
 *
 * The copy counts as synced (`syncedAt`) only when a sync has read up to a page saying `has_more: false` (or a 304
 * confirming such a page). A sync that stops earlier — the page cap, or a cursor that does not advance — throws
 * and leaves `syncedAt` at the last complete sync, so the verifier's staleness rule applies; the entries it read are
 * kept, and the next sync continues from the cursor it reached.
 */
export class RevocationSet {
  readonly #url: string;
  readonly #fetch: FetchLike;
  readonly #timeoutMs: number;
  readonly #maxPages: number;
  readonly #revoked = new Map<string, number>();
  #cursor: string | undefined;
  #etag: string | undefined;
  /** Whether the last page read said `has_more: false`, i.e. the copy reached the end of the list. */
  #atEnd = false;
  #syncedAt: number | undefined;
  /** Entries whose token expired (ms) at or before this may have been dropped (-Infinity before any prune). */
  #prunedThrough = -Infinity;
  #inFlight: Promise<void> | undefined;

  constructor(url: string, fetchImpl: FetchLike, timeoutMs: number, maxPages = MAX_PAGES_PER_SYNC) {
    this.#url = url;
    this.#fetch = fetchImpl;
    this.#timeoutMs = timeoutMs;
    this.#maxPages = maxPages;
  }

  /** When the last sync reached the end of the list (the caller's clock), or undefined before the first did. */
  get syncedAt(): number | undefined {
    return this.#syncedAt;
  }

  get cursor(): string | undefined {
    return this.#cursor;
  }

  get size(): number {
    return this.#revoked.size;
  }

  /**
   * The latest `now - skewMs` a sync dropped entries at: an entry whose token's `exp` (ms) is at or before it may be
   * gone, its token having expired by that sync's clock. A verification that started earlier (or by a clock set back)
   * cannot read such a token's absence as "not revoked".
   */
  get prunedThrough(): number {
    return this.#prunedThrough;
  }

  has(jti: string): boolean {
    return this.#revoked.has(jti);
  }

  /** Fetches what was revoked since the last cursor; concurrent callers share one sync. */
  sync(now: number, skewMs: number): Promise<void> {
    this.#inFlight ??= this.#sync(now, skewMs).finally(() => (this.#inFlight = undefined));
    return this.#inFlight;
  }

  async #sync(now: number, skewMs: number): Promise<void> {
    try {
      for (let page = 0; page < this.#maxPages; page++) {
        const sent = this.#cursor;
        const url = sent === undefined ? this.#url : withSince(this.#url, sent);
        // The ETag is that of the last page; it can only match again once that page was the list's end.
        const etag = this.#atEnd ? this.#etag : undefined;
        const res = await getJson(
          this.#fetch,
          url,
          this.#timeoutMs,
          etag === undefined ? {} : { 'if-none-match': etag },
        );
        if (res.status === 304) {
          if (etag === undefined) {
            throw new VouchError(
              'AIP_RESPONSE_INVALID',
              'The revocation list answered 304 to an unconditional request.',
            );
          }
          this.#syncedAt = now; // the same last page again: nothing new
          return;
        }
        const { entries, cursor, hasMore } = parseRevocationPage(res.body);
        // A page that promises more must move the cursor on, or the next request would fetch it again forever.
        if (hasMore && cursor === sent) {
          throw new VouchError(
            'AIP_RESPONSE_INVALID',
            'The revocation list says it has more but its cursor did not advance.',
          );
        }
        for (const e of entries) this.#revoked.set(e.jti, e.expMs);
        this.#cursor = cursor;
        this.#etag = res.etag;
        this.#atEnd = !hasMore;
        if (!hasMore) {
          this.#syncedAt = now;
          return;
        }
      }
      throw new VouchError(
        'AIP_FETCH_FAILED',
        `The revocation list has more than ${this.#maxPages} pages of new entries; the next sync continues from its cursor.`,
      );
    } finally {
      for (const [jti, expMs] of this.#revoked) if (expMs + skewMs <= now) this.#revoked.delete(jti);
      if (now - skewMs > this.#prunedThrough) this.#prunedThrough = now - skewMs;
    }
  }
}

function withSince(url: string, cursor: string): string {
  const u = new URL(url);
  u.searchParams.set('since', cursor);
  return u.toString();
}

/**
 * One page of the revocation list, checked: a `revoked` array of `{jti, exp}` objects, a `cursor`, `has_more`
 * (anything but `true` ends the list); otherwise `AIP_RESPONSE_INVALID`.
 */
export function parseRevocationPage(body: JsonValue | undefined): {
  entries: Array<{ jti: string; expMs: number }>;
  cursor: string;
  hasMore: boolean;
} {
  const page = objectOf(body, 'revocation list');
  const list = page.revoked;
  const cursor = page.cursor;
  if (!Array.isArray(list)) throw new VouchError('AIP_RESPONSE_INVALID', 'The revocation list has no "revoked" array.');
  if (typeof cursor !== 'string' || !CURSOR.test(cursor)) {
    throw new VouchError('AIP_RESPONSE_INVALID', 'The revocation list has no valid "cursor".');
  }
  const entries = list.map((item) => {
    const e = objectOf(item, 'revocation entry');
    if (typeof e.jti !== 'string' || e.jti.length === 0 || typeof e.exp !== 'number' || !Number.isFinite(e.exp)) {
      throw new VouchError('AIP_RESPONSE_INVALID', 'A revocation entry lacks a string "jti" or a numeric "exp".');
    }
    return { jti: e.jti, expMs: e.exp * 1000 };
  });
  return { entries, cursor, hasMore: page.has_more === true };
}
