// report: a signed report by one agent about another ("report:<targetDid>:<reason>:<signedAt>").
// Run: VOUCH_SERVER=... node --import tsx examples/report.ts
import { newAgent, show } from './env.ts';

const reporter = await newAgent();
const target = await newAgent();
const receipt = await reporter.report(target.did, 'spam', { details: 'Example report' });
show({ reporter: reporter.did, target: target.did, receipt });
