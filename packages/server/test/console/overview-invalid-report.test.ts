// The overview's registry verdict (modules/console/overview.ts `registrySection`) reads "invalid" when the report on
// the document in force fails. Every test showed it only "valid" (the registry module serves only verified
// documents), so the verdict forced to "valid" passed them all. Here the console checks the document against a
// root key other than the one that signed it: the authority's root key is swapped after the registry is seeded.
import assert from 'node:assert/strict';
import { generateKeyPair } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { registryRuntime } from '../../src/modules/registry/service.ts';
import { injectCall, seedConsole } from './seed.ts';

const ENV = { VOUCH_POW_DIFFICULTY: '0', VOUCH_PUBLIC_URL: 'https://vouch.test' };

eachEngine('overview: a registry report that fails reads "invalid"', async ({ open }) => {
  const t = await makeApp(await open(), { env: ENV });
  try {
    await seedConsole(injectCall(t.app), t.clock.now());
    const verdict = async (): Promise<string | undefined> => {
      const res = await t.app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
      assert.equal(res.statusCode, 200);
      return /<span class="status status-(\w+)" id="registry-verdict">(\w+)<\/span>/.exec(res.body)?.slice(1).join();
    };
    assert.equal(await verdict(), 'valid,valid');

    const rt = registryRuntime(t.ctx);
    assert.equal(rt.mode, 'authority');
    const root = await rt.authority.rootKey();
    const other = await generateKeyPair('Ed25519');
    rt.authority.rootKey = async () => ({ ...root, publicKey: other.publicKeyRegistry! });
    // A minute on: the report on the same document is no longer reused (REPORT_TTL_MS).
    t.clock.advance(60_000);
    assert.equal(await verdict(), 'invalid,invalid');
  } finally {
    await t.app.close();
  }
});
