// `POST /v1/registry/genesis {issuers, threshold}` sent again is "200, the same registry again" (PROTOCOL.md): the
// founders are compared as registry entries, so a retry whose entries carry `$schema` (allowed, never signed nor
// stored) or list their members in another order is the same genesis, not 409 REGISTRY_EXISTS.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { admin, makeIssuers, post } from './fixtures.ts';

eachEngine('a retried genesis with $schema members or another member order answers 200', async ({ open }) => {
  const app = await makeApp(await open());
  try {
    const is = await makeIssuers(['alpha', 'bravo', 'charlie']);
    const withSchema = Object.values(is).map((i) => ({ $schema: '../schemas/issuer.schema.json', ...i.entry }));
    const genesis = (issuers: unknown[], threshold: number) =>
      post(app.app, '/v1/registry/genesis', { issuers, threshold }, admin(app.adminKey));
    const created = await genesis(withSchema, 2);
    assert.equal(created.status, 201, JSON.stringify(created.body));

    const retry = await genesis(withSchema, 2);
    assert.equal(retry.status, 200, `the same request again: ${retry.status} ${JSON.stringify(retry.body)}`);
    assert.equal(retry.body.chainHash, created.body.chainHash);

    const reordered = Object.values(is).map((i) => {
      const { signatures, metadata, ...rest } = i.entry;
      return { signatures, metadata: { ...metadata }, ...rest };
    });
    const again = await genesis(reordered, 2);
    assert.equal(
      again.status,
      200,
      `the same founders, members reordered: ${again.status} ${JSON.stringify(again.body)}`,
    );

    const other = await genesis(withSchema, 3);
    assert.equal(other.status, 409, JSON.stringify(other.body));
    assert.equal(other.body.code, 'REGISTRY_EXISTS');
  } finally {
    await app.app.close();
  }
});
