// Look-alike slugs (slug-skeleton.ts): a slug that reads as another agent's current slug is refused 409
// SLUG_CONFUSABLE at registration and on a slug change, and writes nothing; the unique index on held readings
// (slug_skeletons, migration 0019) lets only one of two concurrent look-alikes win. An agent may move between look-alikes of its own slug.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slugReadings, slugSkeleton } from '../../src/modules/agents/slug-skeleton.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { admin, bearer, codeOf, registerPow, registerSlug, TEST_ENV } from './helpers.ts';

const ENV = { ...TEST_ENV, VOUCH_SLUG_REGISTER_RATE_MAX: '100000' };

/** Each of these reads as the first of its row. */
const LOOK_ALIKES: readonly (readonly string[])[] = [
  ['paypal', 'paypa1', 'pay-pal', 'p-a-y-p-a-l', 'pay-pa1'],
  ['google', 'g0ogle', 'go0gle', 'g00gle', 'goo-gle'],
  ['modem', 'rnodem', 'modern', 'rnodern'],
  ['swan', 'svvan'],
  ['moss', 'mo55', 'mos5', 'rnoss'],
  ['bowl', 'b0wl', 'bovvl', 'b0vvl'],
];

/** Pairs that must stay distinct: the folds the table leaves out on purpose, and ordinary neighbours. */
const DISTINCT: readonly (readonly [string, string])[] = [
  ['mail', 'mall'],
  ['slim', 'sllm'],
  ['dog', 'clog'],
  ['dip', 'clip'],
  ['bzb', 'b2b'],
  ['abb', 'ab8'],
  ['agent-a', 'agent-b'],
  ['cat', 'car'],
  ['sun', 'svn'],
  ['wolf', 'volf'],
];

test('slug skeletons: look-alikes share one, distinct names do not', () => {
  for (const row of LOOK_ALIKES) {
    for (const s of row) assert.equal(slugSkeleton(s), slugSkeleton(row[0]!), `${s} reads as ${row[0]}`);
  }
  for (const [a, b] of DISTINCT) assert.notEqual(slugSkeleton(a), slugSkeleton(b), `${a} / ${b}`);
  assert.equal(slugSkeleton('pay-pa1'), 'paypal');
  // A skeleton is its own skeleton: folding never makes a new pair to fold.
  for (const s of ['rrnn', 'vvv', 'r-n', 'v-v-v', 'rnvvrn0'])
    assert.equal(slugSkeleton(slugSkeleton(s)), slugSkeleton(s));
  // `1` has two readings, every `1` as `l` and every `1` as `i` (mixed readings are not covered); other slugs one.
  assert.deepEqual(slugReadings('sl1m'), ['slim', 'sllm']);
  assert.deepEqual(slugReadings('n1k-1ta'), ['nikita', 'nlklta']);
  assert.deepEqual(slugReadings('pay-pal'), ['paypal']);
  assert.deepEqual(slugReadings('ma1l'), ['mail', 'mall']);
});

eachEngine('a look-alike of a held slug is refused 409 SLUG_CONFUSABLE and writes nothing', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: ENV });
  try {
    const other = await registerPow(app);
    for (const [held, ...alikes] of LOOK_ALIKES) {
      const holder = await registerSlug(app, held!);
      const before = await tableCounts(storage);
      for (const slug of alikes) {
        const reg = await app.inject({ method: 'POST', url: '/v1/identity/register', payload: { slug } });
        assert.equal(reg.statusCode, 409, `${slug}: ${reg.body}`);
        assert.equal(codeOf(reg), 'SLUG_CONFUSABLE', slug);
        assert.doesNotMatch(reg.body, new RegExp(`${held}|${holder.did}`), 'the answer names nothing');
        const put = await app.inject({
          method: 'PUT',
          url: `/api/v1/agents/${other.did}/slug`,
          headers: admin,
          payload: { slug },
        });
        assert.equal(put.statusCode, 409, `${slug}: ${put.body}`);
        assert.equal(codeOf(put), 'SLUG_CONFUSABLE', slug);
      }
      assert.deepEqual(await tableCounts(storage), before, 'nothing written');
      const row = await storage.db.selectFrom('agents').select('slug').where('id', '=', other.id).executeTakeFirst();
      assert.equal(row?.slug, null, 'the refused change left the agent without a slug');
      // The slug itself stays SLUG_TAKEN, as before.
      const same = await app.inject({ method: 'POST', url: '/v1/identity/register', payload: { slug: held } });
      assert.equal(codeOf(same), 'SLUG_TAKEN');
    }
    // Distinct names are anyone's, beside each other.
    for (const [a, b] of DISTINCT) {
      await registerSlug(app, a);
      await registerSlug(app, b);
    }
  } finally {
    await app.close();
  }
});

eachEngine(
  'an agent may move to a look-alike of its own slug; a released slug frees its look-alikes',
  async ({ open }) => {
    const storage = await open();
    const { app } = await makeApp(storage, { env: ENV });
    try {
      const holder = await registerSlug(app, 'paypal');
      const put = (did: string, token: string, slug: string) =>
        app.inject({ method: 'PUT', url: `/api/v1/agents/${did}/slug`, headers: bearer(token), payload: { slug } });
      for (const slug of ['paypa1', 'pay-pal', 'paypal']) {
        const res = await put(holder.did, holder.managementToken, slug);
        assert.equal(res.statusCode, 200, `${slug}: ${res.body}`);
        assert.equal((res.json() as { slug: string }).slug, slug);
      }
      const other = await registerSlug(app, 'other-agent');
      const refused = await put(other.did, other.managementToken, 'paypa1');
      assert.equal(codeOf(refused), 'SLUG_CONFUSABLE');

      const released = await app.inject({
        method: 'DELETE',
        url: `/api/v1/agents/${holder.did}/slug`,
        headers: bearer(holder.managementToken),
      });
      assert.equal(released.statusCode, 200, released.body);
      const taken = await put(other.did, other.managementToken, 'paypa1');
      assert.equal(taken.statusCode, 200, taken.body);
      // ... and now it is the released holder that may not come back as a look-alike.
      assert.equal(codeOf(await put(holder.did, holder.managementToken, 'paypal')), 'SLUG_CONFUSABLE');
    } finally {
      await app.close();
    }
  },
);

eachEngine('concurrent look-alike registrations and slug changes: exactly one wins', async ({ open }) => {
  const s1 = await open();
  const s2 = await open();
  const a = await makeApp(s1, { env: ENV });
  const b = await makeApp(s2, { env: ENV, kek: a.kek, clock: a.clock });
  try {
    const slugs = ['acme-bank', 'acmebank', 'acrnebank', 'acrne-bank'];
    const regs = await Promise.all(
      slugs.map((slug, i) =>
        (i % 2 === 0 ? a : b).app.inject({ method: 'POST', url: '/v1/identity/register', payload: { slug } }),
      ),
    );
    assert.equal(regs.filter((r) => r.statusCode === 201).length, 1, regs.map((r) => r.body).join('\n'));
    for (const r of regs.filter((r) => r.statusCode !== 201)) {
      assert.equal(r.statusCode, 409, r.body);
      assert.equal(codeOf(r), 'SLUG_CONFUSABLE');
    }

    const agents = [await registerPow(a.app), await registerPow(a.app), await registerPow(a.app)];
    const changes = await Promise.all(
      ['north-wind', 'northwind', 'n0rthwind'].map((slug, i) =>
        (i % 2 === 0 ? a : b).app.inject({
          method: 'PUT',
          url: `/api/v1/agents/${agents[i]!.did}/slug`,
          headers: admin,
          payload: { slug },
        }),
      ),
    );
    assert.equal(changes.filter((r) => r.statusCode === 200).length, 1, changes.map((r) => r.body).join('\n'));
    for (const r of changes.filter((r) => r.statusCode !== 200)) {
      assert.equal(r.statusCode, 409, r.body);
      assert.equal(codeOf(r), 'SLUG_CONFUSABLE');
    }
  } finally {
    await a.app.close();
    await b.app.close();
  }
});
