// `vouch registry submit` and `vouch registry cosign` (the real CLI binary) against a real listening authority
// server: a proposal submitted with one co-signature, refused signatures (exit 1), and the co-signature that reaches
// quorum applying it.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { signProposal, draftProposal } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { runBin } from '../../../cli/test/helpers.ts';
import { admin, get, makeIssuers, post, proposal, unsigned } from './fixtures.ts';

const vouch = (args: string[], cwd: string) => runBin(args, {}, cwd);

eachEngine(
  'vouch registry submit and cosign against a server: pending at 1/2, refused signatures exit 1, quorum applies',
  async ({ open }) => {
    const base = await mkdtemp(join(tmpdir(), 'vouch-proposals-'));
    // The CLI signs with the real time; the server's clock starts there so `signedAt` is inside its window.
    const clock = new ManualClock(Date.now());
    const storage = await open();
    const t = await makeApp(storage, { clock });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const server = ['--server', url];
    try {
      const is = await makeIssuers(['alpha', 'bravo', 'charlie', 'delta']);
      const keyFile = async (id: string) => {
        const file = join(base, `${id}.key.json`);
        await writeFile(file, JSON.stringify({ privateKeyPem: is[id]!.pair.privatePem }));
        return file;
      };
      const g = await post(
        t.app,
        '/v1/registry/genesis',
        { issuers: [is.alpha!, is.bravo!, is.charlie!].map((i) => i.entry), threshold: 2 },
        admin(t.adminKey),
      );
      assert.equal(g.status, 201, JSON.stringify(g.body));
      const registry = g.body.registry as string;
      const add = await proposal(
        { registry, baseSequence: 1, action: 'add', entry: unsigned(is.delta!.entry) },
        [is.alpha!],
        clock.now(),
      );
      const file = join(base, '2-add-delta.json');
      await writeFile(file, JSON.stringify(add, null, 2));

      const submitted = await vouch(['registry', 'submit', file, ...server], base);
      assert.equal(submitted.code, 0, submitted.err);
      const id = /^proposal ([0-9a-f]{64}) \(add delta\): pending, signed by 1\/2 by alpha$/m.exec(submitted.out)?.[1];
      assert.ok(id, submitted.out);
      const again = await vouch(['registry', 'submit', file, '--json', ...server], base);
      assert.equal(again.code, 0, again.err);
      assert.equal((JSON.parse(again.out) as { id: string; status: string }).id, id);

      // Refusals: a signature with the wrong key does not count (1); unknown or malformed ids (2). Nothing stored.
      const before = await tableCounts(storage);
      const wrongKey = await vouch(
        ['registry', 'cosign', id, '--key', await keyFile('charlie'), '--as', 'bravo', ...server],
        base,
      );
      assert.equal(wrongKey.code, 1, wrongKey.out + wrongKey.err);
      assert.match(wrongKey.err, /REGISTRY_SIGNATURE_REFUSED/);
      const twice = await vouch(
        ['registry', 'cosign', id, '--key', await keyFile('alpha'), '--as', 'alpha', ...server],
        base,
      );
      assert.equal(twice.code, 2, twice.err);
      assert.match(twice.err, /already signed/);
      const unknown = await vouch(
        ['registry', 'cosign', 'ab'.repeat(32), '--key', await keyFile('bravo'), '--as', 'bravo', ...server],
        base,
      );
      assert.equal(unknown.code, 2, unknown.err);
      assert.match(unknown.err, /NOT_FOUND/);
      const malformed = await vouch(
        ['registry', 'cosign', 'nope', '--key', await keyFile('bravo'), '--as', 'bravo', ...server],
        base,
      );
      assert.equal(malformed.code, 2);
      assert.deepEqual(await tableCounts(storage), before);
      assert.equal((await get(t.app, `/v1/registry/proposals/${id}`)).body.status, 'pending');

      // The second co-signature reaches quorum: the server applies the proposal in the same request.
      const cosigned = await vouch(
        ['registry', 'cosign', id, '--key', await keyFile('bravo'), '--as', 'bravo', '--json', ...server],
        base,
      );
      assert.equal(cosigned.code, 0, cosigned.err);
      const applied = JSON.parse(cosigned.out) as { status: string; appliedSequence: number };
      assert.equal(applied.status, 'applied');
      assert.equal(applied.appliedSequence, 2);
      const served = await get(t.app, '/v1/registry');
      assert.equal(served.body.sequence, 2);
      assert.equal((await get(t.app, '/v1/registry/issuers/delta')).status, 200);
      const late = await vouch(
        ['registry', 'cosign', id, '--key', await keyFile('charlie'), '--as', 'charlie', ...server],
        base,
      );
      assert.equal(late.code, 2);
      assert.match(late.err, /REGISTRY_CONFLICT/);

      // A submitted proposal whose signature does not count is refused (exit 1) and not stored.
      let forged = draftProposal({
        registry,
        baseSequence: 2,
        action: 'threshold',
        threshold: { required: 3 },
        expiresAt: new Date(clock.now() + 86_400_000),
      });
      forged = await signProposal(forged, is.alpha!.pair.privateKey, { issuerId: 'bravo' });
      const forgedFile = join(base, '3-threshold.json');
      await writeFile(forgedFile, JSON.stringify(forged));
      const counts = await tableCounts(storage);
      const refused = await vouch(['registry', 'submit', forgedFile, ...server], base);
      assert.equal(refused.code, 1, refused.out + refused.err);
      assert.match(refused.err, /REGISTRY_SIGNATURE_REFUSED/);
      assert.deepEqual(await tableCounts(storage), counts);
      // The applied proposal submitted again (a co-signature it was applied with, nothing new) shows it applied.
      const resubmitted = await vouch(['registry', 'submit', file, ...server], base);
      assert.equal(resubmitted.code, 0, resubmitted.err);
      assert.match(resubmitted.out, /^proposal [0-9a-f]{64} \(add delta\): applied as sequence 2$/m);
      assert.equal((await get(t.app, '/v1/registry')).body.sequence, 2);
    } finally {
      await t.app.close();
      await rm(base, { recursive: true, force: true });
    }
  },
  { timeout: 120_000 },
);
