// `GET /api/v1/agents/:id`: identity.app's resolve. Anyone gets the public profile and the global score; an
// integrator the agent has allowed also gets its integrator-scoped score and per-metric breakdown.
import type { AppContext } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import type { Principal } from '../../http/policy.ts';
import { agentPublicUrl, findAgent, getAgentOwner } from '../agents/service.ts';
import type { Agent, OwnerSummary } from '../agents/service.ts';
import { publicAgentCard, publicOwnerCard } from '../agents/public-card.ts';
import { authenticatedIntegrator } from '../integrators/auth.ts';
import { findIntegrator, getConsentStatus } from '../integrators/service.ts';
import { getAgentReputation, getGlobalScoreDetails } from './service.ts';

function profileOf(ctx: AppContext, agent: Agent, owner: OwnerSummary | null) {
  return {
    ...publicAgentCard(agent),
    description: agent.description,
    verifiedDomain: agent.verifiedDomain,
    owner: publicOwnerCard(owner),
    publicUrl: agentPublicUrl(ctx, agent),
  };
}

/**
 * The resolve answer for `ref` (DID, internal id or slug) as seen by `principal`. 404 `NOT_FOUND` for an unknown
 * agent. `consent` says what the integrator was shown: `allowed` (everything), otherwise the public view.
 *
 * @example
 * const body = await resolveForIntegrator(ctx, 'did:identity:...', req.principal);
 */
export async function resolveForIntegrator(ctx: AppContext, ref: string, principal: Principal | null) {
  const agent = await findAgent(ctx, ref);
  if (agent === undefined) throw new ApiError('NOT_FOUND', 'No agent has this slug, DID or id.');
  const owner = await getAgentOwner(ctx, agent);
  const subject = {
    type: 'agent' as const,
    id: agent.id,
    identifier: agent.did,
    profile: profileOf(ctx, agent, owner),
  };
  const integrator =
    principal?.caller === 'integrator'
      ? (authenticatedIntegrator(principal) ?? (await findIntegrator(ctx, principal.id)))
      : undefined;
  if (integrator === undefined) {
    return { subject, score: await getGlobalScoreDetails(ctx, agent.id) };
  }
  const integratorView = { id: integrator.id, slug: integrator.slug, name: integrator.name };
  const consent = await getConsentStatus(ctx, integrator.slug, agent.id);
  if (consent !== 'allowed') {
    return { integrator: integratorView, subject, score: await getGlobalScoreDetails(ctx, agent.id), consent };
  }
  const reputation = await getAgentReputation(ctx, agent.id, integrator.slug);
  return {
    integrator: integratorView,
    subject,
    score: reputation.score,
    integratorScore: reputation.integratorScore,
    metricBreakdown: reputation.metricBreakdown,
    contextKey: `integrator:${integrator.slug}`,
    consent,
  };
}
