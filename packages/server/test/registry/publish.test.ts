// `vouch registry publish` (the real CLI binary) against a real listening server in authority mode whose root key
// was imported from the CLI's `vouch registry keygen` file.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createGenesis, generateKeyPair, parsePrivateKey, verifyRegistry, type RegistryDocument } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { runBin } from '../../../cli/test/helpers.ts';
import { get, makeIssuers } from './fixtures.ts';

const vouch = runBin;

eachEngine(
  'vouch registry publish end to end: imported root key, 201, then 200; a foreign registry is refused (exit 1)',
  async ({ open }) => {
    const base = await mkdtemp(join(tmpdir(), 'vouch-publish-'));
    try {
      const keyFile = join(base, 'root.key.json');
      const keygen = await vouch(['registry', 'keygen', '--output', keyFile], {}, base);
      assert.equal(keygen.code, 0, keygen.err);
      const keyJson = JSON.parse(await readFile(keyFile, 'utf8')) as { publicKey: string; privateKey: string };

      const clock = new ManualClock(Date.now());
      const app = await makeApp(await open(), { env: { VOUCH_REGISTRY_ROOT_KEY_FILE: keyFile }, clock });
      await app.app.listen({ host: '127.0.0.1', port: 0 });
      const url = `http://127.0.0.1:${(app.app.server.address() as AddressInfo).port}`;
      try {
        // The imported key is the published registry root key.
        const keys = (await get(app.app, '/.well-known/vouch-keys.json')).body.keys as Array<{
          purpose: string;
          x: string;
        }>;
        assert.equal(`ed25519:${keys.find((k) => k.purpose === 'registry-root')!.x}`, keyJson.publicKey);

        const is = await makeIssuers(['acme', 'bolt', 'coda']);
        const rootKey = parsePrivateKey(keyJson.privateKey, { type: 'Ed25519' });
        const doc = await createGenesis({
          rootKey,
          issuers: Object.values(is).map((i) => i.entry),
          threshold: 2,
          now: clock.now(),
        });
        const dir = join(base, 'registry');
        await mkdir(dir);
        await writeFile(join(dir, 'registry.json'), JSON.stringify(doc, null, 2));
        const env = { VOUCH_ADMIN_KEY: app.adminKey };

        const first = await vouch(['registry', 'publish', dir, '--server', url], env, base);
        assert.equal(first.code, 0, first.err);
        assert.match(first.out, /sequence 1 .*\(201\)/);
        const second = await vouch(['registry', 'publish', dir, '--server', url], env, base);
        assert.equal(second.code, 0, second.err);
        assert.match(second.out, /\(200\)/);

        const served = (await get(app.app, '/.well-known/agent-trust.json')).body as unknown as RegistryDocument;
        assert.deepEqual(served, JSON.parse(JSON.stringify(doc)));
        assert.equal((await verifyRegistry(served, { rootKey: keyJson.publicKey, now: clock.now() })).valid, true);

        // A registry signed with another root key: the server's verification refuses it (exit 1).
        const foreign = await generateKeyPair('Ed25519');
        const other = await createGenesis({
          rootKey: foreign.privateKey,
          issuers: Object.values(is).map((i) => i.entry),
          threshold: 2,
          now: clock.now(),
        });
        await writeFile(join(dir, 'registry.json'), JSON.stringify(other));
        const refused = await vouch(['registry', 'publish', dir, '--server', url], env, base);
        assert.equal(refused.code, 1, refused.out + refused.err);
        assert.match(refused.err, /REGISTRY_SIGNATURE_INVALID/);
      } finally {
        await app.app.close();
      }
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  },
  { timeout: 60_000 },
);
