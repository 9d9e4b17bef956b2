import type { CallOptions } from './http.ts';
import { Api, answerBody, requiredInput } from './api.ts';
import { errorFromResponse } from './errors.ts';
import { ROUTES } from './routes.ts';
import { decodeJwt } from '../jwt/decode.ts';
import type { AipCheckResult, AipTokenType } from '../aip/types.ts';
import type { Jwks } from '../jwt/keys.ts';
import type { AipIssued, AipIssueInput, Answer, RevocationPage } from './types.ts';

/** Agent identity tokens (AIP): discovery, keys, issue, verify, revoke, the revocation list. */
export class TokensApi extends Api {
  /** `GET /.well-known/agent-registry.json`: the discovery document (cache it for `verifyToken`). */
  discovery(options?: CallOptions): Promise<Answer<{ issuer: string; keys: Array<Record<string, unknown>> }>> {
    return this.send(ROUTES.aipDiscovery, {}, options);
  }

  /** `GET /.well-known/jwks.json`: the ES256 token keys. */
  jwks(options?: CallOptions): Promise<Jwks> {
    return this.send(ROUTES.aipJwks, {}, options);
  }

  /** `GET /api/registry/agents`: registered agents a page at a time. */
  agents(
    query: { after?: string; limit?: number } = {},
    options?: CallOptions,
  ): Promise<Answer<{ agents: Array<Record<string, unknown>>; next: string | null }>> {
    return this.send(ROUTES.aipAgents, { query }, options);
  }

  /** `GET /api/registry/spec`: the protocol specification as Markdown. */
  spec(options?: CallOptions): Promise<string> {
    return this.send(ROUTES.aipSpec, {}, options);
  }

  /**
   * `POST /api/registry/issue`: a token for an agent. Sent with no credential unless `options.as` names one: the
   * agent proves itself with `proof` (see `requestToken`); pass `{as: 'admin'}` or `{as: 'owner'}` otherwise.
   */
  issue(input: AipIssueInput, options?: CallOptions): Promise<Answer<AipIssued>> {
    return this.send(ROUTES.aipIssue, { body: { ...input } }, options);
  }

  /**
   * `POST /api/registry/verify`: the server's verdict, `{valid: true, claims}` or `{valid: false, error, code}`.
   * `token_type` requires that type (a session token forwarded by its audience never passes for an identity token).
   *
   * Retried after a lost answer like any idempotent call, except when it may consume a nonce: sent with a credential
   * (`options.as`, as the audience may verify) and a token that carries `nonce` (or does not decode). The lost attempt
   * may have consumed it, and a retry would answer `NONCE_REPLAYED` for a token that was valid; such a call is sent
   * once and fails with `NETWORK_ERROR` / `REQUEST_TIMEOUT` instead. A wrong admin or integrator key throws
   * `UNAUTHORIZED` (status 401), never an anonymous verdict that would leave the nonce unconsumed.
   */
  async verify(
    input: { token: string; audience?: string; nonce?: string; token_type?: AipTokenType },
    options?: CallOptions,
  ): Promise<AipCheckResult> {
    requiredInput(input, 'tokens.verify needs an input object with a token.');
    const once = mayConsumeNonce(input.token, options);
    const res = await this.http.call<AipCheckResult>(
      ROUTES.aipVerify,
      { body: input, accept: [401], ...(once ? { idempotent: false } : {}) },
      options,
    );
    // 401 is a verdict only in the verify shape; any other 401 (e.g. a bad credential) is an error.
    if (res.status === 401 && (res.body as { valid?: unknown } | undefined)?.valid !== false) {
      throw errorFromResponse('POST', ROUTES.aipVerify.path, 401, res.body, undefined);
    }
    return answerBody(ROUTES.aipVerify, {}, res);
  }

  /** `POST /api/registry/revoke` (admin or owner): revoke a token by `jti` or by the token itself. */
  revoke(
    input: { jti: string; reason?: string } | { token: string; reason?: string },
    options?: CallOptions,
  ): Promise<{ revoked: true; jti: string }> {
    return this.send(ROUTES.aipRevoke, { body: input }, options);
  }

  /** `GET /api/registry/revocations`: revoked tokens after `since` (a cursor or ISO time). */
  revocations(query: { since?: string; limit?: number } = {}, options?: CallOptions): Promise<RevocationPage> {
    return this.send(ROUTES.aipRevocations, { query }, options);
  }
}

/**
 * Whether verifying `token` with these options may consume its nonce at the server: only an authenticated caller's
 * verify does (the route's credentials are all optional, so one is sent only when `as` names it), and only for a token
 * with a nonce. A token that does not decode is counted as one with a nonce: its verdict does not need a retry.
 */
function mayConsumeNonce(token: unknown, options: CallOptions | undefined): boolean {
  if (options?.as === undefined || options.as === 'none') return false;
  try {
    return decodeJwt(token as string).claims.nonce !== undefined;
  } catch {
    return true;
  }
}
