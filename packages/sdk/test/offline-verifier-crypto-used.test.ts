// createOfflineVerifier({crypto}) takes a provider (WebCrypto in a browser, a hardware-backed one) for every check.
// No test held that its verifyToolManifest and verifyContent pass it on: dropping it (offline.ts) passed every test,
// and those checks would silently run on the default provider instead. Each helper here must call the given one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalize,
  createOfflineVerifier,
  encodeBase64,
  encodeUtf8,
  generateKeyPair,
  getDefaultCrypto,
  sha256Hex,
  TOOL_MANIFEST_TYPE,
  type CryptoProvider,
  type SignatureRecord,
  type ToolManifest,
  type VerifierCache,
} from '../src/index.ts';
import { signedMessageText } from '../src/agent/signed-message.ts';
import { aipIssuer, ISS, NOW } from './aip-fixtures.ts';

/** The default provider, counting its verify calls. */
function countingCrypto(): { crypto: CryptoProvider; verifies: () => number } {
  const inner = getDefaultCrypto();
  let verifies = 0;
  const crypto: CryptoProvider = {
    name: 'counting',
    generateKeyPair: (type) => inner.generateKeyPair(type),
    sign: (alg, key, data) => inner.sign(alg, key, data),
    verify: (alg, key, signature, data) => {
      verifies++;
      return inner.verify(alg, key, signature, data);
    },
    sha256: (data) => inner.sha256(data),
    randomBytes: (length) => inner.randomBytes(length),
  };
  return { crypto, verifies: () => verifies };
}

async function signedManifest(): Promise<{ manifest: ToolManifest; key: Record<string, unknown> }> {
  const crypto = getDefaultCrypto();
  const pair = await generateKeyPair('Ed25519');
  const tools = ['search'];
  const tool_descriptions = { search: 'web' };
  const tool_manifest_hash = await sha256Hex(canonicalize({ tools, tool_descriptions }));
  const base = {
    did: 'did:vouch:agent-1',
    agent_slug: 'bot',
    tool_manifest_hash,
    updated_at: '2026-01-01T00:00:00.000Z',
  };
  const statement = {
    type: TOOL_MANIFEST_TYPE,
    did: base.did,
    slug: base.agent_slug,
    tool_manifest_hash,
    updated_at: base.updated_at,
  };
  const signature = encodeBase64(await crypto.sign('EdDSA', pair.privateKey, encodeUtf8(canonicalize(statement))));
  const manifest = {
    ...base,
    tools,
    tool_descriptions,
    signature,
    signature_alg: 'EdDSA',
    signature_kid: pair.thumbprint,
  };
  const key = {
    ...pair.publicJwk,
    kid: pair.thumbprint,
    alg: 'EdDSA',
    use: 'sig',
    purpose: 'tool-manifest',
    status: 'active',
  };
  return { manifest: manifest as ToolManifest, key };
}

async function signedRecord(): Promise<{ content: string; hash: string; record: SignatureRecord }> {
  const crypto = getDefaultCrypto();
  const pair = await generateKeyPair('Ed25519');
  const content = 'the quarterly figures';
  const payloadHash = await sha256Hex(content, crypto);
  const signedAt = 1_735_689_600_000;
  const text = await signedMessageText(payloadHash, signedAt, undefined, crypto);
  const signature = encodeBase64(await crypto.sign('EdDSA', pair.privateKey, encodeUtf8(text)));
  const did = 'did:vouch:agent-1';
  const hash = await sha256Hex(canonicalize({ did, payloadHash, signedAt, signature }), crypto);
  const record = {
    valid: true,
    signedAt,
    payloadHash,
    signature,
    signerPublicKey: pair.publicKeyBase64!,
    agent: { did, status: 'claimed' },
  };
  return { content, hash, record: record as unknown as SignatureRecord };
}

test("the offline verifier's token, tool manifest and content checks use the crypto provider it was given", async () => {
  const a = await aipIssuer();
  const token = await a.sign(a.identity);
  const { manifest, key } = await signedManifest();
  const { content, hash, record } = await signedRecord();
  const cache = {
    discovery: { issuer: ISS, keys: a.jwks.keys },
    revocations: { jtis: [] },
    vouchKeys: { keys: [key] },
    signatures: { [hash]: record },
  } as unknown as VerifierCache;
  const { crypto, verifies } = countingCrypto();
  const v = createOfflineVerifier(cache, { crypto, now: () => NOW });
  const checks: Array<[string, () => Promise<{ valid: boolean }>]> = [
    ['verifyToken', () => v.verifyToken(token)],
    ['verifyToolManifest', () => v.verifyToolManifest(manifest)],
    ['verifyContent', () => v.verifyContent(hash, content)],
  ];
  for (const [name, check] of checks) {
    const before = verifies();
    const r = await check();
    assert.equal(r.valid, true, `${name}: ${JSON.stringify(r)}`);
    assert.equal(verifies(), before + 1, `${name} verified its signature with the given provider`);
  }
});
