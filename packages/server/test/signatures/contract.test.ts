// docs/PROTOCOL.md, "Signatures and reports", against the app: every documented refusal of sign, verify, certify and
// report with its status and code (and `field` where the sentence names one value), declared in /docs/json and
// writing nothing.
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { declaredStatuses, refusedWritingNothing } from '../agents/contract-helpers.ts';
import type { Contract } from '../agents/contract-helpers.ts';
import { admin, postSign, recordSigned, registerPow, registerSlug, SIG_ENV, signBody } from './helpers.ts';
import { report, signedReport } from '../reports/helpers.ts';

const SIGN = 'POST /api/v1/signatures/sign';
const VERIFY = 'GET /api/v1/signatures/verify';
const CERTIFY = 'POST /api/v1/signatures/certify';
const REPORT = 'POST /api/v1/agents/report';

eachEngine('contract: signatures and reports refusals', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: SIG_ENV });
  try {
    const c: Contract = { app, storage, declared: await declaredStatuses(app) };
    const [agent, other, revoked] = [await registerPow(app), await registerPow(app), await registerPow(app)];
    const keyless = await registerSlug(app, 'keyless-agent');
    const rev = await app.inject({ method: 'POST', url: `/api/v1/agents/${revoked!.did}/revoke`, headers: admin });
    if (rev.statusCode !== 200) throw new Error(rev.body);
    const now = clock.now();
    const good = await signBody(agent!.pair, agent!.did, 'content', now);
    const recorded = await recordSigned(app, agent!, 'recorded', now, 'a note');

    // Sign.
    await refusedWritingNothing(c, SIGN, () => postSign(app, { ...good, did: 'no-such-agent' }), 404, 'NOT_FOUND');
    await refusedWritingNothing(
      c,
      SIGN,
      async () => postSign(app, await signBody(revoked!.pair, revoked!.did, 'x', now)),
      403,
      'AGENT_REVOKED',
    );
    await refusedWritingNothing(
      c,
      SIGN,
      () => postSign(app, { ...recorded.body, publicNote: 'other' }),
      409,
      'SIGNATURE_CONFLICT',
    );
    await refusedWritingNothing(
      c,
      SIGN,
      async () => postSign(app, await signBody(agent!.pair, agent!.did, 'late', now - 300_001)),
      400,
      'SIGNED_AT_OUT_OF_WINDOW',
    );
    await refusedWritingNothing(c, SIGN, () => postSign(app, { ...good, signature: 'AAAA' }), 400, 'SIGNATURE_INVALID');
    await refusedWritingNothing(c, SIGN, () => postSign(app, { ...good, did: keyless.did }), 409, 'AGENT_HAS_NO_KEY');
    await refusedWritingNothing(
      c,
      SIGN,
      () => postSign(app, { ...good, payloadHash: 'X' }),
      400,
      'VALIDATION_FAILED',
      'body.payloadHash',
    );

    // Verify.
    const verify = (hash: string) => app.inject({ method: 'GET', url: `/api/v1/signatures/verify?hash=${hash}` });
    await refusedWritingNothing(c, VERIFY, () => verify('e'.repeat(64)), 404, 'NOT_FOUND');
    await refusedWritingNothing(c, VERIFY, () => verify('E'.repeat(64)), 400, 'VALIDATION_FAILED', 'querystring.hash');

    // Certify.
    const certify = (signatureHash: string, contentHash: string) =>
      app.inject({ method: 'POST', url: '/api/v1/signatures/certify', payload: { signatureHash, contentHash } });
    await refusedWritingNothing(c, CERTIFY, () => certify('e'.repeat(64), 'e'.repeat(64)), 404, 'NOT_FOUND');
    await refusedWritingNothing(
      c,
      CERTIFY,
      () => certify(recorded.signatureHash, 'e'),
      400,
      'VALIDATION_FAILED',
      'body.contentHash',
    );

    // Report.
    const signed = (by: typeof agent, target: string, extra: Record<string, unknown> = {}) =>
      signedReport(by!, target, 'spam', now, extra);
    await refusedWritingNothing(
      c,
      REPORT,
      () => report(app, { did: 'no-such-agent', reason: 'spam' }),
      404,
      'NOT_FOUND',
    );
    await refusedWritingNothing(
      c,
      REPORT,
      async () => report(app, { ...(await signed(agent, other!.did)), reporterDid: 'no-such-agent' }),
      404,
      'NOT_FOUND',
    );
    await refusedWritingNothing(
      c,
      REPORT,
      async () => report(app, await signed(revoked, other!.did)),
      403,
      'AGENT_REVOKED',
    );
    await refusedWritingNothing(
      c,
      REPORT,
      async () => report(app, await signed(agent, agent!.did)),
      400,
      'REPORT_SELF',
    );
    await refusedWritingNothing(
      c,
      REPORT,
      async () => report(app, await signedReport(agent!, other!.did, 'spam', now - 300_001)),
      400,
      'SIGNED_AT_OUT_OF_WINDOW',
    );
    await refusedWritingNothing(
      c,
      REPORT,
      async () => report(app, { ...(await signed(agent, other!.did)), reason: 'other' }),
      400,
      'SIGNATURE_INVALID',
    );
    await refusedWritingNothing(
      c,
      REPORT,
      async () => report(app, { ...(await signed(agent, other!.did)), reporterDid: keyless.did }),
      409,
      'AGENT_HAS_NO_KEY',
    );
    await refusedWritingNothing(
      c,
      REPORT,
      () => report(app, { did: other!.did, reason: 'spam', signatureHash: 'e'.repeat(64) }),
      404,
      'NOT_FOUND',
    );
    await refusedWritingNothing(
      c,
      REPORT,
      () => report(app, { did: other!.did, reason: 'spam', signatureHash: recorded.signatureHash }),
      400,
      'VALIDATION_FAILED',
      'body.signatureHash',
    );
  } finally {
    await app.close();
  }
});
