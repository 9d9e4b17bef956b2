// Shared checks of the agents contract tests: a refusal is the documented status and code, a JSON `{error, code}`
// (with `field` only where the sentence starts with it), declared for its route in /docs/json, and writes nothing.
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { tableCounts } from '../helpers/app.ts';
import type { Storage } from '../../src/storage/index.ts';

/** The statuses /docs/json declares per operation, keyed `METHOD /path/{param}`. */
export async function declaredStatuses(app: FastifyInstance): Promise<Map<string, Set<string>>> {
  const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as {
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  };
  const out = new Map<string, Set<string>>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      out.set(`${method.toUpperCase()} ${path}`, new Set(Object.keys(op.responses)));
    }
  }
  return out;
}

export interface Contract {
  app: FastifyInstance;
  storage: Storage;
  declared: Map<string, Set<string>>;
}

/**
 * Asserts `res` is the documented refusal for `route` (`METHOD /path/{param}` as /docs/json names it): `status`,
 * `code`, an error sentence, `field` when given (and the sentence starts with it), and the status declared.
 */
export function assertRefusal(
  c: Contract,
  route: string,
  res: LightMyRequestResponse,
  status: number,
  code: string,
  field?: string,
): void {
  const what = `${route}: ${res.statusCode} ${res.body.slice(0, 300)}`;
  assert.equal(res.statusCode, status, what);
  assert.match(String(res.headers['content-type']), /^application\/json/, what);
  const body = res.json() as { error: unknown; code: unknown; field?: unknown };
  assert.equal(body.code, code, what);
  assert.equal(typeof body.error, 'string', what);
  if (field !== undefined) {
    assert.equal(body.field, field, what);
    assert.ok(String(body.error).startsWith(`${field} `), `the sentence starts with its field: ${what}`);
  }
  const statuses = c.declared.get(route);
  assert.ok(statuses, `${route} is in /docs/json`);
  assert.ok(statuses.has(String(status)), `${route} declares ${status} in /docs/json (has ${[...statuses].join(',')})`);
}

/** Runs `send` and asserts its refusal (see {@link assertRefusal}) left every table as it was. */
export async function refusedWritingNothing(
  c: Contract,
  route: string,
  send: () => Promise<LightMyRequestResponse>,
  status: number,
  code: string,
  field?: string,
): Promise<LightMyRequestResponse> {
  const before = await tableCounts(c.storage);
  const res = await send();
  assertRefusal(c, route, res, status, code, field);
  assert.deepEqual(await tableCounts(c.storage), before, `${route} ${code} wrote nothing`);
  return res;
}

/** Asserts a success: the status, `Cache-Control: no-store`, exactly these members, and the status declared. */
export function assertAnswer(
  c: Contract,
  route: string,
  res: LightMyRequestResponse,
  status: number,
  members: string[],
): Record<string, unknown> {
  assert.equal(res.statusCode, status, `${route}: ${res.body.slice(0, 300)}`);
  assert.equal(res.headers['cache-control'], 'no-store', route);
  const body = res.json() as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), [...members].sort(), `${route} answers exactly the documented members`);
  assert.ok(c.declared.get(route)?.has(String(status)), `${route} declares ${status}`);
  return body;
}
