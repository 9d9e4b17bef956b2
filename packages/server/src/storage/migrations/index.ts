import { foundation } from './0001_foundation.ts';
import { agents } from './0002_agents.ts';
import { domainChallenges } from './0003_domain_challenges.ts';
import { tokens } from './0004_tokens.ts';
import { registry } from './0005_registry.ts';
import { signatures } from './0006_signatures.ts';
import { reputation } from './0007_reputation.ts';
import { capabilities } from './0008_capabilities.ts';
import { capabilityAgentBinding } from './0009_capability_agent_binding.ts';
import { agentKeyProof } from './0010_agent_key_proof.ts';
import { signatureNoteBinding } from './0011_signature_note_binding.ts';
import { reportStanding } from './0012_report_standing.ts';
import { domainRecheck } from './0013_domain_recheck.ts';
import { issuedTokenPayload } from './0014_issued_token_payload.ts';
import { agentsListingIndex } from './0015_agents_listing_index.ts';
import { signedRequestExpiryIndex } from './0016_signed_request_expiry_index.ts';
import { signatureSignerKey } from './0017_signature_signer_key.ts';
import { slugSkeletonColumn } from './0018_slug_skeleton.ts';
import { slugSkeletonsTable } from './0019_slug_skeletons.ts';
import { capabilityTokenDigest } from './0020_capability_token_digest.ts';
import { slugVRuns } from './0021_slug_v_runs.ts';
import type { VouchMigration } from './migration.ts';

export type { VouchMigration } from './migration.ts';

/**
 * Every migration, in order. To add one: write `NNNN_name.ts` exporting a {@link VouchMigration} and append it
 * here. Names sort lexically and are recorded in `vouch_migration`; never rename, reorder or edit a shipped one.
 */
export const MIGRATIONS: readonly (readonly [name: string, migration: VouchMigration])[] = [
  ['0001_foundation', foundation],
  ['0002_agents', agents],
  ['0003_domain_challenges', domainChallenges],
  ['0004_tokens', tokens],
  ['0005_registry', registry],
  ['0006_signatures', signatures],
  ['0007_reputation', reputation],
  ['0008_capabilities', capabilities],
  ['0009_capability_agent_binding', capabilityAgentBinding],
  ['0010_agent_key_proof', agentKeyProof],
  ['0011_signature_note_binding', signatureNoteBinding],
  ['0012_report_standing', reportStanding],
  ['0013_domain_recheck', domainRecheck],
  ['0014_issued_token_payload', issuedTokenPayload],
  ['0015_agents_listing_index', agentsListingIndex],
  ['0016_signed_request_expiry_index', signedRequestExpiryIndex],
  ['0017_signature_signer_key', signatureSignerKey],
  ['0018_slug_skeleton', slugSkeletonColumn],
  ['0019_slug_skeletons', slugSkeletonsTable],
  ['0020_capability_token_digest', capabilityTokenDigest],
  ['0021_slug_v_runs', slugVRuns],
];
