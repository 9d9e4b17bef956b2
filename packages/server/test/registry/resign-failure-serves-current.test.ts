// The authority re-signs its document at half-life when it is read. A re-sign that cannot be written (a full disk, a
// database refusing writes for a while) must not make a document still in force unreadable: the readers (the
// well-known document, /v1/registry, issuer lookups, the capability gateway's intercept) were answered 500/503 for as
// long as the write failed, though the document held was valid for another half of its lifetime.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { RegistryDocument } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import type { Storage } from '../../src/storage/index.ts';
import { checkRegistryIssuer } from '../../src/modules/registry/service.ts';
import { foundersAndEcho, get } from './fixtures.ts';

const DAY = 86_400_000;

/** Makes the database refuse every rewrite of a registry document (dropped again by the function returned). */
async function refuseDocumentWrites(storage: Storage): Promise<() => Promise<void>> {
  if (storage.engine === 'sqlite') {
    await sql`create trigger refuse_doc before update on registry_documents
      begin select raise(abort, 'database or disk is full'); end`.execute(storage.db);
    return async () => void (await sql`drop trigger refuse_doc`.execute(storage.db));
  }
  // 53100: disk_full, as PostgreSQL reports it.
  await sql`create function refuse_doc() returns trigger language plpgsql as $$
    begin raise exception 'could not extend file' using errcode = '53100'; end $$`.execute(storage.db);
  await sql`create trigger refuse_doc before update on registry_documents for each row execute function refuse_doc()`.execute(
    storage.db,
  );
  return async () => {
    await sql`drop trigger refuse_doc on registry_documents`.execute(storage.db);
    await sql`drop function refuse_doc()`.execute(storage.db);
  };
}

eachEngine('a re-sign at half-life that cannot be written serves the document still in force', async ({ open }) => {
  const storage = await open();
  const app = await makeApp(storage);
  try {
    await foundersAndEcho(app);
    const first = (await get(app.app, '/.well-known/agent-trust.json')).body as unknown as RegistryDocument;
    assert.equal(Date.parse(first.expiresAt), T0 + 7 * DAY);

    const allow = await refuseDocumentWrites(storage);
    app.clock.set(T0 + 3.6 * DAY);
    const served = await get(app.app, '/.well-known/agent-trust.json');
    assert.equal(served.status, 200, JSON.stringify(served.body));
    assert.equal((served.body as unknown as RegistryDocument).updatedAt, first.updatedAt, 'the document held');
    const summary = await get(app.app, '/v1/registry');
    assert.equal(summary.status, 200, JSON.stringify(summary.body));
    assert.equal(summary.body.sequence, 1);
    const alpha = await get(app.app, '/v1/registry/issuers/alpha');
    assert.equal(alpha.status, 200, JSON.stringify(alpha.body));
    assert.equal(alpha.body.status, 'active');
    assert.equal((await checkRegistryIssuer(app.ctx, 'alpha')).status, 'active');
    assert.match(app.logs.text(), /re-sign/, 'the failed re-sign is logged');

    // Held until the last millisecond before its expiresAt, and not at it: every verifier refuses it from then on.
    app.clock.set(T0 + 7 * DAY - 1);
    const last = await get(app.app, '/.well-known/agent-trust.json');
    assert.equal(last.status, 200, JSON.stringify(last.body));
    assert.equal((last.body as unknown as RegistryDocument).updatedAt, first.updatedAt);
    app.clock.set(T0 + 7 * DAY);
    const expired = await get(app.app, '/.well-known/agent-trust.json');
    // The write's failure itself (503 for PostgreSQL's disk_full; the SQLite trigger's abort is no disk error: 500).
    assert.ok(expired.status >= 500, `${expired.status} ${JSON.stringify(expired.body)}`);

    // Writable again: the next reader re-signs.
    await allow();
    const after = (await get(app.app, '/.well-known/agent-trust.json')).body as unknown as RegistryDocument;
    assert.equal(after.updatedAt, new Date(T0 + 7 * DAY).toISOString());
    assert.equal(after.sequence, 1);
  } finally {
    await app.app.close();
  }
});
