// What an agent does with its own key: sign content, grant or revoke an integrator's consent, report another agent,
// ask for an identity/session token and for a capability token. Every signature is made here, client-side; the
// private key never leaves the process.
import { isVouchError, VouchError } from '../errors.ts';
import { encodeBase64 } from '../encoding/base64.ts';
import { decodeUtf8, encodeUtf8 } from '../encoding/utf8.ts';
import { toBytes } from '../lib/bytes.ts';
import { canonicalize } from '../json/canonicalize.ts';
import { sha256Hex } from '../hash/sha256.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import { isPrivateKey, type PrivateKey } from '../keys/key.ts';
import { formatPublicKey } from '../keys/format.ts';
import { signedMessageText } from './signed-message.ts';
import { signKeyRotation } from './key-rotation.ts';
import { signCapabilityProof } from '../capability/proof.ts';
import { signAipIssueProof } from '../aip/proof.ts';
import type { AipExpiresIn, AipTokenType } from '../aip/types.ts';
import type { VouchClient } from '../client/client.ts';
import type { CallOptions } from '../client/http.ts';
import type {
  AipIssued,
  Answer,
  CapabilityIssued,
  CapabilityIssueInput,
  ConsentResult,
  ReportInput,
} from '../client/types.ts';

/** The `type` of the canonical consent payload an agent signs (issue 6). */
export const CONSENT_PAYLOAD_TYPE = 'integrator_consent_v1';

/** A recorded signature: what was signed and the hash that identifies it on the server. */
export interface SignedContent {
  signatureHash: string;
  payloadHash: string;
  signedAt: number;
  /** Standard base64 Ed25519 signature of `"<payloadHash>:<signedAt>"`. */
  signature: string;
}

export interface TokenRequest {
  tokenType?: AipTokenType;
  /** Required for session tokens. */
  audience?: string;
  nonce?: string;
  expiresIn?: AipExpiresIn;
  deployer?: string;
  modelProviders?: string[];
  framework?: string;
}

export interface CapabilityTokenRequest {
  resource: string;
  action: string;
  tier: CapabilityIssueInput['tier'];
  /** Seconds. */
  expiresIn: number;
  /** The registry issuer that vouches for this agent, and the credential it gave the agent. */
  issuerBinding?: { issuerId: string; agentCredential: string };
  /** The id the credential names as `sub` (default: the agent's DID). */
  agentId?: string;
  /** Send a proof of possession with an issuer binding (default true): `signCapabilityProof` by the agent's key. */
  proof?: boolean;
}

/** The payload an agent signs to allow or revoke an integrator's use of its data. */
export function consentPayload(did: string, integratorSlug: string, action: 'allow' | 'revoke', signedAt: number) {
  return { type: CONSENT_PAYLOAD_TYPE, did, integratorSlug, action, signedAt };
}

/**
 * Whether content (a string as UTF-8) is JSON whose top-level value is an object with the consent payload's `type`:
 * its SHA-256 could be a consent's payloadHash, so {@link VouchAgent.signContent} refuses to sign it.
 *
 * @example
 * ```ts
 * isConsentStatement('{"type":"integrator_consent_v1"}'); // true
 * isConsentStatement('{"type":"invoice"}'); // false
 * ```
 */
export function isConsentStatement(content: string | Uint8Array): boolean {
  const bytes = toBytes(content);
  // Most content is not a JSON object: only one whose first byte after JSON whitespace is `{` is decoded and parsed.
  let i = 0;
  while (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d) i++;
  if (bytes[i] !== 0x7b) return false;
  let value: unknown;
  try {
    value = JSON.parse(decodeUtf8(bytes));
  } catch {
    return false; // not UTF-8, or not JSON: no payload the server would take for a consent's
  }
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    (value as { type?: unknown }).type === CONSENT_PAYLOAD_TYPE
  );
}

/** The string a signed report signs (issue 6): `report:<targetDid>:<reason>:<signedAt>`. */
export function reportStatement(targetDid: string, reason: string, signedAt: number): string {
  return `report:${targetDid}:${reason}:${signedAt}`;
}

/**
 * An agent: its DID and private key, bound to a server through a {@link VouchClient}. The client it holds carries
 * the agent's key as a credential, so its calls to manage the agent are signed requests.
 *
 * @example
 * ```ts
 * const agent = new VouchAgent(client, { did, privateKey });
 * const { signatureHash } = await agent.signContent('hello');
 * ```
 */
export class VouchAgent {
  readonly did: string;
  readonly privateKey: PrivateKey;
  readonly client: VouchClient;
  /** The `signedAt` of this agent's last consent: the next is dated after it (see {@link VouchAgent.grantConsent}). */
  private lastConsentAt = -1;

  constructor(client: VouchClient, identity: { did: string; privateKey: PrivateKey }) {
    if (typeof client?.withCredentials !== 'function') {
      throw new VouchError('INVALID_ARGUMENT', 'A VouchAgent needs a VouchClient.');
    }
    if (typeof identity?.did !== 'string' || !identity.did.startsWith('did:')) {
      throw new VouchError('INVALID_ARGUMENT', 'The agent needs its DID.');
    }
    // A public key (the pair's other half) would make an agent that fails only at its first signature.
    if (!isPrivateKey(identity.privateKey) || identity.privateKey.type !== 'Ed25519') {
      throw new VouchError('INVALID_ARGUMENT', "The agent's key must be an Ed25519 private key.");
    }
    this.did = identity.did;
    this.privateKey = identity.privateKey;
    this.client = client.withCredentials({ agent: { did: identity.did, privateKey: identity.privateKey } });
  }

  private get crypto(): CryptoProvider {
    return this.client.http.crypto;
  }

  private now(): number {
    return this.client.http.now();
  }

  /** The agent's public key as standard base64 (identity.app's form). */
  get publicKeyBase64(): string {
    return formatPublicKey(this.privateKey.publicKey, 'base64');
  }

  private async signText(text: string): Promise<string> {
    return encodeBase64(await this.crypto.sign('EdDSA', this.privateKey, encodeUtf8(text)));
  }

  /**
   * Signs a payload hash (`"<payloadHash>:<signedAt>"`) and records it: `POST /api/v1/signatures/sign`. Without a
   * `signedAt` of the caller's, a submission refused `SIGNED_AT_OUT_OF_WINDOW` is signed again, once, at a fresh
   * reading of the clock: its retries outlasted the server's window, and that refusal says nothing was recorded.
   */
  async signPayloadHash(
    payloadHash: string,
    options: { publicNote?: string; signedAt?: number } & CallOptions = {},
  ): Promise<SignedContent> {
    if (!/^[0-9a-f]{64}$/.test(payloadHash)) {
      throw new VouchError('INVALID_ARGUMENT', 'payloadHash must be 64 lowercase hex digits.');
    }
    const { publicNote: note, signedAt: given, ...call } = options ?? {}; // null options: the defaults
    // A null note is no note, as the signed text reads it; the server's schema refuses one sent as null.
    const publicNote = note ?? undefined;
    const signedAt = given ?? this.now();
    // The statement signs signedAt as decimal text: 1.5, NaN or 1e21 would sign `:1.5`, `:NaN`, `:1e+21`.
    if (!Number.isSafeInteger(signedAt) || signedAt < 0) {
      throw new VouchError('INVALID_ARGUMENT', 'signedAt must be milliseconds since the epoch (a whole number).');
    }
    try {
      return await this.recordSignature(payloadHash, signedAt, publicNote, call);
    } catch (err) {
      // The transport retries a lost answer with the same submission (the server answers a recorded one before it
      // checks the window, so nothing is recorded twice); a retry that came too late for the window was not
      // recorded, so a new signature is safe. A signedAt the caller chose (a consent's) is theirs to keep.
      if (given !== undefined || !isVouchError(err, 'SIGNED_AT_OUT_OF_WINDOW')) throw err;
      const fresh = this.now();
      if (fresh === signedAt) throw err;
      return this.recordSignature(payloadHash, fresh, publicNote, call);
    }
  }

  private async recordSignature(
    payloadHash: string,
    signedAt: number,
    publicNote: string | undefined,
    call: CallOptions,
  ): Promise<SignedContent> {
    // A note is the agent's only when the signature covers it.
    const signature = await this.signText(await signedMessageText(payloadHash, signedAt, publicNote, this.crypto));
    const body = {
      did: this.did,
      payloadHash,
      signature,
      signedAt,
      ...(publicNote === undefined ? {} : { publicNote }),
    };
    const answer: unknown = await this.client.signatures.sign(body, { ...call, as: 'none' });
    // The client hands back whatever a 2xx carried (JSON null, an HTML page): only a hash is the record's name.
    const signatureHash = (answer as { signatureHash?: unknown } | null | undefined)?.signatureHash;
    if (typeof signatureHash !== 'string' || !/^[0-9a-f]{64}$/.test(signatureHash)) {
      throw new VouchError('RESPONSE_INVALID', 'The server answered the signature without a signatureHash.');
    }
    return { signatureHash, payloadHash, signedAt, signature };
  }

  /**
   * Signs content: SHA-256 of its bytes (a string as UTF-8), then {@link signPayloadHash}. Anyone holding the
   * content can check it against the returned `signatureHash` (`verifyContent`, `/verify/<hash>`).
   *
   * Refuses (`INVALID_ARGUMENT`, before signing or sending anything) content that is JSON whose top-level value is
   * an object with `type` {@link CONSENT_PAYLOAD_TYPE}: a consent is a recorded signature of that object's hash, so
   * signing such content handed over by someone else would record a consent they could post. Consent goes through
   * {@link grantConsent}/{@link revokeConsent}.
   */
  async signContent(
    content: string | Uint8Array,
    options: { publicNote?: string } & CallOptions = {},
  ): Promise<SignedContent> {
    const bytes = toBytes(content);
    if (isConsentStatement(bytes)) {
      throw new VouchError(
        'INVALID_ARGUMENT',
        `signContent refuses an integrator consent statement (a JSON object whose type is "${CONSENT_PAYLOAD_TYPE}"): ` +
          'its signature would grant or revoke consent. Use grantConsent or revokeConsent.',
      );
    }
    return this.signPayloadHash(await sha256Hex(bytes, this.crypto), options);
  }

  private async consent(integratorSlug: string, action: 'allow' | 'revoke', options: CallOptions) {
    // The server ranks consents by signedAt (a revoke over an allow of the same millisecond): each consent this agent
    // signs is dated after its previous one, so calls in one millisecond rank in the order they were made.
    const signedAt = Math.max(this.now(), this.lastConsentAt + 1);
    this.lastConsentAt = signedAt;
    const payloadHash = await sha256Hex(
      canonicalize(consentPayload(this.did, integratorSlug, action, signedAt)),
      this.crypto,
    );
    const signed = await this.signPayloadHash(payloadHash, { ...options, signedAt });
    return this.client.integrators.consent(
      { integratorSlug, did: this.did, action, signatureHash: signed.signatureHash, signedAt },
      { ...options, as: 'none' },
    );
  }

  /**
   * Allows an integrator to ingest events about this agent and see its scoped reputation. Each consent this agent
   * signs is dated at least one millisecond after its previous one, so `revokeConsent` then `grantConsent` in one
   * millisecond ends allowed.
   */
  grantConsent(integratorSlug: string, options: CallOptions = {}): Promise<Answer<ConsentResult>> {
    return this.consent(integratorSlug, 'allow', options);
  }

  /** Withdraws an integrator's consent. */
  revokeConsent(integratorSlug: string, options: CallOptions = {}): Promise<Answer<ConsentResult>> {
    return this.consent(integratorSlug, 'revoke', options);
  }

  /**
   * A signed report about another agent: the signature over `"report:<targetDid>:<reason>:<signedAt>"`. The target
   * must be named by its DID (`INVALID_ARGUMENT` otherwise): a signature over a slug or id could never verify.
   */
  async report(
    targetDid: string,
    reason: ReportInput['reason'],
    options: { details?: string; signatureHash?: string } & CallOptions = {},
  ): Promise<Answer<Record<string, unknown>>> {
    if (typeof targetDid !== 'string' || !targetDid.startsWith('did:')) {
      throw new VouchError('INVALID_ARGUMENT', 'A signed report names the reported agent by its DID (did:…).');
    }
    const { details, signatureHash, ...call } = options ?? {};
    const signedAt = this.now();
    const signature = await this.signText(reportStatement(targetDid, reason, signedAt));
    const input: ReportInput = { did: targetDid, reason, reporterDid: this.did, signature, signedAt };
    // null (settings read from JSON) is absent: the server's schema refuses either sent as null.
    if (details !== undefined && details !== null) input.details = details;
    if (signatureHash !== undefined && signatureHash !== null) input.signatureHash = signatureHash;
    return this.client.agents.report(input, { ...call, as: 'none' });
  }

  /**
   * A token for this agent, self-issued: the agent's proof (`aip-issue:<did>:<type>:<audience>:<signedAt>`) is its
   * only credential, accepted once by the server.
   */
  async requestToken(request: TokenRequest = {}, options: CallOptions = {}): Promise<Answer<AipIssued>> {
    // A null request or member (settings read from JSON) is an absent one: the server's schema refuses null members.
    const { tokenType: type, audience, nonce, expiresIn, deployer, modelProviders, framework } = request ?? {};
    const tokenType = type ?? (audience === undefined || audience === null ? 'identity' : 'session');
    const { proof, signedAt } = await signAipIssueProof(
      this.privateKey,
      { did: this.did, tokenType, audience: audience ?? undefined, signedAt: this.now() },
      this.crypto,
    );
    return this.client.tokens.issue(
      {
        agent_name: this.did,
        token_type: tokenType,
        audience: audience ?? undefined,
        nonce: nonce ?? undefined,
        expires_in: expiresIn ?? undefined,
        deployer: deployer ?? undefined,
        model_providers: modelProviders ?? undefined,
        framework: framework ?? undefined,
        proof,
        signedAt,
      },
      { ...options, as: 'none' },
    );
  }

  /**
   * A capability token (`POST /v1/tokens`). With an issuer binding, the registry issuer's credential authorizes
   * it and a proof of possession goes with it; without one the client's admin key is needed.
   */
  async requestCapability(
    request: CapabilityTokenRequest,
    options: CallOptions = {},
  ): Promise<Answer<CapabilityIssued>> {
    if (typeof request !== 'object' || request === null) {
      throw new VouchError('INVALID_ARGUMENT', 'requestCapability needs a request with resource, action and tier.');
    }
    const agentId = request.agentId ?? this.did;
    const input: CapabilityIssueInput = {
      agentId,
      resource: request.resource,
      action: request.action,
      tier: request.tier,
      expiresIn: request.expiresIn,
    };
    // A null binding (settings read from JSON) is an absent one, not an empty binding sent with a proof.
    if (request.issuerBinding !== undefined && request.issuerBinding !== null) {
      input.issuerBinding = { ...request.issuerBinding };
      if (request.proof !== false) {
        input.proof = await signCapabilityProof(
          { agentId, resource: request.resource, action: request.action },
          this.privateKey,
          { now: this.now(), crypto: this.crypto },
        );
      }
    }
    return this.client.capabilities.issue(input, options);
  }

  /**
   * Rotates this agent's key to `newPrivateKey` (Ed25519): the request signed by the current key, the statement by
   * the new one, both at one `signedAt`. The server then revokes the agent's management and AIP tokens (a fresh
   * management token, and claim token if it had an unused one, are in the answer, shown once). This agent's key no
   * longer acts: go on with `new VouchAgent(client, { did, privateKey: newPrivateKey })`.
   *
   * @example
   * ```ts
   * const next = await generateKeyPair('Ed25519');
   * await agent.rotateKey(next.privateKey);
   * const renewed = new VouchAgent(client, { did: agent.did, privateKey: next.privateKey });
   * ```
   */
  async rotateKey(newPrivateKey: PrivateKey, options: CallOptions = {}) {
    const signedAt = this.now();
    const newKeySignature = await signKeyRotation(
      newPrivateKey,
      { did: this.did, oldKeyBase64: this.publicKeyBase64, signedAt },
      this.crypto,
    );
    return this.client.agents.rotateKey(
      this.did,
      { newPublicKey: formatPublicKey(newPrivateKey.publicKey, 'base64'), newKeySignature, signedAt },
      { ...options, as: 'agent' },
    );
  }

  /** Revokes this agent for good, by its own signed request. */
  revoke(reason?: string, options: CallOptions = {}) {
    return this.client.agents.revoke(this.did, reason, { ...options, as: 'agent' });
  }
}
