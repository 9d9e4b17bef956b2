// verifyToken: an agent token checked offline from a cached discovery document and revocation list.
// Run: VOUCH_SERVER=... [VOUCH_TOKEN=<jwt>] node --import tsx examples/verify-token.ts
import { fetchVerifierCache, verifyToken } from '@vouch/sdk';
import { client, newAgent, show } from './env.ts';

const token = process.env.VOUCH_TOKEN ?? (await (await newAgent()).requestToken()).token;
const cache = await fetchVerifierCache(client()); // fetch once, store it; no network below
const result = await verifyToken(token, cache);
show(result.valid ? { valid: true, agent: result.token.agent, type: result.token.tokenType } : result);
