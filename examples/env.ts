// Shared by the examples: the server from VOUCH_SERVER (default http://127.0.0.1:3000) and, for the examples
// that need it, the admin key from VOUCH_ADMIN_KEY.
import { createAgentIdentity, VouchClient } from '@vouch/sdk';
import type { VouchAgent } from '@vouch/sdk';

export const server = process.env.VOUCH_SERVER ?? 'http://127.0.0.1:3000';

/** A client for VOUCH_SERVER, with the admin key when VOUCH_ADMIN_KEY is set. */
export function client(): VouchClient {
  const adminKey = process.env.VOUCH_ADMIN_KEY;
  return new VouchClient({ baseUrl: server, credentials: adminKey === undefined ? {} : { adminKey } });
}

/** VOUCH_ADMIN_KEY, or exit with a message saying the example needs it. */
export function requireAdmin(): void {
  if (process.env.VOUCH_ADMIN_KEY === undefined) {
    console.error('This example needs the admin key: set VOUCH_ADMIN_KEY.');
    process.exit(2);
  }
}

/** A new registered agent (proof of work at VOUCH_POW_DIFFICULTY, default 4). */
export async function newAgent(c: VouchClient = client()): Promise<VouchAgent> {
  const difficulty = Number(process.env.VOUCH_POW_DIFFICULTY ?? 4);
  return (await createAgentIdentity(c, { difficulty })).agent;
}

/** Prints one JSON line: what the example found. */
export function show(result: unknown): void {
  console.log(JSON.stringify(result));
}
