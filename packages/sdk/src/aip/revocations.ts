import { VouchError } from '../errors.ts';
import type { JsonValue } from '../json/types.ts';
import { getJson, objectOf } from './fetch-json.ts';
import type { FetchLike } from './fetch-json.ts';

/** Pages fetched per sync at most; a longer backlog continues at the next sync. */
const MAX_PAGES_PER_SYNC = 100;
const CURSOR = /^[0-9A-Za-z_.:-]{1,64}$/;

/**
 * A local copy of an issuer's revocation list, kept in sync through the list's cursor: each sync asks only for
 * entries after the last cursor (which the server assigns in commit order, so none is ever skipped), sends the
 * last `ETag` so an unchanged list costs a 304, and forgets entries once their token has expired.
 */
export class RevocationSet {
  readonly #url: string;
  readonly #fetch: FetchLike;
  readonly #timeoutMs: number;
  readonly #revoked = new Map<string, number>();
  #cursor: string | undefined;
  #etag: string | undefined;
  #syncedAt: number | undefined;
  #inFlight: Promise<void> | undefined;

  constructor(url: string, fetchImpl: FetchLike, timeoutMs: number) {
    this.#url = url;
    this.#fetch = fetchImpl;
    this.#timeoutMs = timeoutMs;
  }

  /** When the last sync succeeded (the caller's clock), or undefined before the first. */
  get syncedAt(): number | undefined {
    return this.#syncedAt;
  }

  get cursor(): string | undefined {
    return this.#cursor;
  }

  get size(): number {
    return this.#revoked.size;
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
    for (let page = 0; page < MAX_PAGES_PER_SYNC; page++) {
      const url = this.#cursor === undefined ? this.#url : withSince(this.#url, this.#cursor);
      const headers: Record<string, string> = {};
      if (this.#etag !== undefined) headers['if-none-match'] = this.#etag;
      const res = await getJson(this.#fetch, url, this.#timeoutMs, headers);
      if (res.status === 304) break;
      const { entries, cursor, hasMore } = parsePage(res.body);
      for (const e of entries) this.#revoked.set(e.jti, e.expMs);
      this.#cursor = cursor;
      this.#etag = res.etag;
      if (!hasMore || entries.length === 0) break;
    }
    for (const [jti, expMs] of this.#revoked) if (expMs + skewMs <= now) this.#revoked.delete(jti);
    this.#syncedAt = now;
  }
}

function withSince(url: string, cursor: string): string {
  const u = new URL(url);
  u.searchParams.set('since', cursor);
  return u.toString();
}

function parsePage(body: JsonValue | undefined): {
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
