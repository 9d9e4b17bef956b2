// `1` read as `l` and as `i` (slug-skeleton.ts, slugReadings): a slug with a `1` is refused 409 SLUG_CONFUSABLE beside
// a held slug matching either reading, in both orders, at registration and on a slug change; `i` and `l` themselves
// stay apart; the unique index on held readings lets one of two concurrent look-alikes win. When a look-alike pair's
// holder lets its slug go, its readings pass (in the same transaction) to the oldest remaining look-alike.
import assert from 'node:assert/strict';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { admin, bearer, codeOf, registerPow, registerSlug, TEST_ENV } from './helpers.ts';
import { rewindTo0018 } from '../helpers/slug-skeletons.ts';

const ENV = { ...TEST_ENV, VOUCH_SLUG_REGISTER_RATE_MAX: '100000' };

/** Each pair reads alike once `1` is read as `i`; none of them is reserved. */
const I_PAIRS: readonly (readonly [string, string])[] = [
  ['mike', 'm1ke'],
  ['skipper', 'sk1pper'],
  ['nikita', 'n1k1ta'],
  ['kiwi-bot', 'k1w1bot'],
];

eachEngine('1 read as i: a look-alike is refused 409 SLUG_CONFUSABLE in both orders', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: ENV });
  try {
    const mover = await registerPow(app);
    for (const [plain, one] of I_PAIRS) {
      for (const [first, second] of [
        [plain, one],
        [one, plain],
      ] as const) {
        const holder = await registerSlug(app, first);
        const reg = await app.inject({ method: 'POST', url: '/v1/identity/register', payload: { slug: second } });
        assert.equal(reg.statusCode, 409, `${second} beside ${first}: ${reg.body}`);
        assert.equal(codeOf(reg), 'SLUG_CONFUSABLE');
        assert.doesNotMatch(reg.body, new RegExp(`${first}|${holder.id}`), 'the answer names nothing');
        const put = await app.inject({
          method: 'PUT',
          url: `/api/v1/agents/${mover.did}/slug`,
          headers: admin,
          payload: { slug: second },
        });
        assert.equal(put.statusCode, 409, `${second} beside ${first}: ${put.body}`);
        assert.equal(codeOf(put), 'SLUG_CONFUSABLE');
        assert.doesNotMatch(put.body, new RegExp(`${first}|${holder.id}`), 'the answer names nothing');
        // Released, it frees both readings.
        const del = await app.inject({
          method: 'DELETE',
          url: `/api/v1/agents/${holder.did}/slug`,
          headers: bearer(holder.managementToken),
        });
        assert.equal(del.statusCode, 200, del.body);
      }
    }
    // `1` still reads as `l`.
    await registerSlug(app, 'paypal');
    const l = await app.inject({ method: 'POST', url: '/v1/identity/register', payload: { slug: 'paypa1' } });
    assert.equal(codeOf(l), 'SLUG_CONFUSABLE');
  } finally {
    await app.close();
  }
});

eachEngine('i and l stay distinct: mail and mall are both allowed; ma1l reads as either', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: ENV });
  try {
    await registerSlug(app, 'mail');
    await registerSlug(app, 'mall');
    await registerSlug(app, 'slim');
    await registerSlug(app, 'sllm');
    for (const slug of ['ma1l', 'sl1m']) {
      const reg = await app.inject({ method: 'POST', url: '/v1/identity/register', payload: { slug } });
      assert.equal(codeOf(reg), 'SLUG_CONFUSABLE', slug);
    }
    // An agent may move between the readings of its own slug.
    const own = await registerSlug(app, 'k1to');
    for (const slug of ['kito', 'klto', 'k1to']) {
      const put = await app.inject({
        method: 'PUT',
        url: `/api/v1/agents/${own.did}/slug`,
        headers: bearer(own.managementToken),
        payload: { slug },
      });
      assert.equal(put.statusCode, 200, `${slug}: ${put.body}`);
    }
  } finally {
    await app.close();
  }
});

eachEngine('concurrent look-alikes read through 1 as i: exactly one wins', async ({ open }) => {
  const s1 = await open();
  const s2 = await open();
  const a = await makeApp(s1, { env: ENV });
  const b = await makeApp(s2, { env: ENV, kek: a.kek, clock: a.clock });
  try {
    for (const pair of [
      ['mike', 'm1ke'],
      ['s1lk', 'silk'],
      ['b1ll', 'bill'],
    ]) {
      const regs = await Promise.all(
        pair.map((slug, i) =>
          (i % 2 === 0 ? a : b).app.inject({ method: 'POST', url: '/v1/identity/register', payload: { slug } }),
        ),
      );
      assert.equal(regs.filter((r) => r.statusCode === 201).length, 1, regs.map((r) => r.body).join('\n'));
      for (const r of regs.filter((r) => r.statusCode !== 201)) {
        assert.equal(r.statusCode, 409, r.body);
        assert.equal(codeOf(r), 'SLUG_CONFUSABLE');
      }
    }
    const agents = [await registerPow(a.app), await registerPow(a.app)];
    const changes = await Promise.all(
      ['nikita', 'n1k1ta'].map((slug, i) =>
        (i % 2 === 0 ? a : b).app.inject({
          method: 'PUT',
          url: `/api/v1/agents/${agents[i]!.did}/slug`,
          headers: admin,
          payload: { slug },
        }),
      ),
    );
    assert.equal(changes.filter((r) => r.statusCode === 200).length, 1, changes.map((r) => r.body).join('\n'));
    for (const r of changes.filter((r) => r.statusCode !== 200)) assert.equal(codeOf(r), 'SLUG_CONFUSABLE');
  } finally {
    await a.app.close();
    await b.app.close();
  }
});

eachEngine(
  'a legacy look-alike pair: when the holder lets its slug go, the oldest remaining look-alike holds the reading',
  async ({ open }) => {
    const storage = await open();
    const t = await makeApp(storage, { env: ENV });
    const agents: Record<string, { id: string; did: string; managementToken: string }> = {};
    // Registered in this order, one millisecond apart, then renamed as a server before look-alike refusal allowed.
    for (const name of ['agent-a', 'agent-c', 'agent-b', 'agent-m', 'agent-n', 'agent-x']) {
      agents[name] = await registerSlug(t.app, name);
      t.clock.advance(1);
    }
    await t.app.close();
    await rewindTo0018(storage, {
      [agents['agent-a']!.id]: 'paypal',
      [agents['agent-c']!.id]: 'pay-pal',
      [agents['agent-b']!.id]: 'paypa1',
      [agents['agent-m']!.id]: 'mike',
      [agents['agent-n']!.id]: 'm1ke',
    });
    const migrated = await open();
    const { app } = await makeApp(migrated, { env: ENV, kek: t.kek, clock: t.clock });
    try {
      const register = (slug: string) =>
        app.inject({ method: 'POST', url: '/v1/identity/register', payload: { slug } });
      const put = (name: string, slug: string) =>
        app.inject({
          method: 'PUT',
          url: `/api/v1/agents/${agents[name]!.did}/slug`,
          headers: bearer(agents[name]!.managementToken),
          payload: { slug },
        });
      const release = (name: string) =>
        app.inject({
          method: 'DELETE',
          url: `/api/v1/agents/${agents[name]!.did}/slug`,
          headers: bearer(agents[name]!.managementToken),
        });
      assert.equal(codeOf(await register('p-aypal')), 'SLUG_CONFUSABLE');
      // The holder moves away (a change): pay-pal (agent-c, older than agent-b) now holds the reading.
      assert.equal((await put('agent-a', 'elsewhere')).statusCode, 200);
      const holderOf = async (skeleton: string) =>
        (
          await migrated.db
            .selectFrom('slug_skeletons')
            .select('agent_id')
            .where('skeleton', '=', skeleton)
            .where('held', '=', 1)
            .execute()
        ).map((r) => r.agent_id);
      assert.deepEqual(await holderOf('paypal'), [agents['agent-c']!.id], 'the oldest remaining look-alike');
      assert.equal(codeOf(await register('p-aypal')), 'SLUG_CONFUSABLE');
      assert.equal(codeOf(await put('agent-x', 'paypa-l')), 'SLUG_CONFUSABLE');
      assert.equal(codeOf(await put('agent-a', 'paypal')), 'SLUG_CONFUSABLE', 'the old holder cannot come back');
      // It releases too: paypa1 (agent-b) holds it; once it lets go, the reading is anyone's.
      assert.equal((await release('agent-c')).statusCode, 200);
      assert.deepEqual(await holderOf('paypal'), [agents['agent-b']!.id]);
      assert.equal(codeOf(await register('p-aypal')), 'SLUG_CONFUSABLE');
      assert.equal((await put('agent-b', 'paypa1')).statusCode, 200, 'its own slug stays its to set again');
      assert.equal(codeOf(await register('p-aypal')), 'SLUG_CONFUSABLE');
      assert.equal((await release('agent-b')).statusCode, 200);
      assert.equal((await register('p-aypal')).statusCode, 201);

      // Read through 1 as i: mike (older) held `mike`; m1ke held only `mlke`. mike's release hands `mike` over.
      assert.equal(codeOf(await register('mlke')), 'SLUG_CONFUSABLE');
      assert.equal((await release('agent-m')).statusCode, 200);
      for (const slug of ['mike', 'mi-ke']) assert.equal(codeOf(await register(slug)), 'SLUG_CONFUSABLE', slug);
      assert.equal(codeOf(await put('agent-m', 'mike')), 'SLUG_CONFUSABLE');
    } finally {
      await app.close();
    }
  },
);
