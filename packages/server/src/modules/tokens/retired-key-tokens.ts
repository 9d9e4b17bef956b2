// What the server accepts from a retired token key. A rotation retires a key, often because it leaked, yet the JWKS
// publishes it until its last token expires (up to 24 h + skew): anyone holding it can sign. So a token signed by
// a retired key counts only if this server issued it: its jti is recorded under that kid, with the same payload
// (or, for a record older than migration 0014, the same kid, sub, type, audience, iat and exp), and its iat is not
// after the retirement. Tokens of the active key never come here: the verification hot path gains no query.
//
// The answer per jti is cached, positive or negative, and never goes stale: a retired key signs nothing new (issuance
// records its token while holding the key's row active, storage/server-keys.ts lockActiveServerKey), so once this
// process has read the key as retired, the records under it are final, in every process. Records are only pruned
// after their token expired, which the expiry check refuses first.
import { sha256HexSync } from '@vouch/sdk';
import type { VerifiedAipToken } from '@vouch/sdk';
import type { AppContext } from '../../context.ts';
import * as store from './store.ts';
import type { IssuedTokenRow } from './store.ts';
import { perApp } from '../../per-app.ts';
import { isIssuableJti } from './issued-claims.ts';

/** Answers kept per app; a full cache forgets its oldest answer (an attacker's junk costs one indexed read each). */
const MAX_ANSWERS = 10_000;

/** The SHA-256 (hex) of a compact JWS's payload segment: what issuance records and this check compares. */
export function payloadDigest(token: string): string {
  const first = token.indexOf('.');
  return sha256HexSync(token.slice(first + 1, token.indexOf('.', first + 1)));
}

export class RetiredKeyTokens {
  readonly #ctx: AppContext;
  /** jti → its record, or null when none exists. */
  readonly #answers = new Map<string, IssuedTokenRow | null>();

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  /** Whether `verified` (signed by the retired key `kid`, retired at `retiredAt` ms) is a token this server issued. */
  async wasIssued(token: string, verified: VerifiedAipToken, kid: string, retiredAt: number): Promise<boolean> {
    // Never issued, and not to be looked up or remembered: a leaked key's junk is refused, not a 500.
    if (!isIssuableJti(verified.jti)) return false;
    const row = await this.#record(verified.jti);
    if (row === null) return false;
    const iat = verified.claims.iat as number;
    // The skew: a token issued just as another process rotated may be stamped a few ms after the retirement time,
    // which that rotation took before it waited for the token's transaction.
    if (iat * 1000 > retiredAt + this.#ctx.config.clockSkewSeconds * 1000) return false;
    if (
      row.kid !== kid ||
      row.agent_did !== verified.agent ||
      row.token_type !== verified.tokenType ||
      (row.audience ?? undefined) !== verified.audience ||
      Number(row.expires_at) !== verified.expiresAt ||
      Math.floor(Number(row.issued_at) / 1000) !== iat
    ) {
      return false;
    }
    // Same jti, other claims (e.g. a fresh nonce to replay a session token): refused.
    return row.payload_sha256 === null || row.payload_sha256 === payloadDigest(token);
  }

  async #record(jti: string): Promise<IssuedTokenRow | null> {
    const known = this.#answers.get(jti);
    if (known !== undefined) return known;
    const row = (await store.findIssuedToken(this.#ctx.storage.db, jti)) ?? null;
    if (this.#answers.size >= MAX_ANSWERS) this.#answers.delete(this.#answers.keys().next().value!);
    this.#answers.set(jti, row);
    return row;
  }
}

/** The retired-key check of one app. */
export const retiredKeyTokensOf: (ctx: AppContext) => RetiredKeyTokens = perApp((ctx) => new RetiredKeyTokens(ctx));
