// The key list at /.well-known/vouch-keys.json and the capability key rotation that puts a retired key on it, shared
// by the tests of when a retired key drops off the list.
import assert from 'node:assert/strict';
import type { TestApp } from '../helpers/app.ts';

export const VOUCH_KEYS_URL = '/.well-known/vouch-keys.json';

export interface ListedKey {
  kid: string;
  purpose: string;
  status: string;
  created_at: string;
  drops_at?: string;
}

/** The keys the list serves now. */
export async function listedKeys(t: TestApp): Promise<ListedKey[]> {
  return ((await t.app.inject({ method: 'GET', url: VOUCH_KEYS_URL })).json() as { keys: ListedKey[] }).keys;
}

/** Rotates the capability key through the admin route; the kids it retired. */
export async function rotateCapabilityKey(t: TestApp): Promise<string[]> {
  const rotated = await t.app.inject({
    method: 'POST',
    url: '/api/v1/admin/keys/rotate',
    headers: { 'x-api-key': t.adminKey },
    payload: { purpose: 'capability' },
  });
  assert.equal(rotated.statusCode, 201, rotated.body);
  return (rotated.json() as { retired: string[] }).retired;
}
