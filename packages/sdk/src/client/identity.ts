import type { CallOptions } from './http.ts';
import { Api } from './api.ts';
import { ROUTES } from './routes.ts';
import type {
  Answer,
  IdentityRegistration,
  IdentityRegistrationInput,
  ToolCheck,
  ToolManifest,
  VoiceCheck,
} from './types.ts';

/** Treeship's identity routes: slug registration, profiles, tool manifests, voice fingerprints, domains. */
export class IdentityApi extends Api {
  /**
   * `POST /v1/identity/register`: an agent under a slug; its `management_token` is shown once. A slug another agent
   * holds is refused 409 `SLUG_TAKEN`, a look-alike of one (`paypa1` beside `paypal`) 409 `SLUG_CONFUSABLE`; a
   * reserved slug or a look-alike of one (`support`, `supp0rt`) 400 `SLUG_RESERVED`.
   */
  register(input: IdentityRegistrationInput, options?: CallOptions): Promise<Answer<IdentityRegistration>> {
    return this.send(ROUTES.registerIdentity, { body: { ...input } }, options);
  }

  /** `GET /v1/identity/:slug`: the public profile (slug, DID or id). */
  get(slug: string, options?: CallOptions): Promise<Answer<Record<string, unknown>>> {
    return this.send(ROUTES.getIdentity, { params: { slug } }, options);
  }

  /** `POST /v1/identity/:slug/tools`: set the tool manifest; the server signs its hash. */
  setTools(
    slug: string,
    input: { tools: string[]; tool_descriptions?: Record<string, string> },
    options?: CallOptions,
  ): Promise<Answer<ToolManifest>> {
    return this.send(ROUTES.setTools, { params: { slug }, body: input }, options);
  }

  /** `GET /v1/identity/:slug/tools`: the signed tool manifest (check it offline with `verifyToolManifest`). */
  getTools(slug: string, options?: CallOptions): Promise<Answer<ToolManifest>> {
    return this.send(ROUTES.getTools, { params: { slug } }, options);
  }

  /** `POST /v1/identity/:slug/verify-tools`: are these tools in the agent's manifest? */
  verifyTools(slug: string, toolsUsed: string[], options?: CallOptions): Promise<Answer<ToolCheck>> {
    return this.send(ROUTES.verifyTools, { params: { slug }, body: { tools_used: toolsUsed } }, options);
  }

  /** `POST /v1/identity/:slug/voice-fingerprint`: register a voice fingerprint hash (stored hashed). */
  setVoiceFingerprint(
    slug: string,
    input: { fingerprint_hash: string; provider: string; sample_count: number },
    options?: CallOptions,
  ): Promise<
    Answer<{ registered: boolean; agent_slug: string | null; did: string; provider: string; sample_count: number }>
  > {
    return this.send(ROUTES.setVoice, { params: { slug }, body: input }, options);
  }

  /** `POST /v1/identity/:slug/verify-voice`: compare a fingerprint hash with the registered one. */
  verifyVoice(slug: string, fingerprintHash: string, options?: CallOptions): Promise<Answer<VoiceCheck>> {
    return this.send(ROUTES.verifyVoice, { params: { slug }, body: { fingerprint_hash: fingerprintHash } }, options);
  }

  /** `GET /v1/identity/:slug/domain-challenge?domain=`: the token to publish to prove control of a domain. */
  domainChallenge(slug: string, domain: string, options?: CallOptions): Promise<Answer<Record<string, unknown>>> {
    return this.send(ROUTES.domainChallenge, { params: { slug }, query: { domain } }, options);
  }

  /** `POST /v1/identity/:slug/verify-domain`: check the published challenge and record the proof. */
  verifyDomain(slug: string, domain: string, options?: CallOptions): Promise<Answer<Record<string, unknown>>> {
    return this.send(ROUTES.verifyDomain, { params: { slug }, body: { domain } }, options);
  }
}
