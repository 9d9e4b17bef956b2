// Co-signatures made for another registry admit nobody here (docs/registry.md, "Admission"): the authority's routes
// refuse a document that admits an issuer by a co-signed entry (whose co-signatures name no registry), accept only
// add proposals made for this registry, and answer 409 (not 500) on a registry stored before this rule.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createGenesis,
  generateKeyPair,
  governanceStepHash,
  parsePrivateKey,
  registryIdOf,
  type RegistryDocument,
} from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import * as store from '../../src/modules/registry/store.ts';
import { appendForgedStep, at, NOW, rawSignEntry, type Org } from '../../../sdk/test/registry-fixtures.ts';
import { admin, cosignature, get, makeIssuers, post, proposal, unsigned, type TestIssuer } from './fixtures.ts';

const org = (i: TestIssuer): Org => ({ id: i.id, privateKey: i.pair.privateKey, publicKey: i.pair.publicKeyRegistry! });

async function authority(open: () => Promise<Parameters<typeof makeApp>[0]>, dir: string) {
  const pair = await generateKeyPair('Ed25519');
  const keyFile = join(dir, 'root.key.json');
  await writeFile(keyFile, JSON.stringify({ publicKey: pair.publicKeyRegistry, privateKey: pair.privatePem }), {
    mode: 0o600,
  });
  const storage = await open();
  const app = await makeApp(storage, {
    env: { VOUCH_REGISTRY_ROOT_KEY_FILE: keyFile },
    clock: new ManualClock(NOW.getTime()),
  });
  const root = {
    privateKey: parsePrivateKey(pair.privatePem!, { type: 'Ed25519' }),
    publicKey: pair.publicKeyRegistry!,
  };
  return { app, storage, root };
}

eachEngine(
  "entry co-signatures made for registry R1 admit nobody into this server's registry; only its own add proposal does",
  async ({ open }) => {
    const dir = await mkdtemp(join(tmpdir(), 'vouch-entry-replay-'));
    try {
      const { app, root } = await authority(open, dir);
      try {
        const is = await makeIssuers(['alpha', 'bravo', 'charlie', 'echo']);
        const founders = [is.alpha!, is.bravo!, is.charlie!];
        // alpha and bravo co-signed echo's entry file for another registry R1 (bare entry bytes, the seed's way).
        const echo = await rawSignEntry(is.echo!.entry, [[org(is.alpha!)], [org(is.bravo!)]]);

        // This server's operator, with its root key alone, builds a document admitting echo with them.
        const genesis = await createGenesis({
          rootKey: root.privateKey,
          issuers: founders.map((f) => f.entry),
          threshold: 2,
          now: at(1),
        });
        const forged = await appendForgedStep(genesis, root, {
          kind: 'admit',
          appliedAt: at(2).toISOString(),
          entry: echo,
        });
        const refused = await post(app.app, '/v1/registry/genesis', { document: forged }, admin(app.adminKey));
        assert.equal(refused.status, 400, JSON.stringify(refused.body));
        assert.equal(refused.body.code, 'REGISTRY_STEP_INVALID');
        assert.match(String(refused.body.error), /name no registry/);
        const failures = refused.body.failures as { step?: number; issuerId?: string; code: string }[];
        assert.deepEqual(
          failures.map((f) => [f.code, f.step, f.issuerId]),
          [['REGISTRY_STEP_INVALID', 2, 'echo']],
        );

        // Nothing was stored: the honest genesis is the first registry this server holds.
        const created = await post(app.app, '/v1/registry/genesis', { document: genesis }, admin(app.adminKey));
        assert.equal(created.status, 201, JSON.stringify(created.body));
        assert.equal((await get(app.app, '/v1/registry/issuers/echo')).status, 404);

        // An add proposal co-signed for R1 is refused here; the same co-signers' proposal for this registry applies.
        const r1 = registryIdOf((await generateKeyPair('Ed25519')).publicKey);
        const now = NOW.getTime();
        const forR1 = await proposal(
          { registry: r1, baseSequence: 1, action: 'add', entry: unsigned(is.echo!.entry) },
          [is.alpha!, is.bravo!],
          now,
        );
        const foreign = await post(app.app, '/v1/registry/proposals', forR1);
        assert.equal(foreign.status, 400, JSON.stringify(foreign.body));
        assert.match(String(foreign.body.error), /another registry/);
        const add = await proposal(
          { registry: genesis.registry, baseSequence: 1, action: 'add', entry: unsigned(is.echo!.entry) },
          [is.alpha!],
          now,
        );
        const posted = await post(app.app, '/v1/registry/proposals', add);
        assert.equal(posted.status, 201, JSON.stringify(posted.body));
        const id = (posted.body as { id: string }).id;
        const applied = await post(
          app.app,
          `/v1/registry/proposals/${id}/signatures`,
          cosignature(add, is.bravo!, now),
        );
        assert.equal(applied.status, 200, JSON.stringify(applied.body));
        assert.equal((await get(app.app, '/v1/registry/issuers/echo')).body.status, 'active');
      } finally {
        await app.app.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);

eachEngine(
  'a registry stored before admit steps were refused: proposals answer 409 REGISTRY_CONFLICT, never 500',
  async ({ open }) => {
    const dir = await mkdtemp(join(tmpdir(), 'vouch-entry-replay-'));
    try {
      const { app, storage, root } = await authority(open, dir);
      try {
        const is = await makeIssuers(['alpha', 'bravo', 'charlie', 'echo', 'foxtrot']);
        const genesis = await createGenesis({
          rootKey: root.privateKey,
          issuers: [is.alpha!, is.bravo!, is.charlie!].map((f) => f.entry),
          threshold: 2,
          now: at(1),
        });
        const echo = await rawSignEntry(is.echo!.entry, [[org(is.alpha!)], [org(is.bravo!)]]);
        const old: RegistryDocument = await appendForgedStep(genesis, root, {
          kind: 'admit',
          appliedAt: at(2).toISOString(),
          entry: echo,
        });
        // As an earlier version stored it (through publish, when admit steps still verified).
        await store.insertDocument(storage.db, {
          name: 'authority',
          sequence: old.sequence,
          chain_hash: governanceStepHash(old.governance.at(-1)!),
          document: JSON.stringify(old),
          updated_at: Date.parse(old.updatedAt),
          expires_at: Date.parse(old.expiresAt),
        });
        const add = await proposal(
          { registry: old.registry, baseSequence: 2, action: 'add', entry: unsigned(is.foxtrot!.entry) },
          [is.alpha!, is.bravo!],
          NOW.getTime(),
        );
        const r = await post(app.app, '/v1/registry/proposals', add);
        assert.equal(r.status, 409, JSON.stringify(r.body));
        assert.equal(r.body.code, 'REGISTRY_CONFLICT');
        assert.match(String(r.body.error), /co-signed entry at step 2/);
      } finally {
        await app.app.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
