/**
 * Bounds on registry input, so that a hostile file costs bounded work before its signatures are even checked.
 * Generous for real registries (the seed has 8 issuers; the benchmark verifies 1,004).
 */
export const REGISTRY_LIMITS = Object.freeze({
  /** Active issuers in one registry (and entries in the genesis step). */
  maxIssuers: 10_000,
  /** Co-signatures on one entry or proposal. */
  maxSignatures: 1_000,
  /** Governance steps in one document. */
  maxSteps: 100_000,
  /** Bytes of a registry document accepted by `parseRegistryDocument` unless told otherwise. */
  maxDocumentBytes: 64 * 1024 * 1024,
  /** Bytes of an entry or proposal file. */
  maxFileBytes: 1024 * 1024,
});
