// VOUCH_TRUST_REGISTRY_TTL goes up to 30 days, but Node's timers hold at most 2^31 - 1 ms (about 24.8 days): a
// setInterval of 25 to 30 days fires after 1 ms instead (TimeoutOverflowWarning), and the consumer's refresh timer
// then fetched the registry source back to back, in every instance, for as long as the server ran.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateKeyPair } from '@vouch/sdk';
import { repeatEvery, TIMER_MAX_MS } from '../../src/timers.ts';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { consumerEnv, registrySource, signedGenesis } from './fixtures.ts';

eachEngine('a trust-registry TTL over 24.8 days arms no timer Node cuts to 1 ms', async ({ open }) => {
  const root = await generateKeyPair('Ed25519');
  const { doc } = await signedGenesis(root, ['alpha', 'bravo', 'charlie']);
  const src = await registrySource(doc);
  const overflows: string[] = [];
  const onWarning = (w: Error) => {
    if (w.name === 'TimeoutOverflowWarning') overflows.push(w.message);
  };
  process.on('warning', onWarning);
  try {
    const env = { ...consumerEnv(src.url, root), VOUCH_TRUST_REGISTRY_TTL: String(30 * 86_400) };
    const t = await makeApp(await open(), { env });
    // A warning is emitted on the next tick after the timer that overflowed was set.
    await new Promise((resolve) => setImmediate(resolve));
    await t.app.close();
    assert.deepEqual(overflows, []);
  } finally {
    process.off('warning', onWarning);
    src.server.close();
  }
});

test('repeatEvery: a period over the timer limit fires once per whole period, and stops when told', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const period = 30 * 86_400_000;
  let calls = 0;
  const stop = repeatEvery(period, () => calls++);
  t.mock.timers.tick(TIMER_MAX_MS);
  assert.equal(calls, 0, 'not after the first step of the period');
  t.mock.timers.tick(period - TIMER_MAX_MS - 1);
  assert.equal(calls, 0, 'not before the whole period');
  t.mock.timers.tick(1);
  assert.equal(calls, 1);
  // The mock runs a timer set during a tick from the tick's end: a period is ticked in its two steps.
  t.mock.timers.tick(TIMER_MAX_MS);
  t.mock.timers.tick(period - TIMER_MAX_MS);
  assert.equal(calls, 2);
  stop();
  t.mock.timers.tick(TIMER_MAX_MS);
  t.mock.timers.tick(period);
  assert.equal(calls, 2, 'nothing after stop');
});
