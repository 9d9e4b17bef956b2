// The queries the agents race tests step in after (with afterNextPoolQuery from ../helpers/interleave.ts): the
// authenticator's lookup of the credential, on the pool, before the handler's transaction.

/** The authenticator's lookup of an agent-signed request's agent (`findAgentById` on the pool). */
export const AGENT_LOOKUP = /from "agents" where "id" = /;
/** The authenticator's lookup of an owner API key (`findOwnerApiKey` on the pool). */
export const OWNER_KEY_LOOKUP = /from "owner_api_keys" where "key_hash" = /;
