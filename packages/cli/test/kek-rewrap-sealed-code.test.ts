// `vouch kek rewrap` over a stored key that does not open under the current KEK is refused with exit 2 and the
// server's SEALED_INVALID at the end of the message, as KEK_* and DATABASE_* refusals are. Nothing tested the SEALED_
// part of that pattern: removing it from kek.ts left every test passing, though the refusal then surfaced as an
// unexpected error without its stable code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ensureServerKey } from '../../server/src/storage/index.ts';
import { kekDeployment, rewrapToNewKek } from './kek-deployment.ts';

test('kek rewrap: a stored key that does not open is exit 2 ending with (SEALED_INVALID)', async (t) => {
  const { dataDir, storage, kek } = await kekDeployment(t);
  const bad = await ensureServerKey(storage, kek, 'receipts', 'EdDSA', 1);
  // Well-formed, but sealed under no key this database knows.
  const part = (n: number) => randomBytes(n).toString('base64url');
  const sealed = `v1.${part(12)}.${part(48)}.${part(16)}`;
  await storage.db.updateTable('server_keys').set({ private_sealed: sealed }).where('kid', '=', bad.kid).execute();
  await storage.close();

  const r = await rewrapToNewKek(dataDir);
  assert.equal(r.code, 2, r.err);
  assert.equal(r.out, '');
  assert.match(r.err, new RegExp(`^vouch: The receipts key ${bad.kid}: .* \\(SEALED_INVALID\\)\\n$`));
});
