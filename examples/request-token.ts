// requestToken: a session token the agent issues itself with its proof of possession, checked by the server.
// Run: VOUCH_SERVER=... node --import tsx examples/request-token.ts [audience]
import { client, newAgent, show } from './env.ts';

const agent = await newAgent();
const issued = await agent.requestToken({ audience: process.argv[2] ?? 'shop.example', nonce: `n-${Date.now()}` });
const verdict = await client().tokens.verify({ token: issued.token });
show({ did: agent.did, jti: issued.jti, tokenType: issued.token_type, serverSays: verdict.valid });
