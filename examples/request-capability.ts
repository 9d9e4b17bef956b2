// requestCapability: a capability token for one action on one resource, then the gateway's decision.
// Here the admin key authorizes it (VOUCH_ADMIN_KEY); with a registry issuer's credential pass `issuerBinding`.
// Run: VOUCH_SERVER=... VOUCH_ADMIN_KEY=... node --import tsx examples/request-capability.ts
import { client, newAgent, requireAdmin, show } from './env.ts';

requireAdmin();
const agent = await newAgent(client());
const cap = await agent.requestCapability({
  resource: 'files:reports',
  action: 'read',
  tier: 'standard',
  expiresIn: 600,
});
const request = { token: cap.token, agentId: agent.did, resource: 'files:reports', action: 'read' };
const allowed = await client().capabilities.intercept(request);
const denied = await client().capabilities.intercept({ ...request, action: 'delete' });
show({ tokenId: cap.tokenId, read: allowed.decision, delete: `${denied.decision} ${denied.code}` });
