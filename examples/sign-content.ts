// signContent: SHA-256 of the content, the agent's signature over "<hash>:<signedAt>", recorded by the server.
// Run: VOUCH_SERVER=... node --import tsx examples/sign-content.ts "some text"
import { newAgent, server, show } from './env.ts';

const agent = await newAgent();
const signed = await agent.signContent(process.argv[2] ?? 'hello from an agent', { publicNote: 'example' });
show({ did: agent.did, signatureHash: signed.signatureHash, verifyUrl: `${server}/verify/${signed.signatureHash}` });
