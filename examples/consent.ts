// grantConsent / revokeConsent: the agent signs the canonical consent payload, then sets its consent.
// Run: VOUCH_SERVER=... VOUCH_INTEGRATOR=<slug> node --import tsx examples/consent.ts
// (without VOUCH_INTEGRATOR, VOUCH_ADMIN_KEY creates a demo integrator first)
import { client, newAgent, requireAdmin, show } from './env.ts';

let slug = process.env.VOUCH_INTEGRATOR;
if (slug === undefined) {
  requireAdmin();
  slug = `demo-${Date.now().toString(36)}`;
  await client().integrators.create({
    slug,
    name: 'Demo integrator',
    domain: 'demo.example',
    metrics: [{ metricKey: 'tasks_completed', polarity: 'boost', weight: 1, lane: 'conduct' }],
  });
}
const agent = await newAgent();
const granted = await agent.grantConsent(slug);
const revoked = await agent.revokeConsent(slug);
show({ did: agent.did, integrator: slug, granted: granted.status, revoked: revoked.status });
