// Shared steps of the reports tests: report requests, signed report bodies, and reporters of each standing.
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { GeneratedKeyPair } from '@vouch/sdk';
import type { ManualClock } from '../../src/clock.ts';
import { claimAgent, createOwner, registerPow, signText } from '../signatures/helpers.ts';
import type { PowAgent } from '../signatures/helpers.ts';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
/** How long a reporter must have been registered (with an owner) to be established. */
export const WEEK = 7 * DAY;

export interface Receipt {
  reportId: string;
  did: string;
  reason: string;
  type: 'signed' | 'anonymous';
  reporterDid: string | null;
  penalty: number;
  duplicate: boolean;
  createdAt: number;
}

export function report(
  app: FastifyInstance,
  payload: unknown,
  remoteAddress = '127.0.0.1',
): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/api/v1/agents/report', payload: payload as object, remoteAddress });
}

/** A signed report body: `by` signs `report:<targetDid>:<reason>:<signedAt>`. */
export async function signedReport(
  by: { did: string; pair: GeneratedKeyPair },
  target: string,
  reason: string,
  signedAt: number,
  extra: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const signature = await signText(by.pair, `report:${target}:${reason}:${signedAt}`);
  return { did: target, reason, reporterDid: by.did, signature, signedAt, ...extra };
}

export async function expectCreated(res: LightMyRequestResponse): Promise<Receipt> {
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as Receipt;
}

/** `n` agents registered with proof of work: no owner, no history (limited standing). */
export async function agents(app: FastifyInstance, n: number): Promise<PowAgent[]> {
  const out: PowAgent[] = [];
  for (let i = 0; i < n; i++) out.push(await registerPow(app));
  return out;
}

let owners = 0;

/**
 * `n` established reporters: agents claimed by an owner (which the admin created), then a week passes (the clock
 * moves forward by {@link WEEK}).
 */
export async function establishedAgents(app: FastifyInstance, clock: ManualClock, n: number): Promise<PowAgent[]> {
  const owner = await createOwner(app, `reporters-${++owners}`);
  const out = await agents(app, n);
  for (const a of out) await claimAgent(app, owner, a.claimToken);
  clock.advance(WEEK);
  return out;
}
