/**
 * The identity score (0–100), exactly the Treeship table plus the two "additional verified proofs" Vouch counts.
 * Computed from an agent's current state on every read; nothing is stored. A revoked agent scores 0: its proofs
 * vouch for an identity that no longer stands.
 */
export interface ScoreInputs {
  publicKey: boolean;
  codeHash: boolean;
  modelId: boolean;
  verifiedDomain: boolean;
  /** A tool manifest declaring at least one tool (an empty one proves nothing). */
  toolManifest: boolean;
  /** Claimed by (linked to) an owner. */
  claimed: boolean;
  voiceFingerprint: boolean;
}

export type ScoreProof = 'registration' | keyof ScoreInputs;

export interface ScoreLine {
  proof: ScoreProof;
  label: string;
  /** Points this proof is worth. */
  points: number;
  /** Points earned: `points` when present, else 0. */
  earned: number;
}

export interface IdentityScore {
  score: number;
  breakdown: ScoreLine[];
  /** The agent is revoked: every line earns 0, so `score` is 0. */
  revoked: boolean;
}

/** The table, in display order. The last two are the seed's "additional verified proofs (up to 10)". */
export const SCORE_TABLE: ReadonlyArray<{ proof: ScoreProof; label: string; points: number }> = [
  { proof: 'registration', label: 'Basic registration', points: 10 },
  { proof: 'publicKey', label: 'Public key registered', points: 20 },
  { proof: 'codeHash', label: 'Code hash registered', points: 15 },
  { proof: 'modelId', label: 'Model ID specified', points: 5 },
  { proof: 'verifiedDomain', label: 'Domain verified', points: 25 },
  { proof: 'toolManifest', label: 'Tool manifest registered', points: 15 },
  { proof: 'claimed', label: 'Claimed by an owner', points: 5 },
  { proof: 'voiceFingerprint', label: 'Voice fingerprint registered', points: 5 },
];

/**
 * Scores an agent. A revoked one earns nothing on any line (the lines still list what each proof is worth): a relying
 * party reading the score alone must not take a revoked identity for a well-proven one.
 *
 * @example
 * identityScore({ publicKey: true, codeHash: true, modelId: true, verifiedDomain: false, toolManifest: false,
 *   claimed: false, voiceFingerprint: false }).score; // 50
 */
export function identityScore(inputs: ScoreInputs, { revoked = false }: { revoked?: boolean } = {}): IdentityScore {
  const breakdown = SCORE_TABLE.map(({ proof, label, points }) => {
    const present = !revoked && (proof === 'registration' ? true : inputs[proof]);
    return { proof, label, points, earned: present ? points : 0 };
  });
  return { score: breakdown.reduce((sum, l) => sum + l.earned, 0), breakdown, revoked };
}
