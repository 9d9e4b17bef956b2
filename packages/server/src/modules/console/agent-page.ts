// `/agents/{did}`: an agent's page in the console — the agents module's own renderer (the `/verify/{slug}` page),
// inside the console layout.
import type { FastifyReply } from 'fastify';
import type { AppContext } from '../../context.ts';
import { loadProfile } from '../agents/profile.ts';
import { renderAgentPage } from '../agents/verify-page.ts';
import { sendErrorPage, sendPage } from '../../web/respond.ts';

/** Longest reference worth a lookup: a DID is 39 characters, a slug at most 40. */
const MAX_REF_CHARS = 200;

/** Answers the agent page for a DID (or an internal id or slug), or an HTML 404. */
export async function sendAgentPage(ctx: AppContext, reply: FastifyReply, ref: string): Promise<FastifyReply> {
  const profile = ref.length > MAX_REF_CHARS ? undefined : await loadProfile(ctx, ref);
  if (profile === undefined) return sendErrorPage(ctx, reply, 404, 'No agent has this DID.', 'agents', 'NOT_FOUND');
  return sendPage(reply, renderAgentPage(ctx, profile, { nav: 'agents' }));
}
