import type { CallOptions } from './http.ts';
import { Api, requiredInput } from './api.ts';
import { ROUTES } from './routes.ts';
import type { AgentRegistration, Answer, OwnerPage, ReportInput } from './types.ts';

/** identity.app's agent routes: registration, claiming, slugs, revocation, key rotation, reports, resolve. */
export class AgentsApi extends Api {
  /**
   * `POST /api/v1/agents/register`: a new agent with an Ed25519 key (standard base64), a proof of work and, optionally,
   * a proof of possession of the key (`signKeyProof`).
   */
  register(
    input: {
      publicKey: string;
      powNonce: string;
      label?: string;
      linkingKey?: string;
      keyProof?: { signedAt: number; signature: string };
    },
    options?: CallOptions,
  ): Promise<Answer<AgentRegistration>> {
    return this.send(ROUTES.registerAgent, { body: input }, options);
  }

  /** `POST /api/v1/agents/claim` (owner): link an agent with its one-time claim token. */
  claim(
    claimToken: string,
    options?: CallOptions,
  ): Promise<Answer<{ did: string; ownerId: string; status: string; linked: boolean }>> {
    return this.send(ROUTES.claimAgent, { body: { claimToken } }, options);
  }

  /**
   * `PUT /api/v1/agents/:id/slug`: take or change the agent's slug. 409 `SLUG_TAKEN` when another agent holds it,
   * `SLUG_CONFUSABLE` when it looks like another agent's slug (a look-alike of the agent's own is allowed); 400
   * `SLUG_RESERVED` for a reserved slug or a look-alike of one (`supp0rt`), unless it is the slug the agent holds.
   */
  setSlug(
    id: string,
    slug: string,
    options?: CallOptions,
  ): Promise<Answer<{ did: string; slug: string; public_url: string }>> {
    return this.send(ROUTES.setSlug, { params: { id }, body: { slug } }, options);
  }

  /** `DELETE /api/v1/agents/:id/slug`: release the agent's slug. */
  releaseSlug(
    id: string,
    options?: CallOptions,
  ): Promise<Answer<{ did: string; slug: null; released: string | null }>> {
    return this.send(ROUTES.releaseSlug, { params: { id } }, options);
  }

  /** `POST /api/v1/agents/:id/revoke`: revoke the agent for good (its tokens with it). A null `reason` is none. */
  revoke(
    id: string,
    reason?: string,
    options?: CallOptions,
  ): Promise<Answer<{ did: string; status: 'revoked'; revokedAt: number }>> {
    const body: { reason?: string } = reason === undefined || reason === null ? {} : { reason };
    return this.send(ROUTES.revokeAgent, { params: { id }, body }, options);
  }

  /**
   * `POST /api/v1/agents/:id/rotate-key` (agent signature by the old key). `newKeySignature` is the new key's
   * standard-base64 signature of `vouch-rotate-key-v1:<did>:<old key>:<new key>:<signedAt>` (`signKeyRotation`),
   * where `signedAt` is the request's `X-Vouch-Signed-At`: pass the one the statement names, or the request is
   * stamped with the clock's later reading and refused `SIGNATURE_INVALID`. `VouchAgent.rotateKey` does both.
   */
  async rotateKey(
    id: string,
    input: { newPublicKey: string; newKeySignature: string; signedAt?: number },
    options?: CallOptions,
  ): Promise<
    Answer<{
      did: string;
      publicKey: string;
      rotatedAt: number;
      managementToken?: string;
      tokensRevoked?: number;
      claimToken?: string;
    }>
  > {
    // The rotation revokes the agent's management tokens (a new one is answered, once, when it had any) and its live
    // AIP tokens (how many, when there were any): the old key may have been stolen. An unclaimed agent's unused
    // claim token is replaced too (the new one answered, once).
    const { signedAt, ...body } = requiredInput(input, 'agents.rotateKey needs an input object with newPublicKey.');
    return this.send(
      ROUTES.rotateAgentKey,
      { params: { id }, body, ...(signedAt === undefined ? {} : { signedAt }) },
      options,
    );
  }

  /**
   * `POST /api/v1/agents/:id/rotate-management-token` (the agent's signature, its owner or the admin): revokes every
   * management token of the agent and answers a new one, shown once.
   */
  rotateManagementToken(
    id: string,
    options?: CallOptions,
  ): Promise<Answer<{ did: string; managementToken: string; revoked: number; rotatedAt: number }>> {
    return this.send(ROUTES.rotateManagementToken, { params: { id } }, options);
  }

  /** `POST /api/v1/agents/report`: report an agent, anonymously or signed (`report()` helper signs). */
  report(input: ReportInput, options?: CallOptions): Promise<Answer<Record<string, unknown>>> {
    return this.send(ROUTES.reportAgent, { body: { ...input } }, options);
  }

  /** `GET /api/v1/agents/:id` (integrator): the agent resolved for the calling integrator. */
  resolve(id: string, options?: CallOptions): Promise<Answer<Record<string, unknown>>> {
    return this.send(ROUTES.resolveAgent, { params: { id } }, options);
  }
}

/** Owner accounts (people or organizations behind agents). */
export class OwnersApi extends Api {
  /** `POST /api/v1/owners` (admin): a new owner; its `apiKey` is shown once. */
  create(
    input: { name: string; handle: string },
    options?: CallOptions,
  ): Promise<Answer<{ ownerId: string; name: string; handle: string; apiKey: string }>> {
    return this.send(ROUTES.createOwner, { body: input }, options);
  }

  /**
   * `GET /api/v1/owners/me` (owner): the caller and its agents, a page at a time, oldest first: `limit` (default and
   * at most 1000), `after` = the previous page's `next`, which is null on the last page.
   *
   * @example
   * ```ts
   * let page = await client.owners.me();
   * while (page.next !== null) page = await client.owners.me({ after: page.next });
   * ```
   */
  me(query: { after?: string; limit?: number } = {}, options?: CallOptions): Promise<Answer<OwnerPage>> {
    return this.send(ROUTES.ownerMe, { query }, options);
  }

  /** `POST /api/v1/owners/linking-keys` (owner): a single-use key that links an agent at registration. */
  createLinkingKey(options?: CallOptions): Promise<Answer<{ linkingKey: string; ownerId: string; expiresAt: number }>> {
    return this.send(ROUTES.createLinkingKey, {}, options);
  }

  /**
   * `POST /api/v1/owners/:id/rotate-key` (the owner itself with `me` or its id, or the admin): revokes the owner's
   * API keys and answers a new one, shown once.
   */
  rotateKey(
    id = 'me',
    options?: CallOptions,
  ): Promise<Answer<{ ownerId: string; apiKey: string; revoked: number; rotatedAt: number }>> {
    return this.send(ROUTES.rotateOwnerKey, { params: { id } }, options);
  }
}
