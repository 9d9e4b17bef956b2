import type { CallOptions } from './http.ts';
import { Api } from './api.ts';
import { ROUTES } from './routes.ts';
import type { IssuerSignature, Proposal, RegistryDocument } from '../registry/types.ts';
import type { Answer } from './types.ts';

/** The trust registry (docs/registry.md): the signed document, issuers, governance proposals. */
export class RegistryApi extends Api {
  /** `GET /.well-known/agent-trust.json`: the signed document (verify it with `verifyTrustRegistry`). */
  document(options?: CallOptions): Promise<RegistryDocument> {
    return this.send(ROUTES.trustDocument, {}, options);
  }

  /** `GET /v1/registry`: a summary of the registry in force and the server's mode. */
  summary(options?: CallOptions): Promise<Answer<{ mode: string; sequence: number; chainHash: string }>> {
    return this.send(ROUTES.registrySummary, {}, options);
  }

  /** `GET /v1/registry/issuers/:id`: one issuer, active or revoked. */
  issuer(id: string, options?: CallOptions): Promise<Answer<{ sequence: number; status: string }>> {
    return this.send(ROUTES.registryIssuer, { params: { id } }, options);
  }

  /** `POST /v1/registry/genesis` (admin): create the registry from a built document or founding issuers. */
  genesis(
    input: { document: RegistryDocument } | { issuers: unknown[]; threshold?: number },
    options?: CallOptions,
  ): Promise<Answer<{ registry: string; sequence: number; chainHash: string }>> {
    return this.send(ROUTES.registryGenesis, { body: input as never }, options);
  }

  /** `POST /v1/registry/proposals`: post a co-signed governance proposal. */
  propose(proposal: Proposal, options?: CallOptions): Promise<Answer<Record<string, unknown>>> {
    return this.send(ROUTES.registryPropose, { body: proposal as never }, options);
  }

  /** `GET /v1/registry/proposals`: proposals, newest first. */
  proposals(
    query: { status?: 'pending' | 'applied' | 'stale' | 'expired'; limit?: number } = {},
    options?: CallOptions,
  ): Promise<Answer<{ proposals: Array<Record<string, unknown>> }>> {
    return this.send(ROUTES.registryProposals, { query }, options);
  }

  /** `GET /v1/registry/proposals/:id`: one proposal and its co-signatures. */
  proposal(id: string, options?: CallOptions): Promise<Answer<Record<string, unknown>>> {
    return this.send(ROUTES.registryProposal, { params: { id } }, options);
  }

  /** `POST /v1/registry/proposals/:id/signatures`: add one co-signature. */
  cosign(id: string, signature: IssuerSignature, options?: CallOptions): Promise<Answer<Record<string, unknown>>> {
    return this.send(ROUTES.registryCosign, { params: { id }, body: { ...signature } }, options);
  }

  /** `POST /v1/registry/refresh` (admin, consumer mode): fetch and verify the followed registry now. */
  refresh(options?: CallOptions): Promise<Answer<Record<string, unknown>>> {
    return this.send(ROUTES.registryRefresh, {}, options);
  }
}
