import { formatPublicKey } from '../keys/format.ts';
import { DEFAULT_POW_DIFFICULTY } from '../pow/params.ts';
import type { VouchClient } from '../client/client.ts';
import type { CallOptions } from '../client/http.ts';
import { VouchAgent } from './agent.ts';
import { proofOfWork } from './pow.ts';

export interface CreateAgentIdentityOptions extends CallOptions {
  /** Human-readable name sent as `label`. */
  label?: string;
  /** An owner's single-use linking key: the agent is claimed at registration. */
  linkingKey?: string;
  /** Leading zero hex digits the server requires (`VOUCH_POW_DIFFICULTY`, default 4). */
  difficulty?: number;
  /** Called with the number of hashes tried so far while the proof of work runs. */
  onProgress?: (attempts: number) => void;
}

export interface CreatedAgent {
  agent: VouchAgent;
  did: string;
  /** One-time token an owner uses to claim the agent (absent when a linking key linked it). */
  claimToken?: string;
  linked: boolean;
  /** Hashes the proof of work took. */
  powAttempts: number;
}

/**
 * Creates an agent identity: a fresh Ed25519 key, the proof of work (with progress), and registration at
 * `POST /api/v1/agents/register`. The private key is `result.agent.privateKey`: store it as a secret
 * (`formatPrivateKey(key, 'jwk')`).
 *
 * @example
 * ```ts
 * const { agent, claimToken } = await createAgentIdentity(client, { label: 'my-bot', onProgress: (n) => log(n) });
 * await agent.signContent('hello');
 * ```
 */
export async function createAgentIdentity(
  client: VouchClient,
  options: CreateAgentIdentityOptions = {},
): Promise<CreatedAgent> {
  const { label, linkingKey, difficulty = DEFAULT_POW_DIFFICULTY, onProgress, ...call } = options;
  const crypto = client.http.crypto;
  const { publicKey, privateKey } = await crypto.generateKeyPair('Ed25519');
  const publicKeyBase64 = formatPublicKey(publicKey, 'base64');
  const pow = await proofOfWork(publicKeyBase64, { difficulty, onProgress, signal: call.signal, crypto });
  const registered = await client.agents.register(
    { publicKey: publicKeyBase64, powNonce: pow.nonce, label, linkingKey },
    { ...call, as: 'none' },
  );
  const created: CreatedAgent = {
    agent: new VouchAgent(client, { did: registered.did, privateKey }),
    did: registered.did,
    linked: registered.linked,
    powAttempts: pow.attempts,
  };
  if (registered.claimToken !== undefined) created.claimToken = registered.claimToken;
  return created;
}
