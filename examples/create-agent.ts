// createAgentIdentity: a fresh Ed25519 key, the proof of work (with progress), registration.
// Run: VOUCH_SERVER=http://127.0.0.1:3000 node --import tsx examples/create-agent.ts
import { createAgentIdentity, formatPrivateKey } from '@vouch/sdk';
import { client, show } from './env.ts';

const created = await createAgentIdentity(client(), {
  label: 'example-bot',
  difficulty: Number(process.env.VOUCH_POW_DIFFICULTY ?? 4),
  onProgress: (attempts) => process.stderr.write(`\rproof of work: ${attempts} hashes`),
});
process.stderr.write('\n');
// Keep the private key secret (a file with mode 0600, a secret store): it is the agent's identity.
const privateJwk = formatPrivateKey(created.agent.privateKey, 'jwk');
show({ did: created.did, claimToken: created.claimToken, powAttempts: created.powAttempts, keyType: privateJwk.crv });
