// The server still serves a revoked agent's signed manifest, with `agent_status: "revoked"`, `revoked_at` and
// `code: "AGENT_REVOKED"` beside it. verifyToolManifest refuses it (AGENT_REVOKED) though the signature verifies, so
// a consumer that checks only `valid` never trusts a revoked agent's tools. The status is not signed (the statement
// covers did, slug, hash and updated_at): it is the server's answer, so any one of its revocation marks refuses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  createOfflineVerifier,
  fetchVerifierCache,
  generateKeyPair,
  verifyToolManifest,
  VouchClient,
} from '../src/index.ts';
import type { ToolManifest, VerifierCache } from '../src/index.ts';
import { ADMIN_KEY, startLiveServer } from './aip-server.ts';
import type { LiveServer } from './aip-server.ts';

let live: LiveServer;
let anon: VouchClient;
let admin: VouchClient;

before(async () => {
  live = await startLiveServer();
  anon = new VouchClient({ baseUrl: live.url, now: () => live.clock.now() });
  admin = anon.withCredentials({ adminKey: ADMIN_KEY });
});
after(() => live.close());

async function agentWithTools(slug: string): Promise<{ did: string }> {
  const key = await generateKeyPair('Ed25519');
  const reg = await anon.identity.register({ slug, public_key_pem: key.publicKeyRegistry! });
  const mgmt = anon.withCredentials({ managementToken: reg.management_token });
  await mgmt.identity.setTools(slug, { tools: ['read_file', 'search'], tool_descriptions: {} });
  return { did: reg.did };
}

async function storedCache(): Promise<VerifierCache> {
  return JSON.parse(JSON.stringify(await fetchVerifierCache(anon))) as VerifierCache;
}

test("verifyToolManifest refuses a revoked agent's manifest with AGENT_REVOKED; its signature still verifies", async () => {
  const { did } = await agentWithTools('revoked-tools-bot');
  const cache = await storedCache();
  const active = await anon.identity.getTools('revoked-tools-bot');
  assert.equal(active.agent_status, 'unclaimed');
  assert.equal((await verifyToolManifest(active, cache)).valid, true);

  await admin.agents.revoke(did, 'compromised');
  const manifest = await anon.identity.getTools('revoked-tools-bot');
  assert.equal(manifest.agent_status, 'revoked');
  assert.equal(manifest.signature, active.signature); // the same signed manifest, now beside a revoked status
  const r = await verifyToolManifest(manifest, cache);
  assert.equal(r.valid, false);
  assert.deepEqual(r, { ...r, code: 'AGENT_REVOKED', signatureValid: true });

  // The bundled offline verifier answers the same.
  const offline = createOfflineVerifier(cache);
  assert.equal(((await offline.verifyToolManifest(manifest)) as { code?: string }).code, 'AGENT_REVOKED');

  // A tampered manifest of a revoked agent is refused for the tampering first: its signature is not the server's.
  const swapped = await verifyToolManifest({ ...manifest, agent_slug: 'other-bot' }, cache);
  assert.deepEqual(swapped, { ...swapped, valid: false, code: 'MANIFEST_SIGNATURE_INVALID' });
  assert.equal((swapped as { signatureValid?: boolean }).signatureValid, undefined);
});

test('verifyToolManifest: an active agent (unclaimed or claimed) still verifies, with its status beside it', async () => {
  await agentWithTools('active-tools-bot');
  const manifest = await anon.identity.getTools('active-tools-bot');
  const cache = await storedCache();
  assert.equal(manifest.agent_status, 'unclaimed');
  assert.equal(manifest.revoked_at, null);
  assert.equal((await verifyToolManifest(manifest, cache)).valid, true);
  assert.equal((await verifyToolManifest({ ...manifest, agent_status: 'claimed' }, cache)).valid, true);
  // A manifest from a server before agent_status (no status members) verifies on its signature, as it did.
  const { agent_status: _s, revoked_at: _r, ...older } = manifest;
  assert.equal((await verifyToolManifest(older, cache)).valid, true);
});

test('the status is not signed: editing one revocation mark leaves the others, and an unknown status is refused', async () => {
  const { did } = await agentWithTools('edited-status-bot');
  const cache = await storedCache();
  await admin.agents.revoke(did);
  const manifest = await anon.identity.getTools('edited-status-bot');
  const codeOf = async (m: ToolManifest): Promise<string | undefined> =>
    ((await verifyToolManifest(m, cache)) as { code?: string }).code;

  // Changing the status to an active one leaves revoked_at and code, and each alone refuses.
  assert.equal(await codeOf({ ...manifest, agent_status: 'claimed' }), 'AGENT_REVOKED');
  const { code: _c, error: _e, ...noCode } = manifest;
  assert.equal(await codeOf({ ...noCode, agent_status: 'claimed' }), 'AGENT_REVOKED'); // revoked_at is set
  assert.equal(await codeOf({ ...noCode, revoked_at: null }), 'AGENT_REVOKED'); // agent_status is revoked
  assert.equal(await codeOf({ ...manifest, agent_status: 'claimed', revoked_at: null }), 'AGENT_REVOKED'); // code
  // A status outside the protocol's list, or of the wrong type, is a malformed manifest, never taken as active.
  for (const agent_status of ['suspended', '', 1, null]) {
    const m = { ...noCode, agent_status, revoked_at: null } as unknown as ToolManifest;
    assert.equal(await codeOf(m), 'MANIFEST_INVALID', JSON.stringify(agent_status));
  }
  assert.equal(
    await codeOf({ ...noCode, agent_status: 'claimed', revoked_at: 5 } as unknown as ToolManifest),
    'MANIFEST_INVALID',
  );
  // Stripping every mark is what the signature cannot catch: such an answer reads as a server before agent_status.
  // docs/PROTOCOL.md says so; a consumer that needs the status fetches the manifest from the server it trusts.
  const { agent_status: _s, revoked_at: _r, ...stripped } = noCode;
  assert.equal((await verifyToolManifest(stripped, cache)).valid, true);
});
