// An uploaded genesis document is held to the same threshold bound as one created here: a threshold above the 1,000
// co-signatures a proposal can carry could never be met again (not even to lower it), so the registry would be
// frozen the moment it was stored. The root key signs such a document without complaint; the authority refuses it.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  applyGenesis,
  formatPublicKey,
  governanceStepHash,
  parsePrivateKey,
  REGISTRY_LIMITS,
  signRegistryDocument,
  type GenesisStep,
} from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { admin, get, makeIssuers, post } from './fixtures.ts';

eachEngine(
  'an uploaded genesis whose threshold no proposal could meet is refused, nothing stored',
  async ({ open }) => {
    const dir = await mkdtemp(join(tmpdir(), 'vouch-genesis-upload-'));
    try {
      const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      const rootKey = parsePrivateKey(pem, { type: 'Ed25519' });
      const keyFile = join(dir, 'root.key.json');
      const publicKey = formatPublicKey(rootKey.publicKey, 'registry');
      await writeFile(keyFile, JSON.stringify({ publicKey, privateKey: pem }), { mode: 0o600 });
      const storage = await open();
      const app = await makeApp(storage, { env: { VOUCH_REGISTRY_ROOT_KEY_FILE: keyFile } });

      const max = REGISTRY_LIMITS.maxSignatures;
      const ids = Array.from({ length: max + 2 }, (_, i) => `issuer-${String(i).padStart(4, '0')}`);
      const issuers = Object.values(await makeIssuers(ids)).map((i) => i.entry);
      const now = app.clock.now();
      // The highest reachable threshold, then the same genesis re-signed by the root key with one more.
      const { state } = applyGenesis({ rootKey: publicKey, issuers, threshold: max, appliedAt: now });
      const reachable = await signRegistryDocument(state, { rootKey, now });
      const step = { ...(state.governance[0] as GenesisStep), threshold: { required: max + 1 } };
      const frozen = await signRegistryDocument(
        {
          ...state,
          threshold: { ...state.threshold, required: max + 1 },
          governance: [step],
          chainHash: governanceStepHash(step),
        },
        { rootKey, now },
      );

      const before = await tableCounts(storage);
      const refused = await post(app.app, '/v1/registry/genesis', { document: frozen }, admin(app.adminKey));
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.equal(refused.body.code, 'REGISTRY_THRESHOLD_INVALID');
      assert.match(String(refused.body.error), /1000/);
      assert.deepEqual(await tableCounts(storage), before);
      assert.equal((await get(app.app, '/.well-known/agent-trust.json')).body.code, 'REGISTRY_UNAVAILABLE');

      const accepted = await post(app.app, '/v1/registry/genesis', { document: reachable }, admin(app.adminKey));
      assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
      assert.deepEqual((await get(app.app, '/v1/registry')).body.threshold, { required: max, total: max + 2 });
      await app.app.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
