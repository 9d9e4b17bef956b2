// identity.app's signed messages and reports (seed 002, issue 6): sign, verify, certify, report, and the certify
// script of the signature page. The page itself is `/verify/{hash}`, dispatched by the agents module's verify route.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { ApiError, errorBodySchema } from '../../errors.ts';
import { clientAddressKey } from '../../http/client-address.ts';
import { DISPLAY_TEXT, DISPLAY_TEXT_LINES } from '../../http/text-patterns.ts';
import type { VouchModule } from '../../module.ts';
import { PAGE_HEADERS } from '../../web/html.ts';
import { publicAgentCardProperties, publicOwnerCardSchema } from '../agents/public-card.ts';
import { CERTIFY_SCRIPT } from './certify-script.ts';
import { fileReport, pruneReportLocks, REPORT_REASONS } from './reports.ts';
import type { ReportInput } from './reports.ts';
import { certifySignature, findSignature, recordSignature } from './service.ts';
import type { SignInput } from './service.ts';
import { consentFor, signatureView } from './view.ts';

const PRUNE_EVERY_MS = 60_000;
const HEX64 = '^[0-9a-f]{64}$';
const HEX64_ANY_CASE = '^[0-9a-fA-F]{64}$';
const ref = { type: 'string', minLength: 1, maxLength: 200 } as const;
const ms = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const base64Signature = { type: 'string', minLength: 1, maxLength: 200 } as const;

const consentSchema = {
  type: 'object',
  properties: { integratorSlug: { type: 'string' }, status: { type: 'string', enum: ['allowed', 'revoked', 'none'] } },
} as const;

const viewSchema = {
  type: 'object',
  properties: {
    valid: { type: 'boolean' },
    signatureHash: { type: 'string' },
    signedAt: { type: 'integer' },
    payloadHash: { type: 'string' },
    publicNote: { type: ['string', 'null'] },
    unverifiedNote: { type: ['string', 'null'] },
    signature: { type: 'string' },
    signerPublicKey: { type: ['string', 'null'] },
    agent: { type: 'object', properties: publicAgentCardProperties },
    owner: publicOwnerCardSchema,
    reputation: {
      type: 'object',
      properties: { score: { type: 'number' }, totalSignatures: { type: 'integer' } },
    },
    verification: {
      type: 'object',
      properties: {
        instructions: { type: 'string' },
        algorithm: { type: 'string' },
        encoding: { type: 'string' },
        payloadHash: { type: 'string' },
        verifyUrl: { type: 'string' },
        certifyUrl: { type: 'string' },
        learnMore: { type: 'string' },
      },
    },
    certificationCount: { type: 'integer' },
    integratorConsent: consentSchema,
  },
} as const;

const reportReceiptSchema = {
  type: 'object',
  properties: {
    reportId: { type: 'string' },
    did: { type: 'string' },
    reason: { type: 'string' },
    type: { type: 'string', enum: ['signed', 'anonymous'] },
    reporterDid: { type: ['string', 'null'] },
    penalty: { type: 'integer' },
    duplicate: { type: 'boolean' },
    createdAt: { type: 'integer' },
  },
} as const;

async function registerSignatureRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const window = ctx.config.rateLimitWindowMs;

  app.post(
    '/api/v1/signatures/sign',
    {
      // The signature is the authorization. Per address here; per DID (VOUCH_SIGN_RATE_MAX) once it verifies.
      config: { policy: { caller: 'public', rateLimit: 'default' } },
      schema: {
        summary:
          'Record a signed message: an Ed25519 signature by the agent over "<payloadHash>:<signedAt>" (identity.app), ' +
          'or over "<payloadHash>:<signedAt>:<sha256hex(publicNote)>" to make the note its own (a note the signature ' +
          'does not cover is recorded as unverifiedNote). The same submission again answers the same signatureHash ' +
          'and spends nothing; the same signature with another note is 409.',
        tags: ['signatures'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['did', 'payloadHash', 'signature', 'signedAt'],
          properties: {
            did: ref,
            payloadHash: { type: 'string', pattern: HEX64 },
            signature: base64Signature,
            signedAt: ms,
            publicNote: { type: 'string', maxLength: 160, pattern: DISPLAY_TEXT },
          },
        },
        response: {
          201: { type: 'object', properties: { signatureHash: { type: 'string' } } },
          400: errorBodySchema,
          403: errorBodySchema,
          404: errorBodySchema,
          409: errorBodySchema,
        },
      },
    },
    async (req, reply) => {
      const { signature } = await recordSignature(ctx, req.body as SignInput);
      return reply.code(201).send({ signatureHash: signature.signatureHash });
    },
  );

  app.get(
    '/api/v1/signatures/verify',
    {
      config: { policy: { caller: 'public', optionalCaller: ['integrator'], rateLimit: 'default' } },
      schema: {
        summary:
          'Look up a recorded signature: its agent, owner, reputation, certification count and how to check content; ' +
          "with an integrator key also the agent's consent for that integrator.",
        tags: ['signatures'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['hash'],
          properties: { hash: { type: 'string', pattern: HEX64 } },
        },
        response: { 200: viewSchema, 400: errorBodySchema, 404: errorBodySchema },
      },
    },
    async (req) => {
      const { hash } = req.query as { hash: string };
      const sig = await findSignature(ctx, hash);
      if (sig === undefined) throw new ApiError('NOT_FOUND', 'No signature has this hash.');
      return signatureView(ctx, sig, req.principal);
    },
  );

  app.post(
    '/api/v1/signatures/certify',
    {
      config: {
        policy: {
          caller: 'public',
          optionalCaller: ['integrator'],
          rateLimit: { max: ctx.config.signatureRateLimits.certify, windowMs: window },
        },
      },
      schema: {
        summary:
          'Check a SHA-256 content hash against a recorded signature; a match adds one certification (identity.app), ' +
          'at most one per client address per signature per UTC day.',
        tags: ['signatures'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['signatureHash', 'contentHash'],
          properties: {
            signatureHash: { type: 'string', pattern: HEX64 },
            contentHash: { type: 'string', pattern: HEX64_ANY_CASE },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              match: { type: 'boolean' },
              signatureHash: { type: 'string' },
              payloadHash: { type: 'string' },
              signer: {
                type: 'object',
                properties: {
                  did: { type: 'string' },
                  signedAt: { type: 'integer' },
                  publicNote: { type: ['string', 'null'] },
                  status: { type: 'string' },
                },
              },
              certificationCount: { type: 'integer' },
              integratorConsent: consentSchema,
            },
          },
          400: errorBodySchema,
          404: errorBodySchema,
        },
      },
    },
    async (req) => {
      const b = req.body as { signatureHash: string; contentHash: string };
      const addressKey = clientAddressKey(req.ip);
      const { match, signature, signerStatus } = await certifySignature(
        ctx,
        b.signatureHash,
        b.contentHash,
        addressKey,
      );
      const consent = await consentFor(ctx, req.principal, signature.agentId);
      return {
        match,
        signatureHash: signature.signatureHash,
        payloadHash: signature.payloadHash,
        // The agent's standing now, as the verify view's agent.status: a match says what was signed, not that the
        // signer still answers for it (a revoked agent's signatures still match).
        signer: {
          did: signature.did,
          signedAt: signature.signedAt,
          publicNote: signature.publicNote,
          status: signerStatus,
        },
        certificationCount: signature.certificationCount,
        ...(consent === undefined ? {} : { integratorConsent: consent }),
      };
    },
  );

  app.post(
    '/api/v1/agents/report',
    {
      config: { policy: { caller: 'public', rateLimit: { max: 30, windowMs: window } } },
      schema: {
        summary:
          'Report an agent. With reporterDid, signature (Ed25519 over "report:<targetDid>:<reason>:<signedAt>") and ' +
          'signedAt a signed report (penalty 5), else anonymous (penalty 2). Once per reporter and target per 24 h, ' +
          'whatever the reason; anonymous at most 5 per hour per address; penalties count for 30 days, one per ' +
          'reporter and target at a time, at most 20 per target per 24 h and 10 in force from reporters of limited ' +
          "standing; a revoked reporter's penalties are withdrawn.",
        tags: ['reports'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['did', 'reason'],
          properties: {
            did: ref,
            reason: { type: 'string', enum: [...REPORT_REASONS] },
            signatureHash: { type: 'string', pattern: HEX64 },
            details: { type: 'string', maxLength: 1000, pattern: DISPLAY_TEXT_LINES },
            reporterDid: ref,
            signature: base64Signature,
            signedAt: ms,
          },
        },
        response: {
          200: reportReceiptSchema,
          201: reportReceiptSchema,
          400: errorBodySchema,
          403: errorBodySchema,
          404: errorBodySchema,
          // A signed report by an agent registered without a key (AGENT_HAS_NO_KEY).
          409: errorBodySchema,
          429: errorBodySchema,
        },
      },
    },
    async (req, reply) => {
      const { receipt, created } = await fileReport(ctx, req.body as ReportInput, clientAddressKey(req.ip));
      return reply.code(created ? 201 : 200).send(receipt);
    },
  );

  app.get(
    '/assets/certify.js',
    { config: { policy: { caller: 'public', rateLimit: 'default' } }, schema: { hide: true } },
    async (_req, reply) => {
      void reply
        .type('text/javascript; charset=utf-8')
        .headers({ ...PAGE_HEADERS, 'cache-control': 'public, max-age=3600' });
      return CERTIFY_SCRIPT;
    },
  );

  const pruner = setInterval(() => {
    pruneReportLocks(ctx).catch((err: unknown) =>
      app.log.warn({ err: { message: (err as Error).message } }, 'report lock prune failed'),
    );
  }, PRUNE_EVERY_MS);
  pruner.unref();
  app.addHook('onClose', async () => clearInterval(pruner));
}

export const signaturesModule: VouchModule = {
  name: 'signatures',
  routes: registerSignatureRoutes,
};
