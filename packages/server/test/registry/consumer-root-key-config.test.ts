// VOUCH_TRUST_REGISTRY_ROOT_KEY that is not an Ed25519 public key (here the registry id, a thumbprint, pasted in its
// place) must stop the consumer at start, naming the variable, whether or not the source answers then: it must not
// start and later answer every registry read, and every intercept of a bound token, 400 INVALID_KEY.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { generateKeyPair } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { ConfigError } from '../../src/config.ts';
import { signedGenesis } from './fixtures.ts';

eachEngine('consumer: a pinned root key that is no Ed25519 public key stops the start', async ({ open, dataDir }) => {
  const root = await generateKeyPair('Ed25519');
  const { doc } = await signedGenesis(root, ['alpha', 'bravo', 'charlie']);
  const storage = await open();
  const env = {
    // The source is down at start (no such file): nothing would call the key before the first refresh.
    VOUCH_TRUST_REGISTRY_URL: join(dataDir, 'not-yet-published.json'),
    VOUCH_TRUST_REGISTRY_ROOT_KEY: doc.registry,
  };
  await assert.rejects(
    () => makeApp(storage, { env, clock: new ManualClock(T0 + 1000) }),
    (err: unknown) =>
      err instanceof ConfigError &&
      /VOUCH_TRUST_REGISTRY_ROOT_KEY/.test(err.message) &&
      !err.message.includes('undefined'),
    'the app starts with an unusable pinned root key',
  );
});
