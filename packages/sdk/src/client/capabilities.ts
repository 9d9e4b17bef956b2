import { VouchError } from '../errors.ts';
import type { CallOptions } from './http.ts';
import { Api, requiredInput } from './api.ts';
import { ROUTES } from './routes.ts';
import type {
  Answer,
  CapabilityIssued,
  CapabilityIssueInput,
  DelegateInput,
  InterceptDecision,
  InterceptInput,
} from './types.ts';

/**
 * `copy` without the optional `members` that are null (a JavaScript caller, settings read from JSON): absent, never
 * sent as a JSON null the server's schema refuses, nor taken for a binding or a proof that leaves the admin key unsent.
 */
function withoutNull<T extends object>(copy: T, members: ReadonlyArray<keyof T>): T {
  for (const m of members) if (copy[m] === null) delete copy[m];
  return copy;
}

/** Capability tokens at the gateway (seed 001): issue, intercept, revoke, delegate. */
export class CapabilitiesApi extends Api {
  /**
   * `POST /v1/tokens`: a capability token. With `issuerBinding` the credential authorizes it and no key is sent
   * unless `options.as` says so; without it (or with null) the admin key is required (sent when configured).
   */
  async issue(input: CapabilityIssueInput, options?: CallOptions): Promise<Answer<CapabilityIssued>> {
    requiredInput(input, 'capabilities.issue needs an input object (agentId, resource, action, ...).');
    const body = withoutNull({ ...input }, ['issuerBinding', 'proof']);
    const as = options?.as ?? (body.issuerBinding === undefined ? undefined : 'none');
    return this.send(ROUTES.capabilityIssue, { body }, { ...options, as });
  }

  /** `POST /v1/intercept`: allow or deny one action (never throws for a deny). */
  intercept(input: InterceptInput, options?: CallOptions): Promise<Answer<InterceptDecision>> {
    return this.send(ROUTES.intercept, { body: { ...input } }, options);
  }

  /** `POST /v1/intercept/batch`: up to 50 decisions, in order. */
  async interceptBatch(
    requests: InterceptInput[],
    options?: CallOptions,
  ): Promise<Answer<{ results: Array<Answer<InterceptDecision>> }>> {
    if (!Array.isArray(requests)) {
      throw new VouchError('INVALID_ARGUMENT', 'capabilities.interceptBatch needs an array of requests.');
    }
    return this.send(ROUTES.interceptBatch, { body: { requests: requests.map((r) => ({ ...r })) } }, options);
  }

  /**
   * `POST /v1/tokens/revoke`: the admin, or the binding issuer with `proof` (`signRevocationRequest` by its
   * registry key). Revokes every token delegated from it too. A retry that reaches the server after the proof's
   * 60 s still answers `alreadyRevoked: true` if the first attempt revoked it, unless the issuer was removed from the
   * registry meanwhile: a removed issuer is refused `ISSUER_REVOKED` for anything (its tokens are all denied anyway).
   */
  async revoke(
    input: { tokenId: string; reason?: string; proof?: string },
    options?: CallOptions,
  ): Promise<Answer<{ tokenId: string; revoked: boolean; alreadyRevoked: boolean }>> {
    requiredInput(input, 'capabilities.revoke needs an input object with a tokenId.');
    const body = withoutNull({ ...input }, ['reason', 'proof']);
    const as = options?.as ?? (body.proof === undefined ? undefined : 'none');
    return this.send(ROUTES.capabilityRevoke, { body }, { ...options, as });
  }

  /** `POST /v1/tokens/delegate`: a narrower child token (a null `resource`, `action` or `expiresIn`: the parent's). */
  delegate(input: DelegateInput, options?: CallOptions): Promise<Answer<CapabilityIssued>> {
    const body = withoutNull({ ...input }, ['resource', 'action', 'expiresIn', 'proof']);
    return this.send(ROUTES.capabilityDelegate, { body }, options);
  }
}
