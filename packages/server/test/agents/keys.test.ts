import assert from 'node:assert/strict';
import { parsePublicKey } from '@vouch/sdk';
import { loadConfig } from '../../src/config.ts';
import { startServer } from '../../src/start.ts';
import { eachEngine } from '../helpers/storage.ts';
import { serverEnv } from '../helpers/app.ts';

eachEngine(
  'a started server publishes its tool-manifest key at /.well-known/vouch-keys.json',
  async ({ engine, options }) => {
    const env = serverEnv(engine, options);
    const server = await startServer(loadConfig(env));
    try {
      const res = await fetch(`${server.address}/.well-known/vouch-keys.json`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('cache-control') ?? '', /max-age=/);
      const { keys } = (await res.json()) as { keys: Array<Record<string, string>> };
      // Ed25519 keys only, each with its purpose (the ES256 token keys are published by the tokens JWKS).
      for (const k of keys) {
        assert.equal(k.kty, 'OKP');
        assert.equal(k.crv, 'Ed25519');
        assert.equal(k.alg, 'EdDSA');
        assert.equal(k.use, 'sig');
        assert.equal('d' in k, false, 'no private member');
        assert.equal(typeof k.purpose, 'string');
      }
      const manifestKeys = keys.filter((k) => k.purpose === 'tool-manifest');
      assert.equal(manifestKeys.length, 1, 'the tool-manifest key was made at start');
      assert.equal(manifestKeys[0]!.status, 'active');
      assert.equal(parsePublicKey({ kty: 'OKP', crv: 'Ed25519', x: manifestKeys[0]!.x }).type, 'Ed25519');
    } finally {
      await server.close();
    }
  },
);
