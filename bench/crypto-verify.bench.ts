// Signature verification throughput: the SDK (both providers) next to the limits it is built on (node:crypto,
// sync and on the threadpool) and the libraries the seeds use (@noble/ed25519, jose). All in one run.
import { createPublicKey, verify as nodeVerify, type KeyObject, type VerifyKeyObjectInput } from 'node:crypto';
import * as ed from '@noble/ed25519';
import { CompactSign, compactVerify, importJWK } from 'jose';
import {
  createNodeCryptoProvider,
  createWebCryptoProvider,
  decodeBase64url,
  encodeUtf8,
  formatPrivateKey,
  formatPublicKey,
  generateKeyPair,
  parseStrict,
  type CryptoProvider,
  type KeyType,
  type PublicKey,
  type SignatureAlgorithm,
} from '../packages/sdk/src/index.ts';
import { defineSuite, type BenchCase } from './lib/index.ts';

const IN_FLIGHT = 64;
// A message shaped like identity.app's signed string "payloadHash:signedAt".
const MESSAGE = encodeUtf8(`${'ab'.repeat(32)}:1700000000000`);

function rawVerifyAsync(
  alg: SignatureAlgorithm,
  key: KeyObject | VerifyKeyObjectInput,
  sig: Uint8Array,
): Promise<boolean> {
  return new Promise((resolve, reject) =>
    nodeVerify(alg === 'ES256' ? 'sha256' : null, MESSAGE, key, sig, (err, ok) => (err ? reject(err) : resolve(ok))),
  );
}

/** Verifies a compact JWS with the SDK: what a JWS verifier must do besides the signature itself. */
async function sdkVerifyJws(provider: CryptoProvider, jws: string, key: PublicKey): Promise<boolean> {
  const [h, p, s] = jws.split('.') as [string, string, string];
  const header = parseStrict(decodeBase64url(h)) as { alg: SignatureAlgorithm };
  const ok = await provider.verify(header.alg, key, decodeBase64url(s), encodeUtf8(`${h}.${p}`));
  decodeBase64url(p);
  return ok;
}

async function casesFor(type: KeyType): Promise<BenchCase[]> {
  const alg: SignatureAlgorithm = type === 'Ed25519' ? 'EdDSA' : 'ES256';
  const node = createNodeCryptoProvider();
  const web = createWebCryptoProvider();
  const pair = await generateKeyPair(type);
  const signature = await node.sign(alg, pair.privateKey, MESSAGE);
  const keyObject = createPublicKey(pair.publicPem);
  const rawKey = alg === 'ES256' ? { key: keyObject, dsaEncoding: 'ieee-p1363' as const } : keyObject;
  if (!(await rawVerifyAsync(alg, rawKey, signature))) throw new Error('fixture signature does not verify');

  const joseKey = await importJWK(formatPublicKey(pair.publicKey, 'jwk'), alg);
  const joseSigner = await importJWK(formatPrivateKey(pair.privateKey, 'jwk'), alg);
  const jws = await new CompactSign(MESSAGE).setProtectedHeader({ alg }).sign(joseSigner);

  const RAW_SYNC = 'node:crypto sync';
  const RAW_ASYNC = 'node:crypto async';
  const NOBLE = '@noble/ed25519';
  const JOSE = 'jose compactVerify';
  const seedLibs = type === 'Ed25519' ? [NOBLE] : [];
  const group = `${type} (${alg})`;

  const cases: BenchCase[] = [
    {
      group,
      name: RAW_SYNC,
      op: () => nodeVerify(alg === 'ES256' ? 'sha256' : null, MESSAGE, rawKey, signature),
    },
    { group, name: RAW_ASYNC, op: () => rawVerifyAsync(alg, rawKey, signature), concurrency: IN_FLIGHT },
    {
      group,
      name: 'SDK verify [node]',
      op: () => node.verify(alg, pair.publicKey, signature, MESSAGE),
      concurrency: IN_FLIGHT,
      compareTo: [RAW_ASYNC, RAW_SYNC, ...seedLibs],
    },
    {
      group,
      name: 'SDK verify [webcrypto]',
      op: () => web.verify(alg, pair.publicKey, signature, MESSAGE),
      concurrency: IN_FLIGHT,
      compareTo: [RAW_ASYNC, ...seedLibs],
    },
  ];
  if (type === 'Ed25519') {
    const rawPublic = formatPublicKey(pair.publicKey, 'raw');
    cases.push({
      group,
      name: NOBLE,
      op: () => ed.verifyAsync(signature, MESSAGE, rawPublic),
      concurrency: IN_FLIGHT,
    });
  }
  cases.push(
    { group, name: JOSE, op: () => compactVerify(jws, joseKey), concurrency: IN_FLIGHT },
    {
      group,
      name: 'SDK JWS verify [node]',
      op: () => sdkVerifyJws(node, jws, pair.publicKey),
      concurrency: IN_FLIGHT,
      compareTo: [JOSE],
    },
  );
  return cases;
}

export default defineSuite({
  name: 'crypto-verify',
  description: `signature verifications per second, async cases with ${IN_FLIGHT} in flight`,
  async setup() {
    return [...(await casesFor('Ed25519')), ...(await casesFor('P-256'))];
  },
});
