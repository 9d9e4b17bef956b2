// Answers that name the agent's slug, when the slug changes (at another process) between the route's lookup of the
// agent and its transaction: the answer names the slug the agent held when the write committed, not the one read
// before, which another agent may hold by then. The slug change runs, through a second app on a second storage of
// the same database, just before the route's transaction begins.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { twoProcesses } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { beforeNextTransaction } from '../helpers/interleave.ts';
import { bearer, registerSlug, TEST_ENV } from './helpers.ts';

/** Just before `a`'s next transaction, `b` moves the agent from its slug to `to`, and another agent takes the old one. */
function moveSlugBeforeNextTransaction(a: TestApp, b: TestApp, agent: { did: string; slug: string }, to: string) {
  const done: { moved?: number; taken?: number } = {};
  beforeNextTransaction(a.ctx.storage.db, async () => {
    const moved = await b.app.inject({
      method: 'PUT',
      url: `/api/v1/agents/${agent.did}/slug`,
      headers: { 'x-api-key': b.adminKey },
      payload: { slug: to },
    });
    done.moved = moved.statusCode;
    const other = await registerSlug(b.app, agent.slug);
    done.taken = other.did === agent.did ? 0 : 201;
  });
  return done;
}

eachEngine('a voice fingerprint set while the slug changes answers the slug the agent holds now', async ({ open }) => {
  const { a, b } = await twoProcesses(open, TEST_ENV);
  try {
    const agent = await registerSlug(a.app, 'voice-before');
    const done = moveSlugBeforeNextTransaction(a, b, { did: agent.did, slug: 'voice-before' }, 'voice-after');
    const res = await a.app.inject({
      method: 'POST',
      url: '/v1/identity/voice-before/voice-fingerprint',
      headers: bearer(agent.managementToken),
      payload: { fingerprint_hash: 'a'.repeat(64), provider: 'acme-voice', sample_count: 3 },
    });
    assert.deepEqual(done, { moved: 200, taken: 201 }, 'the slug moved, and another agent took the old one');
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { did: string; agent_slug: string };
    assert.equal(body.did, agent.did);
    assert.equal(body.agent_slug, 'voice-after', "the answer names the agent's slug, not the one another agent holds");
  } finally {
    await a.app.close();
    await b.app.close();
  }
});

eachEngine(
  'a domain challenge asked for while the slug changes answers the slug the agent holds now',
  async ({ open }) => {
    const { a, b } = await twoProcesses(open, TEST_ENV);
    try {
      const agent = await registerSlug(a.app, 'domain-before');
      const done = moveSlugBeforeNextTransaction(a, b, { did: agent.did, slug: 'domain-before' }, 'domain-after');
      const res = await a.app.inject({
        method: 'GET',
        url: '/v1/identity/domain-before/domain-challenge?domain=agent.example.com',
        headers: bearer(agent.managementToken),
      });
      assert.deepEqual(done, { moved: 200, taken: 201 }, 'the slug moved, and another agent took the old one');
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json() as { did: string; agent_slug: string };
      assert.equal(body.did, agent.did);
      assert.equal(
        body.agent_slug,
        'domain-after',
        "the answer names the agent's slug, not the one another agent holds",
      );
    } finally {
      await a.app.close();
      await b.app.close();
    }
  },
);
