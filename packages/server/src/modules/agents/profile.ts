// An agent's public profile, as `GET /v1/identity/{slug}` returns it and `/verify/{slug}` shows it.
import { formatPublicKey } from '@vouch/sdk';
import type { AppContext } from '../../context.ts';
import { didOf } from './ids.ts';
import { keyProven, parseAgentRef, scoreOfProfile, storedKey } from './service.ts';
import type { IdentityScore } from './score.ts';
import * as store from './store.ts';
import type { ProfileRow, ProofRow } from './store.ts';
import { storedTools } from './tool-manifest.ts';

export interface VerifiedProof {
  type: string;
  value: string;
  /** ISO-8601. */
  verified_at: string;
}

export interface LoadedProfile {
  row: ProfileRow;
  proofs: ProofRow[];
  score: IdentityScore;
}

/** Loads what a profile shows (one or two queries), by DID, internal id or slug; undefined when there is none. */
export async function loadProfile(ctx: AppContext, ref: string): Promise<LoadedProfile | undefined> {
  const by = parseAgentRef(ref);
  if (by === undefined) return undefined;
  for (let read = 1; ; read++) {
    const row = await store.findProfile(ctx.storage.db, by);
    if (row === undefined) return undefined;
    // Every stored proof is a domain proof: recording one sets verified_domain, and a lapsed one hands it to the
    // agent's latest remaining proof (or clears it when none is left). Without a verified domain there is nothing to
    // list, and the second query is skipped.
    if (row.verified_domain === null) return { row, proofs: [], score: scoreOfProfile(row) };
    const listed = await store.listProofsAsOf(ctx.storage.db, ctx.storage.engine, row.id);
    // The proofs of the row's moment: a proof recorded or lapsed between the two reads moved the agent's updated_at
    // (and perhaps its verified domain), and the profile is read again rather than answered half old, half new.
    const sameMoment =
      listed !== undefined &&
      listed.updatedAt === Number(row.updated_at) &&
      listed.verifiedDomain === row.verified_domain;
    if (sameMoment || read === MAX_PROFILE_READS) {
      return { row, proofs: listed?.proofs ?? [], score: scoreOfProfile(row) };
    }
  }
}

/** Reads of a profile that changes while it is read, before the last one is answered as it is. */
const MAX_PROFILE_READS = 3;

const iso = (ms: number): string => new Date(ms).toISOString();

/** Verified proofs, oldest first: the stored ones (domains) and the owner link when the agent is claimed. */
export function verifiedProofs(p: LoadedProfile): VerifiedProof[] {
  const out = p.proofs.map((r) => ({ type: r.type, value: r.value, verified_at: r.verified_at }));
  if (p.row.owner_handle !== null && p.row.claimed_at !== null) {
    out.push({ type: 'owner', value: p.row.owner_handle, verified_at: p.row.claimed_at });
  }
  return out
    .sort((a, b) => a.verified_at - b.verified_at || a.type.localeCompare(b.type))
    .map((r) => ({ ...r, verified_at: iso(r.verified_at) }));
}

/** ISO-8601 time of the last check of the agent's verified domain, or null. */
export function domainCheckedAt(p: LoadedProfile): string | null {
  const proof = p.proofs.find((r) => r.type === 'domain' && r.value === p.row.verified_domain);
  return proof === undefined ? null : iso(proof.checked_at);
}

/** The Treeship `GET /v1/identity/{slug}` body, plus `did`, status, owner, score breakdown and keys. */
export function profileJson(ctx: AppContext, p: LoadedProfile): Record<string, unknown> {
  const { row } = p;
  const key = storedKey(row.public_key);
  return {
    slug: row.slug,
    did: didOf(row.id),
    name: row.name,
    description: row.description,
    status: row.status,
    identity_score: p.score.score,
    identity_score_breakdown: p.score.breakdown.map((l) => ({
      proof: l.proof,
      label: l.label,
      points: l.points,
      earned: l.earned,
    })),
    verified_proofs: verifiedProofs(p),
    public_key: row.public_key,
    public_key_pem: key === null ? null : formatPublicKey(key, 'pem'),
    // Whether the key's holder proved it holds the private key (registration proof or rotation); see PROTOCOL.md.
    key_proven: keyProven(row),
    code_hash: row.code_hash,
    model_id: row.model_id,
    verified_domain: row.verified_domain,
    // When the verified domain was last checked (re-checks, docs/PROTOCOL.md "Domain proofs"); null without one.
    domain_checked_at: domainCheckedAt(p),
    tool_manifest_hash: row.manifest_hash,
    tools: storedTools(row.manifest_tools),
    owner: row.owner_handle === null ? null : { name: row.owner_name, handle: row.owner_handle },
    voice_fingerprint:
      row.voice_provider === null ? null : { provider: row.voice_provider, sample_count: row.voice_sample_count },
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    revoked_at: row.revoked_at === null ? null : iso(row.revoked_at),
    public_url: `${ctx.config.publicUrl}/verify/${row.slug ?? row.id}`,
  };
}
