// Agent credentials: a compact JWS (`typ: agent-credential+jwt`, `kid`: the issuer id) by which a registry issuer
// vouches for one of its agents, checked against the issuer's key in a verified registry document.
import { VouchError } from '../errors.ts';
import { encodeBase64url } from '../encoding/base64url.ts';
import { encodeUtf8 } from '../encoding/utf8.ts';
import { getDefaultCrypto } from '../crypto/default.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import { signatureCacheInternal, type SignatureCache } from '../jwt/signature-cache.ts';
import type { PrivateKey, PublicKey } from '../keys/key.ts';
import { formatPublicKey } from '../keys/format.ts';
import { parsePublicKey } from '../keys/parse-public.ts';
import { checkIssuer } from '../registry/check-issuer.ts';
import type { IssuerEntry, RegistryDocument } from '../registry/types.ts';
import { parseScopeEntry, scopeAllows, isResourcePattern, isAction } from './resource.ts';
import {
  ed25519Verifies,
  isId,
  isSeconds,
  issuerKeyLapse,
  issuerKeyThumbprint,
  issuerPublicKey,
  parseEd25519Jws,
  signEd25519Jws,
  signingMs,
} from './lib.ts';
import { AGENT_CREDENTIAL_TYP, type AgentCredentialClaims } from './types.ts';
import { nowSecondsOf, secondsOption } from '../lib/time-options.ts';

/** Most scope entries a credential may carry. */
export const MAX_SCOPE_ENTRIES = 64;

export interface SignAgentCredentialInput {
  /** The registry issuer id (the credential's `iss` and header `kid`). */
  issuerId: string;
  /** The agent id (`sub`). */
  agentId: string;
  /** `"<resource>:<action>"` entries; absent: any resource and action. */
  scope?: readonly string[];
  /** The agent's own Ed25519 public key: tokens from this credential then need the agent's proof of possession. */
  agentKey?: PublicKey;
  /** Lifetime in seconds. */
  ttlSeconds: number;
  /** Issuance time (ms or Date); default now. */
  now?: number | Date;
  crypto?: CryptoProvider;
}

/**
 * Issues an agent credential signed with the issuer's registry key (Ed25519). A credential that would be longer than
 * the verifiers read (`MAX_TOKEN_LENGTH`, 8192 characters: a long scope list) is `INVALID_ARGUMENT`, never signed.
 *
 * @example
 * ```ts
 * const credential = await signAgentCredential(
 *   { issuerId: 'acme', agentId: 'agent:my-assistant:v1', scope: ['payments:invoices:read'], ttlSeconds: 86400 },
 *   acmeKey,
 * );
 * ```
 */
export async function signAgentCredential(input: SignAgentCredentialInput, issuerKey: PrivateKey): Promise<string> {
  if (typeof input !== 'object' || input === null) {
    throw new VouchError(
      'INVALID_ARGUMENT',
      'signAgentCredential needs an input with issuerId, agentId and ttlSeconds.',
    );
  }
  if (issuerKey?.type !== 'Ed25519') throw new VouchError('INVALID_ARGUMENT', 'A registry issuer key is Ed25519.');
  if (!isId(input.issuerId, 64)) throw new VouchError('INVALID_ARGUMENT', 'issuerId must be a registry issuer id.');
  if (!isId(input.agentId)) throw new VouchError('INVALID_ARGUMENT', 'agentId must be 1 to 256 characters.');
  if (!Number.isSafeInteger(input.ttlSeconds) || input.ttlSeconds <= 0) {
    throw new VouchError('INVALID_ARGUMENT', 'ttlSeconds must be a positive whole number.');
  }
  const claims: AgentCredentialClaims = { iss: input.issuerId, sub: input.agentId, iat: 0, exp: 0 };
  claims.iat = Math.floor(signingMs(input.now) / 1000);
  claims.exp = claims.iat + input.ttlSeconds;
  if (!isSeconds(claims.exp)) throw new VouchError('INVALID_ARGUMENT', 'ttlSeconds reaches past the latest time.');
  if (input.scope !== undefined) {
    if (input.scope.length === 0 || input.scope.length > MAX_SCOPE_ENTRIES) {
      throw new VouchError('INVALID_ARGUMENT', `scope holds 1 to ${MAX_SCOPE_ENTRIES} entries.`);
    }
    for (const e of input.scope) {
      if (parseScopeEntry(e) === undefined) {
        throw new VouchError('INVALID_ARGUMENT', `Scope entry ${JSON.stringify(e)} is not "<resource>:<action>".`);
      }
    }
    claims.scope = [...input.scope];
  }
  if (input.agentKey !== undefined) {
    // null too: a key meant to be bound that is missing must not give an unbound credential.
    if (input.agentKey?.type !== 'Ed25519') throw new VouchError('INVALID_ARGUMENT', 'agentKey must be Ed25519.');
    const { x } = formatPublicKey(input.agentKey, 'jwk') as { x: string };
    claims.cnf = { jwk: { kty: 'OKP', crv: 'Ed25519', x } };
  }
  const crypto = input.crypto ?? getDefaultCrypto();
  return signEd25519Jws(
    { typ: AGENT_CREDENTIAL_TYP, kid: input.issuerId },
    { ...claims },
    (data) => crypto.sign('EdDSA', issuerKey, data),
    'credential',
  );
}

export interface VerifyAgentCredentialOptions {
  /** A registry document that `verifyRegistry` accepted (the one in force). */
  registry: RegistryDocument;
  /** Reference time in ms. */
  now: number;
  /** When given, `sub` must equal it. */
  agentId?: string;
  /** When given (with `action`), the scope must allow it. */
  resource?: string;
  action?: string;
  /** Allowance for disagreeing clocks, seconds (default 60). */
  clockSkewSeconds?: number;
  /**
   * Good signatures already checked ({@link createSignatureCache}): a credential presented again skips its
   * signature check; every other check runs again.
   */
  signatureCache?: SignatureCache;
  crypto?: CryptoProvider;
}

/** What a verified credential says, and what a capability token records of it. */
export interface VerifiedAgentCredential {
  claims: AgentCredentialClaims;
  /** The issuer's registry entry. */
  issuer: IssuerEntry;
  /** RFC 7638 thumbprint of the issuer key that signed it (`ikt`). */
  issuerKeyThumbprint: string;
  /** base64url SHA-256 of the compact credential (`cth`). */
  hash: string;
  /** The key the credential binds (`cnf.jwk`), if any. */
  agentKey?: PublicKey;
}

function invalid(message: string): VouchError {
  return new VouchError('CREDENTIAL_INVALID', message);
}

/** Strictly reads credential claims: exactly the known members, each of the right type. */
function readClaims(p: Record<string, unknown>): { claims: AgentCredentialClaims; agentKey?: PublicKey } {
  for (const k of Object.keys(p)) {
    if (!['iss', 'sub', 'iat', 'exp', 'scope', 'cnf'].includes(k)) throw invalid(`Unknown credential claim "${k}".`);
  }
  if (!isId(p.iss, 64)) throw invalid('The credential "iss" is not an issuer id.');
  if (!isId(p.sub)) throw invalid('The credential "sub" is not an agent id.');
  if (!isSeconds(p.iat) || !isSeconds(p.exp) || p.exp <= p.iat) {
    throw invalid('The credential "iat" and "exp" must be whole seconds with exp after iat.');
  }
  const claims: AgentCredentialClaims = { iss: p.iss, sub: p.sub, iat: p.iat, exp: p.exp };
  if (p.scope !== undefined) {
    const s = p.scope;
    if (!Array.isArray(s) || s.length === 0 || s.length > MAX_SCOPE_ENTRIES || !s.every((e) => parseScopeEntry(e))) {
      throw invalid('The credential "scope" is not a list of "<resource>:<action>" entries.');
    }
    claims.scope = s as string[];
  }
  let agentKey: PublicKey | undefined;
  if (p.cnf !== undefined) {
    const jwk = (p.cnf as { jwk?: unknown } | null)?.jwk as Record<string, unknown> | undefined;
    const keys = jwk !== null && typeof jwk === 'object' ? Object.keys(jwk).sort().join(',') : '';
    if (keys !== 'crv,kty,x' || Object.keys(p.cnf as object).length !== 1) {
      throw invalid('The credential "cnf" must be {jwk: {kty, crv, x}}.');
    }
    try {
      agentKey = parsePublicKey(jwk!, { type: 'Ed25519' });
    } catch {
      throw invalid('The credential "cnf.jwk" is not an Ed25519 public key.');
    }
    claims.cnf = { jwk: { kty: 'OKP', crv: 'Ed25519', x: jwk!.x as string } };
  }
  return agentKey === undefined ? { claims } : { claims, agentKey };
}

/**
 * Verifies an agent credential against the registry in force, in this order: strict JWS form (`EdDSA`, `typ`,
 * `kid`) and claims; the issuer named by `kid` (= `iss`) is active (`UNKNOWN_ISSUER`, `ISSUER_REVOKED`); the
 * signature by the issuer's current key (after a key rotation, credentials signed with the old key fail here, and
 * so do credentials signed before the issuer's removal or a rotation away, once governance puts that key back);
 * `exp`/`iat` with the skew (`CREDENTIAL_EXPIRED`); `sub` (`SUBJECT_MISMATCH`); scope (`SCOPE_VIOLATION`).
 * Anything else malformed or forged: `CREDENTIAL_INVALID`.
 *
 * @example
 * ```ts
 * const v = await verifyAgentCredential(credential, { registry: doc, now: Date.now(), agentId, resource, action });
 * ```
 */
export async function verifyAgentCredential(
  credential: string,
  options: VerifyAgentCredentialOptions,
): Promise<VerifiedAgentCredential> {
  if (typeof options !== 'object' || options === null) {
    throw new VouchError('INVALID_ARGUMENT', 'verifyAgentCredential needs options with registry and now.');
  }
  const cache = signatureCacheInternal(options.signatureCache);
  const { jws, payload } = parseEd25519Jws(credential, AGENT_CREDENTIAL_TYP, 'CREDENTIAL_INVALID', 'credential');
  const { claims, agentKey } = readClaims(payload);
  if (jws.header.kid !== claims.iss) throw invalid('The credential header kid is not its issuer "iss".');
  const found = checkIssuer(options.registry, claims.iss);
  if (found.status === 'unknown') {
    throw new VouchError('UNKNOWN_ISSUER', `Issuer ${claims.iss} is not in the trust registry.`);
  }
  if (found.status === 'revoked') {
    throw new VouchError('ISSUER_REVOKED', `Issuer ${claims.iss} has been removed from the trust registry.`);
  }
  const crypto = options.crypto ?? getDefaultCrypto();
  if (!(await ed25519Verifies(jws, issuerPublicKey(found.issuer), crypto, cache, credential))) {
    throw invalid(`The credential is not signed by the current registry key of ${claims.iss}.`);
  }
  const now = nowSecondsOf(options.now);
  const skew = secondsOption(options.clockSkewSeconds, 60, 'clockSkewSeconds');
  if (now - skew >= claims.exp) throw new VouchError('CREDENTIAL_EXPIRED', 'The credential has expired.');
  if (now + skew < claims.iat) throw invalid('The credential claims to be issued in the future.');
  // The same key again is not enough: signed before the issuer was removed (or that key rotated away), a credential
  // stays refused when governance re-admits the issuer (or rotates back); the lapse may have been for a leak.
  const lapse = issuerKeyLapse(options.registry, found.issuer);
  if (lapse !== undefined && claims.iat * 1000 <= lapse.at) {
    if (lapse.removed) {
      throw new VouchError(
        'ISSUER_REVOKED',
        `Issuer ${claims.iss} was removed from the trust registry after the credential was issued.`,
      );
    }
    throw invalid(`The credential was signed before ${claims.iss} rotated its registry key away and back.`);
  }
  if (options.agentId !== undefined && claims.sub !== options.agentId) {
    throw new VouchError('SUBJECT_MISMATCH', 'The credential was issued to another agent.');
  }
  if (options.resource !== undefined || options.action !== undefined) {
    const { resource, action } = options;
    if (!isResourcePattern(resource) || !isAction(action) || !scopeAllows(claims.scope, resource, action)) {
      throw new VouchError('SCOPE_VIOLATION', "The credential's scope does not allow this resource and action.");
    }
  }
  const hash = encodeBase64url(await crypto.sha256(encodeUtf8(credential)));
  const out: VerifiedAgentCredential = {
    claims,
    issuer: found.issuer,
    issuerKeyThumbprint: await issuerKeyThumbprint(found.issuer),
    hash,
  };
  if (agentKey !== undefined) out.agentKey = agentKey;
  return out;
}
