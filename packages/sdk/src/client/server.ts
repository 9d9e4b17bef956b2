import type { CallOptions } from './http.ts';
import { Api } from './api.ts';
import { ROUTES } from './routes.ts';
import type { Answer, AuditPage, VouchKeys } from './types.ts';

/** Health, metrics, the server's public keys and its admin views. */
export class ServerApi extends Api {
  /** `GET /healthz`: liveness. */
  health(options?: CallOptions): Promise<{ status: string }> {
    return this.send(ROUTES.healthz, {}, options);
  }

  /** `GET /readyz`: readiness (throws `NOT_READY` when the database does not answer). */
  ready(options?: CallOptions): Promise<{ status: string }> {
    return this.send(ROUTES.readyz, {}, options);
  }

  /** `GET /metrics`: Prometheus text (admin unless the server makes it public). */
  metrics(options?: CallOptions): Promise<string> {
    return this.send(ROUTES.metrics, {}, options);
  }

  /** `GET /.well-known/vouch-keys.json`: the server's Ed25519 keys (tool manifests, capabilities, ...). */
  vouchKeys(options?: CallOptions): Promise<Answer<VouchKeys>> {
    return this.send(ROUTES.vouchKeys, {}, options);
  }

  /**
   * `GET /api/v1/admin/audit` (admin): the audit log, newest first. `next` is the `before` of the following page,
   * null on the last one.
   */
  audit(
    query: { limit?: number; before?: number; action?: string } = {},
    options?: CallOptions,
  ): Promise<Answer<AuditPage>> {
    return this.send(ROUTES.audit, { query }, options);
  }

  /** `GET /api/v1/admin/keys` (admin): the server's signing keys, public halves only. */
  keys(options?: CallOptions): Promise<Answer<{ keys: Array<Record<string, unknown>> }>> {
    return this.send(ROUTES.adminKeys, {}, options);
  }

  /**
   * `POST /api/v1/admin/keys/rotate` (admin): a new active signing key for `purpose` (default the token key). With
   * `compromised: true` (the token and capability keys) the previous keys are dropped at once, listed in `dropped`.
   */
  rotateKey(
    input: { purpose?: string; compromised?: boolean } = {},
    options?: CallOptions,
  ): Promise<
    Answer<{ purpose: string; kid: string; alg: string; generation: number; retired: string[]; dropped: string[] }>
  > {
    return this.send(ROUTES.rotateAdminKey, { body: input }, options);
  }

  /** `POST /api/v1/admin/reputation/rebuild` (admin): recompute every score from history; `consistent` tells. */
  rebuildReputation(
    input: { dryRun?: boolean } = {},
    options?: CallOptions,
  ): Promise<Answer<{ events: number; penalties: number; agents: number; consistent: boolean; written: boolean }>> {
    return this.send(ROUTES.rebuildReputation, { body: input }, options);
  }
}
