// verifyCapability: the gateway's checks on a capability token, offline, with its keys from the cached
// /.well-known/vouch-keys.json. The token comes from the admin key here (VOUCH_ADMIN_KEY).
// Run: VOUCH_SERVER=... VOUCH_ADMIN_KEY=... node --import tsx examples/verify-capability.ts
import { fetchVerifierCache, verifyCapability } from '@vouch/sdk';
import { client, newAgent, requireAdmin, show } from './env.ts';

requireAdmin();
const agent = await newAgent(client());
const { token } = await agent.requestCapability({
  resource: 'crm:contacts',
  action: 'read',
  tier: 'observe',
  expiresIn: 600,
});
const cache = await fetchVerifierCache(client());
const allow = await verifyCapability(token, { agentId: agent.did, resource: 'crm:contacts', action: 'read' }, cache);
const deny = await verifyCapability(token, { agentId: agent.did, resource: 'crm:deals', action: 'read' }, cache);
show({ contacts: allow.decision, deals: deny.decision === 'deny' ? deny.code : deny.decision });
