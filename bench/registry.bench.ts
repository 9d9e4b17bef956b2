// Trust registry verification: a registry of 1,004 issuers (4 founders at genesis, then 1,000 admissions with 3
// co-signatures each, as add proposals) verified by the SDK's verifyRegistry — every rule: root signature, hash chain, per-step
// quorum, replay, bounds — next to the limit (the same 3,001 Ed25519 verifications on raw node:crypto, one thread
// and on the threadpool) and the seed's sample verifier (@noble/ed25519, replacer-array canonicalization, one
// awaited verify after another, no root signature, no chain). All in one run, with ratios.
import { generateKeyPairSync, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import * as ed from '@noble/ed25519';
import {
  decodeBase64url,
  encodeBase64url,
  draftProposal,
  governanceStepHash,
  parsePrivateKey,
  parseRegistryDocument,
  proposalSigningBytes,
  registryDocumentSigningBytes,
  registryIdOf,
  replayGovernance,
  signRegistryDocument,
  verifyRegistry,
  type GovernanceStep,
  type IssuerEntry,
  type RegistryDocument,
} from '../packages/sdk/src/index.ts';
import { defineSuite, type BenchCase } from './lib/index.ts';

const ADMITTED = 1000;
const FOUNDERS = 4;
const COSIGNERS = 3;
const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const iso = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

interface Org {
  id: string;
  publicKey: string;
  privateKey: KeyObject;
  publicKeyObject: KeyObject;
  raw: Uint8Array;
}

function org(i: number): Org {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = decodeBase64url(publicKey.export({ format: 'jwk' }).x!);
  return {
    id: `issuer-${i}`,
    publicKey: `ed25519:${encodeBase64url(raw)}`,
    privateKey,
    publicKeyObject: publicKey,
    raw,
  };
}

function entry(o: Org): IssuerEntry {
  return {
    id: o.id,
    publicKey: o.publicKey,
    endpoint: `https://credentials.${o.id}.example`,
    registeredAt: iso(0),
    metadata: { name: `Issuer ${o.id}`, url: `https://${o.id}.example`, contact: `trust@${o.id}.example` },
    signatures: [],
  };
}

const sig = (bytes: Uint8Array, key: KeyObject): string => `ed25519:${encodeBase64url(nodeSign(null, bytes, key))}`;

/** The seed's canonical form: a replacer array of the top-level names (drops nested members). */
function seedBytes(e: IssuerEntry): Uint8Array {
  const { signatures: _s, ...payload } = e;
  return new TextEncoder().encode(JSON.stringify(payload, Object.keys(payload).sort()));
}

/** The seed's sample verifier, per entry, as published (counts signatures, not distinct signers). */
async function seedVerifyIssuerEntry(
  registry: { issuers: IssuerEntry[]; threshold: { required: number } },
  issuerId: string,
): Promise<boolean> {
  const entry = registry.issuers.find((i) => i.id === issuerId);
  if (!entry) return false;
  const { signatures, ...payload } = entry;
  const message = JSON.stringify(payload, Object.keys(payload).sort());
  const messageBytes = new TextEncoder().encode(message);
  let validSigs = 0;
  for (const s of signatures) {
    const cosigner = registry.issuers.find((i) => i.id === s.issuerId);
    if (!cosigner) continue;
    const pubKeyBytes = Buffer.from(cosigner.publicKey.replace('ed25519:', ''), 'base64url');
    const sigBytes = Buffer.from(s.signature.replace('ed25519:', ''), 'base64url');
    if (await ed.verifyAsync(sigBytes, messageBytes, pubKeyBytes)) validSigs++;
  }
  return validSigs >= registry.threshold.required;
}

interface Fixture {
  doc: RegistryDocument;
  text: string;
  rootPublicKey: string;
  /** Every signature verifyRegistry checks: (key, signature, message). */
  raw: { key: KeyObject; signature: Uint8Array; data: Uint8Array }[];
  seedRegistry: { issuers: IssuerEntry[]; threshold: { required: number } };
}

/** The fixture (exported for ad-hoc profiling; `npm run bench` uses the default export only). */
export async function buildFixture(): Promise<Fixture> {
  const rootPair = generateKeyPairSync('ed25519');
  const rootKey = parsePrivateKey(rootPair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
  const rootRaw = decodeBase64url(rootPair.publicKey.export({ format: 'jwk' }).x!);
  const rootPublicKey = `ed25519:${encodeBase64url(rootRaw)}`;
  const orgs = Array.from({ length: FOUNDERS + ADMITTED }, (_, i) => org(i));
  const byId = new Map(orgs.map((o) => [o.id, o]));

  let seed = 42; // deterministic choice of co-signers among the issuers active so far
  const next = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0), (seed >>> 8) % n);
  const genesis: GovernanceStep = {
    sequence: 1,
    kind: 'genesis',
    appliedAt: iso(1),
    registry: registryIdOf(rootPublicKey),
    rootKey: rootPublicKey,
    threshold: { required: COSIGNERS },
    issuers: orgs.slice(0, FOUNDERS).map(entry),
  };
  const governance: GovernanceStep[] = [genesis];
  const seedIssuers: IssuerEntry[] = orgs.slice(0, FOUNDERS).map(entry);
  for (let i = FOUNDERS; i < orgs.length; i++) {
    const signers = new Set<number>();
    while (signers.size < COSIGNERS) signers.add(next(i));
    const e = entry(orgs[i]!);
    const sequence = i - FOUNDERS + 2;
    const proposal = draftProposal({
      registry: genesis.registry,
      baseSequence: sequence - 1,
      action: 'add',
      entry: e,
      expiresAt: iso(60),
    });
    const bytes = proposalSigningBytes(proposal);
    const sBytes = seedBytes(e);
    const chosen = [...signers].map((k) => orgs[k]!);
    proposal.signatures = chosen.map((s) => ({
      issuerId: s.id,
      signature: sig(bytes, s.privateKey),
      signedAt: iso(2),
    }));
    seedIssuers.push({
      ...e,
      signatures: chosen.map((s) => ({ issuerId: s.id, signature: sig(sBytes, s.privateKey), signedAt: iso(2) })),
    });
    const prev = governance[governance.length - 1]!;
    governance.push({ sequence, kind: 'proposal', appliedAt: iso(2), prev: governanceStepHash(prev), proposal });
  }
  const { state, failures } = replayGovernance(governance);
  if (state === undefined || failures.length > 0) throw new Error(`fixture does not replay: ${failures[0]?.message}`);
  const doc = await signRegistryDocument(state, { rootKey, now: iso(3), validitySeconds: 365 * 86400 });

  const raw: Fixture['raw'] = [];
  for (const step of governance) {
    if (step.kind !== 'proposal') continue;
    const data = proposalSigningBytes(step.proposal);
    for (const s of step.proposal.signatures) {
      raw.push({ key: byId.get(s.issuerId)!.publicKeyObject, signature: decodeBase64url(s.signature.slice(8)), data });
    }
  }
  raw.push({
    key: rootPair.publicKey,
    signature: decodeBase64url(doc.rootSignature.slice(8)),
    data: registryDocumentSigningBytes(doc),
  });
  return {
    doc,
    text: JSON.stringify(doc),
    rootPublicKey,
    raw,
    seedRegistry: { issuers: seedIssuers, threshold: { required: COSIGNERS } },
  };
}

function rawAsync(r: Fixture['raw'][number]): Promise<boolean> {
  return new Promise((resolve, reject) =>
    nodeVerify(null, r.data, r.key, r.signature, (err, ok) => (err ? reject(err) : resolve(ok))),
  );
}

export default defineSuite({
  name: 'registry-verify',
  description: `whole registries verified per second: ${FOUNDERS + ADMITTED} issuers, ${ADMITTED * COSIGNERS} co-signatures + 1 root signature`,
  async setup(): Promise<BenchCase[]> {
    const f = await buildFixture();
    const n = f.raw.length;
    const now = Date.parse(f.doc.updatedAt) + 60_000;
    const check = await verifyRegistry(f.doc, { rootKey: f.rootPublicKey, now });
    if (!check.valid) throw new Error(`fixture does not verify: ${check.failures[0]?.message}`);
    if (!(await seedVerifyIssuerEntry(f.seedRegistry, f.seedRegistry.issuers.at(-1)!.id))) {
      throw new Error('seed fixture does not verify');
    }
    const seedVerifyAll = async (): Promise<void> => {
      for (const e of f.seedRegistry.issuers.slice(FOUNDERS)) await seedVerifyIssuerEntry(f.seedRegistry, e.id);
    };
    const RAW_SYNC = `node:crypto sync ×${n}`;
    const RAW_ASYNC = `node:crypto async ×${n}`;
    const SEED = 'seed verifier (@noble/ed25519)';
    const group = `${FOUNDERS + ADMITTED} issuers`;
    return [
      {
        group,
        name: RAW_SYNC,
        op: () => {
          for (const r of f.raw) if (!nodeVerify(null, r.data, r.key, r.signature)) throw new Error('bad signature');
        },
      },
      { group, name: RAW_ASYNC, op: () => Promise.all(f.raw.map(rawAsync)) },
      {
        group,
        name: 'SDK verifyRegistry',
        op: () => verifyRegistry(f.doc, { rootKey: f.rootPublicKey, now }),
        compareTo: [RAW_ASYNC, RAW_SYNC, SEED],
      },
      {
        group,
        name: 'SDK parseRegistryDocument + verifyRegistry',
        op: () => verifyRegistry(parseRegistryDocument(f.text), { rootKey: f.rootPublicKey, now }),
        compareTo: [RAW_ASYNC, SEED],
      },
      {
        group,
        name: SEED,
        // Seconds per registry: timed once, without the harness's unmeasured first call.
        run: async () => {
          const started = performance.now();
          await seedVerifyAll();
          const seconds = (performance.now() - started) / 1000;
          return { ops: 1, seconds, opsPerSec: 1 / seconds, meanLatencyUs: seconds * 1e6, async: true, concurrency: 1 };
        },
      },
    ];
  },
});
