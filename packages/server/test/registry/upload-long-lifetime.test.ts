// The authority signs for VOUCH_REGISTRY_VALIDITY, and consumers bound the lifetime they accept just above it
// (VOUCH_TRUST_REGISTRY_MAX_LIFETIME, docs/registry.md "Lifetime"). A genesis uploaded by `vouch registry publish`
// was signed by the CLI for its own --validity (30 days, years): the authority served it as uploaded until half of
// that lifetime, so its consumers refused the registry (REGISTRY_LIFETIME_EXCEEDED) and anyone could replay that
// document for years. A document held that is valid for longer than the authority signs for is re-signed at once,
// dated no earlier than its last step (a CLI whose clock is ahead of the server's dated it in the server's future).
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGenesis, formatPublicKey, parsePrivateKey, verifyRegistry, type RegistryDocument } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { admin, get, makeIssuers, post } from './fixtures.ts';

const HOUR = 3600;

for (const ahead of [0, 600_000]) {
  eachEngine(
    `an uploaded genesis signed for longer than VOUCH_REGISTRY_VALIDITY is served re-signed (dated +${ahead} ms)`,
    async ({ open }) => {
      const dir = await mkdtemp(join(tmpdir(), 'vouch-genesis-lifetime-'));
      try {
        const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
        const rootKey = parsePrivateKey(pem, { type: 'Ed25519' });
        const publicKey = formatPublicKey(rootKey.publicKey, 'registry');
        const keyFile = join(dir, 'root.key.json');
        await writeFile(keyFile, JSON.stringify({ publicKey, privateKey: pem }), { mode: 0o600 });
        const env = { VOUCH_REGISTRY_ROOT_KEY_FILE: keyFile, VOUCH_REGISTRY_VALIDITY: String(HOUR) };
        const app = await makeApp(await open(), { env });
        try {
          const issuers = Object.values(await makeIssuers(['alpha', 'bravo', 'charlie'])).map((i) => i.entry);
          const uploaded = await createGenesis({
            rootKey,
            issuers,
            threshold: 2,
            now: app.clock.now() + ahead,
            validitySeconds: 365 * 24 * HOUR,
          });
          const res = await post(app.app, '/v1/registry/genesis', { document: uploaded }, admin(app.adminKey));
          assert.equal(res.status, 201, JSON.stringify(res.body));

          // Read in the millisecond of the upload: the re-signed document keeps its updatedAt, not its expiry.
          const served = (await get(app.app, '/.well-known/agent-trust.json')).body as unknown as RegistryDocument;
          assert.equal(served.sequence, 1);
          assert.ok(
            Date.parse(served.expiresAt) - Date.parse(served.updatedAt) <= HOUR * 1000,
            `served valid from ${served.updatedAt} to ${served.expiresAt}`,
          );
          // What a consumer bounding the lifetime a little above the authority's validity (and the skew) reads.
          const report = await verifyRegistry(served, {
            rootKey: publicKey,
            now: app.clock.now(),
            maxLifetimeSeconds: HOUR + ahead / 1000 + 60,
          });
          assert.equal(report.valid, true, JSON.stringify(report.failures));
          assert.equal(report.chainHash, res.body.chainHash);
          const summary = (await get(app.app, '/v1/registry')).body;
          assert.equal(summary.expiresAt, served.expiresAt);

          // And it is re-signed again past its own half-life (as any document: a new updatedAt).
          app.clock.set(Date.parse(served.updatedAt) + (HOUR / 2) * 1000 + 1000);
          const renewed = (await get(app.app, '/.well-known/agent-trust.json')).body as unknown as RegistryDocument;
          assert.equal(renewed.updatedAt, new Date(app.clock.now()).toISOString());
          assert.equal(Date.parse(renewed.expiresAt), app.clock.now() + HOUR * 1000);
        } finally {
          await app.app.close();
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
}
