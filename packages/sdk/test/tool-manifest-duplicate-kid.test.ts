// A key list that names the manifest's signature_kid more than once is ambiguous: verifyToolManifest refuses it
// (MANIFEST_KEY_UNKNOWN) whichever entry signed, as keysFromJwks and capabilityKeysFromVouchKeys drop such a kid,
// rather than trusting whichever entry comes first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalize,
  encodeBase64,
  generateKeyPair,
  getDefaultCrypto,
  sha256Hex,
  TOOL_MANIFEST_TYPE,
  verifyToolManifest,
} from '../src/index.ts';
import type { GeneratedKeyPair, ToolManifest, VouchKeys } from '../src/index.ts';

const crypto = getDefaultCrypto();
const KID = 'tool-manifest-kid';

function listed(pair: GeneratedKeyPair, kid: string): Record<string, unknown> {
  return { ...pair.publicJwk, kid, alg: 'EdDSA', use: 'sig', purpose: 'tool-manifest', status: 'active' };
}

async function signedManifest(pair: GeneratedKeyPair, kid: string): Promise<ToolManifest> {
  const tools = ['search'];
  const tool_descriptions = { search: 'web' };
  const hash = await sha256Hex(canonicalize({ tools, tool_descriptions }));
  const base = {
    did: 'did:key:z6MkexampleAgent',
    agent_slug: 'dup-kid-bot',
    tool_manifest_hash: hash,
    updated_at: '2026-01-01T00:00:00.000Z',
  };
  const statement = {
    type: TOOL_MANIFEST_TYPE,
    did: base.did,
    slug: base.agent_slug,
    tool_manifest_hash: hash,
    updated_at: base.updated_at,
  };
  const sig = await crypto.sign('EdDSA', pair.privateKey, new TextEncoder().encode(canonicalize(statement)));
  return {
    ...base,
    tools,
    tool_descriptions,
    signature: encodeBase64(sig),
    signature_alg: 'EdDSA',
    signature_kid: kid,
  };
}

test('verifyToolManifest refuses a key list that lists the signature_kid twice, whichever entry signed', async () => {
  const genuine = await generateKeyPair('Ed25519');
  const other = await generateKeyPair('Ed25519');
  const manifest = await signedManifest(genuine, KID);
  const vouchKeys = (keys: Array<Record<string, unknown>>) => ({ vouchKeys: { keys } as unknown as VouchKeys });

  // the fixture verifies when the kid is listed once
  assert.equal((await verifyToolManifest(manifest, vouchKeys([listed(genuine, KID)]))).valid, true);

  for (const keys of [
    [listed(genuine, KID), listed(other, KID)],
    [listed(other, KID), listed(genuine, KID)],
    [listed(genuine, KID), listed(genuine, KID)],
  ]) {
    const r = await verifyToolManifest(manifest, vouchKeys(keys));
    assert.deepEqual(r, { ...r, valid: false, code: 'MANIFEST_KEY_UNKNOWN' });
  }
  // another kid listed twice leaves this one unambiguous
  const elsewhere = [listed(genuine, KID), listed(other, 'other-kid'), listed(other, 'other-kid')];
  assert.equal((await verifyToolManifest(manifest, vouchKeys(elsewhere))).valid, true);
});
