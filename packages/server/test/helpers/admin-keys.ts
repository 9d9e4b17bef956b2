// GET /api/v1/admin/keys as the tests read it: every stored server key, with whether its public list still serves it.
import assert from 'node:assert/strict';
import type { TestApp } from './app.ts';

export interface AdminListedKey {
  kid: string;
  purpose: string;
  status: string;
  published: boolean;
  retired_at: string | null;
  drops_at: string | null;
}

/** The server keys the admin listing shows now (asserts a 200). */
export async function adminKeys(t: TestApp): Promise<AdminListedKey[]> {
  const res = await t.app.inject({ method: 'GET', url: '/api/v1/admin/keys', headers: { 'x-api-key': t.adminKey } });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { keys: AdminListedKey[] }).keys;
}
