import { VouchError } from '../errors.ts';
import { encodeBase64 } from '../encoding/base64.ts';
import { encodeUtf8 } from '../encoding/utf8.ts';
import { getDefaultCrypto } from '../crypto/default.ts';
import { cryptoOption } from '../lib/crypto-option.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import { isPrivateKey, type PrivateKey } from '../keys/key.ts';
import type { AipTokenType } from './types.ts';

/** What an agent signs to ask for a token for itself. */
export interface AipIssueProofInput {
  /** The agent's DID (`did:identity:...`). */
  did: string;
  tokenType: AipTokenType;
  /** The session audience; absent (empty in the message) for identity tokens. */
  audience?: string;
  /** Milliseconds since the epoch; the server accepts it within its signature window. */
  signedAt: number;
}

/**
 * The exact string an agent signs (UTF-8, Ed25519) for `POST /api/registry/issue` without other credentials:
 * `aip-issue:<did>:<token_type>:<audience>:<signedAt>`, with an empty audience for identity tokens.
 *
 * @example
 * ```ts
 * aipIssueProofMessage({ did, tokenType: 'session', audience: 'shop', signedAt: 1767225600000 });
 * // 'aip-issue:did:identity:...:session:shop:1767225600000'
 * ```
 */
export function aipIssueProofMessage(input: AipIssueProofInput): string {
  if (typeof input !== 'object' || input === null) {
    throw new VouchError('INVALID_ARGUMENT', 'An issue proof needs an input with did, tokenType and signedAt.');
  }
  const { did, tokenType, audience, signedAt } = input;
  if (typeof did !== 'string' || did.length === 0) throw new VouchError('INVALID_ARGUMENT', 'did must be a string.');
  if (tokenType !== 'identity' && tokenType !== 'session') {
    throw new VouchError('INVALID_ARGUMENT', 'tokenType must be identity or session.');
  }
  if (!Number.isSafeInteger(signedAt) || signedAt < 0) {
    throw new VouchError('INVALID_ARGUMENT', 'signedAt must be milliseconds since the epoch.');
  }
  return `aip-issue:${did}:${tokenType}:${audience ?? ''}:${signedAt}`;
}

/**
 * Signs {@link aipIssueProofMessage} with the agent's Ed25519 key and returns the request members `proof`
 * (standard base64, identity.app's signature encoding) and `signedAt`.
 *
 * @example
 * ```ts
 * const { proof, signedAt } = await signAipIssueProof(agentKey, { did, tokenType: 'identity', signedAt: Date.now() });
 * await fetch(`${server}/api/registry/issue`, { method: 'POST', body: JSON.stringify({ agent_name: did, proof, signedAt }) });
 * ```
 */
export async function signAipIssueProof(
  privateKey: PrivateKey,
  input: AipIssueProofInput,
  crypto?: CryptoProvider,
): Promise<{ proof: string; signedAt: number }> {
  const provider = cryptoOption(crypto, getDefaultCrypto); // null: the default; a non-provider: INVALID_ARGUMENT
  // A public key (the pair's other half) or a key-shaped object is refused here, not as another key at signing.
  if (!isPrivateKey(privateKey) || privateKey.type !== 'Ed25519') {
    throw new VouchError('INVALID_ARGUMENT', 'An issue proof needs an Ed25519 private key.');
  }
  const signature = await provider.sign('EdDSA', privateKey, encodeUtf8(aipIssueProofMessage(input)));
  return { proof: encodeBase64(signature), signedAt: input.signedAt };
}
