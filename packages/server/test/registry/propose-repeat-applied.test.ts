// The SDK retries `POST /v1/registry/proposals` after a lost answer (the route is idempotent: the same proposal again
// answers its state). When the first attempt reached quorum and applied, the retry must say so, not 409
// `REGISTRY_CONFLICT` ("applied already"), which reported the caller's success as a failure. Only the very same
// proposal is such a repeat: the same id (content) and no co-signature the applied record does not hold.
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VouchClient } from '@vouch/sdk';
import { listAudit } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { afterNextPoolQuery } from '../helpers/interleave.ts';
import { addEcho, cosignature, foundersAndEcho, get, post } from './fixtures.ts';

eachEngine('the same applying proposal posted again answers its applied state, 200', async ({ open }) => {
  const storage = await open();
  const t = await makeApp(storage);
  try {
    const { is, registry } = await foundersAndEcho(t);
    const now = t.clock.now();
    const add = await addEcho(registry, is, [is.alpha!, is.bravo!], now);
    const first = await post(t.app, '/v1/registry/proposals', add);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.body.status, 'applied');

    const again = await post(t.app, '/v1/registry/proposals', add);
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.id, first.body.id);
    assert.equal(again.body.status, 'applied');
    assert.equal(again.body.appliedSequence, 2);
    assert.deepEqual(again.body.quorum, first.body.quorum);
    assert.deepEqual(again.body.proposal, first.body.proposal);

    // Posted with fewer of the signatures it was applied with (the file as first submitted): a repeat too.
    const fewer = await post(t.app, '/v1/registry/proposals', { ...add, signatures: add.signatures.slice(0, 1) });
    assert.equal(fewer.status, 200, JSON.stringify(fewer.body));
    assert.equal(fewer.body.status, 'applied');

    // Applied once: the registry did not move and there is one application on record.
    assert.equal((await get(t.app, '/v1/registry')).body.sequence, 2);
    assert.equal((await listAudit(storage.db, { action: 'registry.apply' })).length, 1);

    // Not a repeat: a co-signature the applied proposal does not hold, or one of its own altered.
    const more = await post(t.app, '/v1/registry/proposals', {
      ...add,
      signatures: [...add.signatures, cosignature(add, is.charlie!, now)],
    });
    assert.equal(more.status, 409, JSON.stringify(more.body));
    assert.equal(more.body.code, 'REGISTRY_CONFLICT');
    const [alpha, bravo] = add.signatures;
    const altered = await post(t.app, '/v1/registry/proposals', {
      ...add,
      signatures: [alpha, { ...bravo!, signedAt: new Date(now + 1000).toISOString() }],
    });
    assert.equal(altered.status, 409, JSON.stringify(altered.body));
    assert.equal(altered.body.code, 'REGISTRY_CONFLICT');
    const unsigned = await post(t.app, '/v1/registry/proposals', { ...add, signatures: [] });
    assert.equal(unsigned.status, 409, JSON.stringify(unsigned.body));
  } finally {
    await t.app.close();
  }
});

eachEngine(
  'the SDK retrying a proposal whose answer was lost after it applied reports it applied',
  async ({ open }) => {
    const storage = await open();
    const t = await makeApp(storage);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (t.app.server.address() as AddressInfo).port;
    // A loopback proxy that forwards every request, and cuts the first one's connection once the server answered it.
    let forwarded = 0;
    const proxy = createServer((req, res) => {
      const n = ++forwarded;
      const out = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (a) => {
        if (n === 1) {
          a.resume();
          a.on('end', () => res.socket?.destroy());
          return;
        }
        res.writeHead(a.statusCode!, a.headers);
        a.pipe(res);
      });
      out.on('error', (err) => res.destroy(err));
      req.pipe(out);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const { is, registry } = await foundersAndEcho(t);
      const add = await addEcho(registry, is, [is.alpha!, is.bravo!], t.clock.now());
      const client = new VouchClient({
        baseUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
        retry: { retries: 1 },
        sleep: async () => {},
      });
      const answer = await client.registry.propose(add);
      assert.equal(forwarded, 2, 'the first answer was lost and the call retried');
      assert.equal(answer.status, 'applied');
      assert.equal(answer.appliedSequence, 2);
      assert.equal((await get(t.app, '/v1/registry/issuers/echo')).body.status, 'active');
      assert.equal((await listAudit(storage.db, { action: 'registry.apply' })).length, 1);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
      await t.app.close();
    }
  },
);

// The retry sent to another process while the first attempt is still under way: it applies between the retry's reads.
for (const [after, table] of [
  ['its read of the registry', /registry_documents/],
  ['its read of the proposal, before the lock', /registry_proposals/],
] as const) {
  eachEngine(
    `a repeat that finds the proposal applied meanwhile, after ${after}, answers its applied state`,
    async ({ open }) => {
      const a = await makeApp(await open());
      const bStorage = await open();
      const b = await makeApp(bStorage, { kek: a.kek, clock: a.clock });
      try {
        const { is, registry } = await foundersAndEcho(a);
        const add = await addEcho(registry, is, [is.alpha!, is.bravo!], a.clock.now());
        let first: Awaited<ReturnType<typeof post>> | undefined;
        afterNextPoolQuery(bStorage.db, table, async () => {
          first = await post(a.app, '/v1/registry/proposals', add);
        });
        const retry = await post(b.app, '/v1/registry/proposals', add);
        assert.equal(first?.status, 201, JSON.stringify(first?.body));
        assert.equal(first.body.status, 'applied');
        assert.equal(retry.status, 200, JSON.stringify(retry.body));
        assert.equal(retry.body.status, 'applied');
        assert.deepEqual(retry.body.quorum, first.body.quorum);
        assert.equal((await get(b.app, '/v1/registry')).body.sequence, 2);
      } finally {
        await a.app.close();
        await b.app.close();
      }
    },
  );
}
