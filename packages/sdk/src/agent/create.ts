import { VouchError } from '../errors.ts';
import { documentAnswer } from '../aip/fetch-json.ts';
import { formatPublicKey } from '../keys/format.ts';
import { DEFAULT_POW_DIFFICULTY } from '../pow/params.ts';
import type { VouchClient } from '../client/client.ts';
import type { CallOptions } from '../client/http.ts';
import { VouchAgent } from './agent.ts';
import { signKeyProof } from './key-proof.ts';
import { proofOfWork } from './pow.ts';
import { withoutTrailing } from '../lib/trim.ts';

export interface CreateAgentIdentityOptions extends CallOptions {
  /** Human-readable name sent as `label`. */
  label?: string;
  /** An owner's single-use linking key: the agent is claimed at registration. */
  linkingKey?: string;
  /** Leading zero hex digits the server requires (`VOUCH_POW_DIFFICULTY`, default 4). */
  difficulty?: number;
  /** Called with the number of hashes tried so far while the proof of work runs. */
  onProgress?: (attempts: number) => void;
  /**
   * Send a proof of possession of the new key, `keyProof` (default `true`): required by servers with
   * `VOUCH_REQUIRE_KEY_PROOF=1`, and it marks the key as proven (`key_proven`) on any other. `false` sends none and
   * asks nothing more of the server: for servers that predate the proof.
   */
  keyProof?: boolean;
  /**
   * The server's `VOUCH_PUBLIC_URL`, which the proof names. Default: the `issuer` of its AIP discovery document
   * (`GET /.well-known/agent-registry.json`, asked before the proof of work), which may differ from the URL the
   * client connects to (e.g. behind a proxy).
   */
  publicUrl?: string;
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

/** The server's `VOUCH_PUBLIC_URL`: its discovery document's `issuer`. */
async function discoverPublicUrl(client: VouchClient, call: CallOptions): Promise<string> {
  // The client hands back whatever a 2xx carried: JSON null or an empty body must not be destructured.
  const discovery = await documentAnswer(client.tokens.discovery(call), 'discovery document');
  const issuer = (discovery as { issuer?: unknown } | null | undefined)?.issuer;
  if (typeof issuer !== 'string' || issuer === '') {
    throw new VouchError('AIP_RESPONSE_INVALID', 'The discovery document names no issuer.');
  }
  return issuer;
}

/** The registration answer checked: the client hands back whatever a 2xx carried (JSON null, an HTML page). */
function registrationOf(answer: unknown): { did: string; linked: boolean; claimToken?: string } {
  const r = typeof answer === 'object' && answer !== null ? (answer as Record<string, unknown>) : {};
  if (
    typeof r.did !== 'string' ||
    !r.did.startsWith('did:') ||
    (r.claimToken !== undefined && typeof r.claimToken !== 'string')
  ) {
    throw new VouchError('RESPONSE_INVALID', 'The server answered the registration without a DID.');
  }
  return { did: r.did, linked: r.linked === true, ...(r.claimToken === undefined ? {} : { claimToken: r.claimToken }) };
}

/**
 * Creates an agent identity: a fresh Ed25519 key, the proof of work (with progress), a proof of possession of the
 * key signed right after it (`keyProof`; naming the server's public URL, from discovery unless `publicUrl` is given),
 * and registration at `POST /api/v1/agents/register`. The private key is `result.agent.privateKey`: store it as a
 * secret (`formatPrivateKey(key, 'jwk')`).
 *
 * @example
 * ```ts
 * const { agent, claimToken } = await createAgentIdentity(client, { label: 'my-bot', onProgress: (n) => log(n) });
 * await agent.signContent('hello');
 * // A server that predates the proof of possession:
 * await createAgentIdentity(oldServerClient, { keyProof: false });
 * ```
 */
export async function createAgentIdentity(
  client: VouchClient,
  options: CreateAgentIdentityOptions = {},
): Promise<CreatedAgent> {
  if (typeof client?.tokens?.discovery !== 'function' || typeof client.http?.now !== 'function') {
    throw new VouchError('INVALID_ARGUMENT', 'createAgentIdentity needs a VouchClient.');
  }
  // A null options argument or member (settings read from JSON) is an absent one: the defaults, nothing sent (the
  // server's schema refuses a null label or linkingKey).
  const { label, linkingKey, difficulty, onProgress, keyProof = true, publicUrl, ...call } = options ?? {};
  if (publicUrl !== undefined && publicUrl !== null && (typeof publicUrl !== 'string' || publicUrl === '')) {
    throw new VouchError('INVALID_ARGUMENT', "publicUrl must be the server's public URL.");
  }
  const noAuth: CallOptions = { ...call, as: 'none' };
  // Learned before the proof of work, so that a server that cannot answer fails before the long part. A given URL
  // loses its trailing slashes, as VOUCH_PUBLIC_URL does.
  const issuer =
    keyProof === false
      ? undefined
      : ((publicUrl === undefined || publicUrl === null ? undefined : withoutTrailing(publicUrl, '/')) ??
        (await discoverPublicUrl(client, noAuth)));
  const crypto = client.http.crypto;
  const { publicKey, privateKey } = await crypto.generateKeyPair('Ed25519');
  const publicKeyBase64 = formatPublicKey(publicKey, 'base64');
  const pow = await proofOfWork(publicKeyBase64, {
    difficulty: difficulty ?? DEFAULT_POW_DIFFICULTY,
    onProgress: onProgress ?? undefined,
    signal: call.signal,
    crypto,
  });
  // Signed after the proof of work, which can take minutes: the server accepts signedAt within 5 minutes of its clock.
  const proof =
    issuer === undefined
      ? undefined
      : await signKeyProof(privateKey, { publicUrl: issuer, signedAt: client.http.now() }, crypto);
  const answer: unknown = await client.agents.register(
    {
      publicKey: publicKeyBase64,
      powNonce: pow.nonce,
      label: label ?? undefined,
      linkingKey: linkingKey ?? undefined,
      ...(proof === undefined ? {} : { keyProof: proof }),
    },
    noAuth,
  );
  const registered = registrationOf(answer);
  const created: CreatedAgent = {
    agent: new VouchAgent(client, { did: registered.did, privateKey }),
    did: registered.did,
    linked: registered.linked,
    powAttempts: pow.attempts,
  };
  if (registered.claimToken !== undefined) created.claimToken = registered.claimToken;
  return created;
}
