export { VouchAgent, consentPayload, CONSENT_PAYLOAD_TYPE, reportStatement } from './agent.ts';
export type { SignedContent, TokenRequest, CapabilityTokenRequest } from './agent.ts';
export { createAgentIdentity } from './create.ts';
export type { CreateAgentIdentityOptions, CreatedAgent } from './create.ts';
export { registrationStatement, signKeyProof } from './key-proof.ts';
export type { KeyProof } from './key-proof.ts';
export { proofOfWork } from './pow.ts';
export { signedMessageText } from './signed-message.ts';
export type { ProofOfWorkOptions } from './pow.ts';
