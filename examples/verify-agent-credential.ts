// verifyAgentCredential: an issuer's credential for an agent, checked offline against the verified registry.
// Run: VOUCH_SERVER=... VOUCH_ROOT_KEY=ed25519:... VOUCH_CREDENTIAL=<jws> [VOUCH_AGENT_ID=...]
//      node --import tsx examples/verify-agent-credential.ts
import { createOfflineVerifier, fetchVerifierCache } from '@vouch/sdk';
import { client, show } from './env.ts';

const { VOUCH_ROOT_KEY: rootKey, VOUCH_CREDENTIAL: credential, VOUCH_AGENT_ID: agentId } = process.env;
if (rootKey === undefined || credential === undefined) {
  console.error('Set VOUCH_ROOT_KEY (the pinned registry root key) and VOUCH_CREDENTIAL (the compact JWS).');
  process.exit(2);
}
const verifier = createOfflineVerifier(await fetchVerifierCache(client()), { rootKey });
const result = await verifier.verifyAgentCredential(credential, { agentId });
show(
  result.valid
    ? {
        valid: true,
        issuer: result.credential.claims.iss,
        agent: result.credential.claims.sub,
        scope: result.credential.claims.scope,
      }
    : result,
);
