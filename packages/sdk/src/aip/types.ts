// Agent Identity Protocol (AIP, seed 004) constants and shapes, shared by the server, the CLI and the offline
// verifier. No node:* import anywhere under aip/: the verifier runs in browsers too.
import type { JwsHeader, JwtClaims } from '../jwt/types.ts';

/** The `protocol` member of the discovery document. */
export const AIP_PROTOCOL = 'agent-identity-v2';

/** Where the discovery document lives, relative to the issuer URL. */
export const AIP_DISCOVERY_PATH = '/.well-known/agent-registry.json';

/** Identity: "I am this agent" (not audience-bound). Session: a scoped interaction with one audience. */
export type AipTokenType = 'identity' | 'session';

export const AIP_TOKEN_TYPES: readonly AipTokenType[] = Object.freeze(['identity', 'session']);

/** Header `typ` per token type, distinct so that one type never passes as the other. */
export const AIP_TYP: Readonly<Record<AipTokenType, string>> = Object.freeze({
  identity: 'agent-identity+jwt',
  session: 'agent-session+jwt',
});

/** Lifetimes a token may be issued with, in seconds. */
export const AIP_EXPIRES_IN = Object.freeze({ '1h': 3600, '6h': 21_600, '12h': 43_200, '24h': 86_400 } as const);
export type AipExpiresIn = keyof typeof AIP_EXPIRES_IN;

/** Default lifetime per token type (the seed's table: identity 24 h, session 1 h). */
export const AIP_DEFAULT_EXPIRES_IN: Readonly<Record<AipTokenType, AipExpiresIn>> = Object.freeze({
  identity: '24h',
  session: '1h',
});

/** The namespaced (private) claims, each named `<iss>/claims/<name>`. */
export type AipClaim = 'deployer' | 'model_providers' | 'framework' | 'token_type';

/**
 * The full name of a namespaced claim: `<issuer>/claims/<name>`.
 *
 * @example
 * ```ts
 * aipClaimName('https://vouch.example', 'token_type'); // 'https://vouch.example/claims/token_type'
 * ```
 */
export function aipClaimName(issuer: string, name: AipClaim): string {
  return `${issuer}/claims/${name}`;
}

/** A verified agent token, with the namespaced claims read out. */
export interface VerifiedAipToken {
  header: JwsHeader;
  claims: JwtClaims;
  tokenType: AipTokenType;
  /** `sub`: the agent's DID. */
  agent: string;
  jti: string;
  /** `exp` in milliseconds since the epoch. */
  expiresAt: number;
  /** Session tokens only. */
  audience?: string;
  nonce?: string;
  deployer?: string;
  modelProviders?: string[];
  framework?: string;
}

/** The seed's verify answer: `{valid: true, claims}` or `{valid: false, error, code}`. */
export type AipCheckResult = { valid: true; claims: JwtClaims } | { valid: false; error: string; code: string };

/** One entry of `GET /api/registry/revocations`. */
export interface AipRevocation {
  jti: string;
  /** ISO-8601. */
  revoked_at: string;
  /** The revoked token's `exp`, in seconds since the epoch. */
  exp: number;
  reason: string | null;
}
