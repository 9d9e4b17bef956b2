// Domain verification for agents (seed 003): challenges, the three checks, routes, periodic re-checks. Explicit export
// list.
export { registerDomainRoutes } from './routes.ts';
export {
  createDomainChallenge,
  pruneDomainChallenges,
  verificationMethods,
  CHALLENGE_TTL_MS,
  DOMAIN_METHODS,
  MAX_LIVE_CHALLENGES,
  TXT_RECORD_PREFIX,
  META_TAG_NAME,
  WELL_KNOWN_PATH,
} from './challenge.ts';
export type { DomainChallengeView, DomainMethod, VerificationMethod } from './challenge.ts';
export { verifyDomain } from './verify.ts';
export { recheckDomains, RECHECK_BATCH, RECHECK_CLAIM_MS } from './recheck.ts';
export type { RecheckOptions, RecheckSummary } from './recheck.ts';
export type { VerifyDomainResult } from './verify.ts';
export { createDomainChecker } from './check.ts';
export type { CheckOutcome, CheckFailureCode, DomainChecker, DomainCheckOptions, MethodFailure } from './check.ts';
export { normalizeDomain, MAX_DOMAIN_INPUT_LENGTH, MAX_DOMAIN_LENGTH } from './domain-name.ts';
export { metaContents } from './meta.ts';
