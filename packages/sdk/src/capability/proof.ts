// Proofs of possession: when an agent credential binds the agent's key (`cnf.jwk`), whoever asks for a capability
// token (or a delegated one) also sends the agent's compact JWS over `{agentId, resource, action, iat}`, fresh
// within 60 s. And the issuer's own request to revoke a token bound to it: a JWS `{jti, iat}` by its registry key.
import { VouchError } from '../errors.ts';
import { getDefaultCrypto } from '../crypto/default.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import type { PrivateKey, PublicKey } from '../keys/key.ts';
import { jwkThumbprint } from '../keys/thumbprint.ts';
import { checkIssuer } from '../registry/check-issuer.ts';
import type { RegistryDocument } from '../registry/types.ts';
import {
  ed25519Verifies,
  isId,
  isSeconds,
  issuerPublicKey,
  parseEd25519Jws,
  signEd25519Jws,
  signingMs,
} from './lib.ts';
import { CAPABILITY_PROOF_TYP, CAPABILITY_REVOCATION_TYP, PROOF_MAX_AGE_SECONDS } from './types.ts';
import { nowSecondsOf, secondsOption } from '../lib/time-options.ts';

/** Options of the proof signers: the signing time (ms or a Date; default now) and the provider. */
interface SignerOptions {
  now?: number | Date;
  crypto?: CryptoProvider;
}

/** Optional options: null means the defaults, as absent (settings read from JSON); any other non-object is refused. */
function signerOptions(given: unknown, name: string): SignerOptions {
  if (given === undefined || given === null) return {};
  if (typeof given !== 'object') throw new VouchError('INVALID_ARGUMENT', `${name} options may hold now and crypto.`);
  return given as SignerOptions;
}

/** Whether `input` is an object whose `names` members are non-empty strings. */
function hasStrings(input: unknown, names: readonly string[]): boolean {
  if (typeof input !== 'object' || input === null) return false;
  const record = input as Record<string, unknown>;
  return names.every((n) => typeof record[n] === 'string' && record[n] !== '');
}

export interface CapabilityProofInput {
  agentId: string;
  resource: string;
  action: string;
}

/**
 * The agent's proof of possession for `POST /v1/tokens` or `/v1/tokens/delegate`: an EdDSA JWS (header `kid`: the
 * key's RFC 7638 thumbprint) over `{agentId, resource, action, iat}`.
 *
 * @example
 * ```ts
 * const proof = await signCapabilityProof({ agentId, resource: 'payments:invoices', action: 'read' }, agentKey);
 * ```
 */
export async function signCapabilityProof(
  input: CapabilityProofInput,
  agentKey: PrivateKey,
  given?: { now?: number | Date; crypto?: CryptoProvider },
): Promise<string> {
  const options = signerOptions(given, 'signCapabilityProof');
  if (!hasStrings(input, ['agentId', 'resource', 'action'])) {
    throw new VouchError('INVALID_ARGUMENT', 'A capability proof needs agentId, resource and action strings.');
  }
  if (agentKey?.type !== 'Ed25519') throw new VouchError('INVALID_ARGUMENT', 'The agent key must be Ed25519.');
  const crypto = options.crypto ?? getDefaultCrypto();
  const kid = await jwkThumbprint(agentKey, crypto);
  const payload = {
    agentId: input.agentId,
    resource: input.resource,
    action: input.action,
    iat: Math.floor(signingMs(options.now) / 1000),
  };
  return signEd25519Jws(
    { typ: CAPABILITY_PROOF_TYP, kid },
    payload,
    (data) => crypto.sign('EdDSA', agentKey, data),
    'capability proof',
  );
}

export interface VerifyCapabilityProofOptions extends CapabilityProofInput {
  /** The key the credential binds. */
  agentKey: PublicKey;
  /** Reference time, ms. */
  now: number;
  /** Largest distance of `iat` from `now`, seconds (default 60). */
  maxAgeSeconds?: number;
  crypto?: CryptoProvider;
}

/**
 * Checks a proof of possession: form, the key's signature, exactly the expected `agentId`, `resource` and `action`
 * (`PROOF_INVALID`), `iat` within 60 s of now (`PROOF_STALE`). Returns its `iat`.
 *
 * @example
 * ```ts
 * await verifyCapabilityProof(proof, { agentKey, agentId, resource, action, now: Date.now() });
 * ```
 */
export async function verifyCapabilityProof(proof: string, options: VerifyCapabilityProofOptions): Promise<number> {
  if (typeof options !== 'object' || options === null) {
    throw new VouchError(
      'INVALID_ARGUMENT',
      'verifyCapabilityProof needs options with agentKey, agentId, resource, action and now.',
    );
  }
  const { jws, payload } = parseEd25519Jws(proof, CAPABILITY_PROOF_TYP, 'PROOF_INVALID', 'proof');
  if (!(await ed25519Verifies(jws, options.agentKey, options.crypto))) {
    throw new VouchError('PROOF_INVALID', "The proof is not signed by the agent's bound key.");
  }
  const keys = Object.keys(payload).sort().join(',');
  if (
    keys !== 'action,agentId,iat,resource' ||
    payload.agentId !== options.agentId ||
    payload.resource !== options.resource ||
    payload.action !== options.action ||
    !isSeconds(payload.iat)
  ) {
    throw new VouchError('PROOF_INVALID', 'The proof is not over {agentId, resource, action, iat} of this request.');
  }
  const maxAge = secondsOption(options.maxAgeSeconds, PROOF_MAX_AGE_SECONDS, 'maxAgeSeconds');
  if (Math.abs(nowSecondsOf(options.now) - payload.iat) > maxAge) {
    throw new VouchError('PROOF_STALE', `The proof's iat must be within ${maxAge} s of the server's time.`);
  }
  return payload.iat;
}

/**
 * An issuer's request to revoke a capability token bound to it (`POST /v1/tokens/revoke`, field `proof`): an EdDSA
 * JWS by its registry key, header `kid` = the issuer id, payload `{jti, iat}`.
 *
 * @example
 * ```ts
 * const proof = await signRevocationRequest({ jti: tokenId, issuerId: 'acme' }, acmeKey);
 * ```
 */
export async function signRevocationRequest(
  input: { jti: string; issuerId: string },
  issuerKey: PrivateKey,
  given?: { now?: number | Date; crypto?: CryptoProvider },
): Promise<string> {
  const options = signerOptions(given, 'signRevocationRequest');
  if (!hasStrings(input, ['jti', 'issuerId'])) {
    throw new VouchError('INVALID_ARGUMENT', 'A revocation request needs jti and issuerId strings.');
  }
  if (issuerKey?.type !== 'Ed25519') throw new VouchError('INVALID_ARGUMENT', 'A registry issuer key is Ed25519.');
  const crypto = options.crypto ?? getDefaultCrypto();
  const payload = { jti: input.jti, iat: Math.floor(signingMs(options.now) / 1000) };
  return signEd25519Jws(
    { typ: CAPABILITY_REVOCATION_TYP, kid: input.issuerId },
    payload,
    (data) => crypto.sign('EdDSA', issuerKey, data),
    'revocation request',
  );
}

export interface VerifyRevocationRequestOptions {
  registry: RegistryDocument;
  jti: string;
  /** Reference time, ms. */
  now: number;
  /** Largest distance of `iat` from `now`, seconds (default 60). */
  maxAgeSeconds?: number;
  /**
   * Skip only the `iat` window, every other check made: for answering a request whose revocation is already in
   * place (a retry after a lost answer), never for revoking.
   */
  allowStale?: boolean;
  crypto?: CryptoProvider;
}

/**
 * Checks an issuer's revocation request for token `jti` against the registry in force: the issuer (`kid`) active
 * (`UNKNOWN_ISSUER`, `ISSUER_REVOKED`), signed by its current key and over exactly `{jti, iat}` (`PROOF_INVALID`),
 * `iat` within 60 s (`PROOF_STALE`) unless `allowStale`. Returns the issuer id.
 *
 * @example
 * ```ts
 * const issuerId = await verifyRevocationRequest(proof, { registry: doc, jti, now: Date.now() });
 * ```
 */
export async function verifyRevocationRequest(proof: string, options: VerifyRevocationRequestOptions): Promise<string> {
  if (typeof options !== 'object' || options === null) {
    throw new VouchError('INVALID_ARGUMENT', 'verifyRevocationRequest needs options with registry, jti and now.');
  }
  const { jws, payload } = parseEd25519Jws(proof, CAPABILITY_REVOCATION_TYP, 'PROOF_INVALID', 'revocation request');
  const issuerId = jws.header.kid!;
  if (!isId(issuerId, 64)) throw new VouchError('PROOF_INVALID', 'The revocation request kid is not an issuer id.');
  const found = checkIssuer(options.registry, issuerId);
  if (found.status === 'unknown') throw new VouchError('UNKNOWN_ISSUER', `Issuer ${issuerId} is not registered.`);
  if (found.status === 'revoked') throw new VouchError('ISSUER_REVOKED', `Issuer ${issuerId} has been removed.`);
  if (!(await ed25519Verifies(jws, issuerPublicKey(found.issuer), options.crypto))) {
    throw new VouchError('PROOF_INVALID', `The revocation request is not signed by the registry key of ${issuerId}.`);
  }
  if (Object.keys(payload).sort().join(',') !== 'iat,jti' || payload.jti !== options.jti || !isSeconds(payload.iat)) {
    throw new VouchError('PROOF_INVALID', 'The revocation request is not over {jti, iat} of this token.');
  }
  const maxAge = secondsOption(options.maxAgeSeconds, PROOF_MAX_AGE_SECONDS, 'maxAgeSeconds');
  if (Math.abs(nowSecondsOf(options.now) - payload.iat) > maxAge && options.allowStale !== true) {
    throw new VouchError('PROOF_STALE', `The revocation request's iat must be within ${maxAge} s.`);
  }
  return issuerId;
}
