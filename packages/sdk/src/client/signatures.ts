import type { CallOptions } from './http.ts';
import type { JsonValue } from '../json/types.ts';
import { VouchError } from '../errors.ts';
import { Api, requiredInput } from './api.ts';
import { ROUTES } from './routes.ts';
import type {
  Answer,
  CertifyResult,
  ConsentInput,
  ConsentResult,
  IngestEvent,
  IngestResult,
  IntegratorInput,
  SignatureRecord,
  SignInput,
} from './types.ts';

/** identity.app's signed messages: record, look up, certify content. */
export class SignaturesApi extends Api {
  /** `POST /api/v1/signatures/sign`: record a signature (`signContent` builds and signs it). */
  sign(input: SignInput, options?: CallOptions): Promise<{ signatureHash: string }> {
    return this.send(ROUTES.signatureSign, { body: { ...input } }, options);
  }

  /** `GET /api/v1/signatures/verify?hash=`: the signature and its signer (with an integrator key, consent too). */
  verify(hash: string, options?: CallOptions): Promise<Answer<SignatureRecord>> {
    return this.send(ROUTES.signatureVerify, { query: { hash } }, options);
  }

  /** `POST /api/v1/signatures/certify`: does this content hash match the signed payload? */
  certify(
    input: { signatureHash: string; contentHash: string },
    options?: CallOptions,
  ): Promise<Answer<CertifyResult>> {
    return this.send(ROUTES.signatureCertify, { body: input }, options);
  }
}

/** Integrators: admin management, agents' consent, public disclosure, event ingestion. */
export class IntegratorsApi extends Api {
  /** `POST /api/v1/admin/integrators` (admin): a new integrator; its `apiKey` is shown once. */
  async create(input: IntegratorInput, options?: CallOptions): Promise<Answer<{ slug: string; apiKey: string }>> {
    if (!Array.isArray(requiredInput(input, 'integrators.create needs an input object with metrics.').metrics)) {
      throw new VouchError('INVALID_ARGUMENT', 'integrators.create needs an input object with metrics.');
    }
    return this.send(
      ROUTES.createIntegrator,
      { body: { ...input, metrics: input.metrics.map((m) => ({ ...m })) } },
      options,
    );
  }

  /** `GET /api/v1/admin/integrators` (admin): every integrator. */
  list(options?: CallOptions): Promise<Answer<{ integrators: Array<Record<string, unknown>> }>> {
    return this.send(ROUTES.listIntegrators, {}, options);
  }

  /** `PUT /api/v1/admin/integrators/:slug/metrics` (admin): replace the metrics; a change is a new environment version. */
  async setMetrics(
    slug: string,
    metrics: IntegratorInput['metrics'],
    options?: CallOptions,
  ): Promise<Answer<{ slug: string; environmentVersion: number; changed: boolean }>> {
    if (!Array.isArray(metrics))
      throw new VouchError('INVALID_ARGUMENT', 'integrators.setMetrics needs an array of metrics.');
    return this.send(
      ROUTES.setIntegratorMetrics,
      { params: { slug }, body: { metrics: metrics.map((m) => ({ ...m })) } },
      options,
    );
  }

  /**
   * `POST /api/v1/admin/integrators/:slug/rotate-key` (admin): a new API key, shown once; 409 `CONFLICT` when another
   * rotation of the same key committed meanwhile.
   */
  rotateKey(slug: string, options?: CallOptions): Promise<Answer<{ slug: string; apiKey: string }>> {
    return this.send(ROUTES.rotateIntegratorKey, { params: { slug } }, options);
  }

  /** `POST /api/v1/integrators/consent`: set an agent's consent (`grantConsent`/`revokeConsent` sign it). */
  consent(input: ConsentInput, options?: CallOptions): Promise<Answer<ConsentResult>> {
    return this.send(ROUTES.consent, { body: { ...input } }, options);
  }

  /** `GET /api/v1/integrators/:slug/disclosure`: which metrics affect global reputation. */
  disclosure(slug: string, options?: CallOptions): Promise<Answer<Record<string, unknown>>> {
    return this.send(ROUTES.disclosure, { params: { slug } }, options);
  }

  /**
   * `POST /api/v1/ingest` (integrator): one event or up to 1,000; safe to retry (deduplicated by id). An event holding
   * NaN or Infinity is refused (`INVALID_ARGUMENT`) and nothing is sent, as for every body: JSON would carry it as
   * null, which the server takes as an absent field (an `occurredAt` of NaN would be stored as the time of receipt).
   */
  ingest(events: IngestEvent | IngestEvent[], options?: CallOptions): Promise<IngestResult> {
    return this.send(ROUTES.ingest, { body: events as unknown as JsonValue }, options);
  }
}
