// The agents module: identities from both registration routes (identity.app's proof of work, Treeship's slugs),
// owners, tool manifests, voice fingerprints, the identity score and the public verify pages.
// Other modules use ./service.ts (and domain verification ./domain-port.ts), never these tables.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import type { VouchModule } from '../../module.ts';
import {
  agentAuthenticators,
  installRefusedRequestConsumption,
  installSignedBodyCheck,
  pruneSignedRequests,
} from './auth.ts';
import { registerCredentialRoutes } from './routes-credentials.ts';
import { registerIdentityAppRoutes } from './routes-identity-app.ts';
import { registerTreeshipRoutes } from './routes-treeship.ts';
import type { DomainChallengeFactory } from './routes-treeship.ts';
import { registerVerifyPages, verifyBadAddressPage, verifyNotFoundPage } from './verify-page.ts';
import { createAgentDomainPort } from './domain-port.ts';
import { createDomainChallenge, pruneDomainChallenges, registerDomainRoutes } from './domain/index.ts';

const PRUNE_EVERY_MS = 60_000;

async function registerAgentRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  installSignedBodyCheck(app);
  installRefusedRequestConsumption(app, ctx);
  registerIdentityAppRoutes(app, ctx);
  registerCredentialRoutes(app, ctx);
  // Registration with a `domain` answers Treeship's `verification_challenges`: `domain` is the seed's DNS TXT
  // instruction; the meta-tag and file methods are offered too. The challenge is stored in the same transaction.
  const domainChallenges: DomainChallengeFactory = async (agent, domain, trx) => {
    const challenge = await createDomainChallenge(ctx, agent, domain, trx);
    const byMethod = new Map(challenge.verification_methods.map((m) => [m.method, m.instruction]));
    return {
      domain: byMethod.get('dns_txt') ?? '',
      domain_meta_tag: byMethod.get('meta_tag') ?? '',
      domain_file: byMethod.get('file') ?? '',
    };
  };
  registerTreeshipRoutes(app, ctx, domainChallenges);
  registerDomainRoutes(app, ctx, createAgentDomainPort(ctx));
  registerVerifyPages(app, ctx);

  const pruner = setInterval(() => {
    pruneSignedRequests(ctx).catch((err: unknown) =>
      app.log.warn({ err: { message: (err as Error).message } }, 'signed-request prune failed'),
    );
    pruneDomainChallenges(ctx).catch((err: unknown) =>
      app.log.warn({ err: { message: (err as Error).message } }, 'domain challenge prune failed'),
    );
  }, PRUNE_EVERY_MS);
  pruner.unref();
  app.addHook('onClose', async () => clearInterval(pruner));
}

export const agentsModule: VouchModule = {
  name: 'agents',
  authenticators: agentAuthenticators,
  routes: registerAgentRoutes,
  badAddressPage: verifyBadAddressPage,
  notFoundPage: verifyNotFoundPage,
};
