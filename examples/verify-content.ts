// verifyContent: content against a recorded signature, offline — the content hash, the record's hash, the
// agent's Ed25519 signature.
// Run: VOUCH_SERVER=... node --import tsx examples/verify-content.ts
import { verifyContent } from '@vouch/sdk';
import { client, newAgent, show } from './env.ts';

const agent = await newAgent();
const { signatureHash } = await agent.signContent('the quarterly report, final');
const record = await client().signatures.verify(signatureHash); // cache it: no network below
const same = await verifyContent(signatureHash, 'the quarterly report, final', { record });
const edited = await verifyContent(signatureHash, 'the quarterly report, final (edited)', { record });
show({ signatureHash, same: same.valid, edited: edited.valid ? 'valid' : edited.code });
