// Every route the admin key may call, read from the live OpenAPI document (so a route added later is caught), is
// either called here with the admin key and must leave exactly one audit entry (its action, actor `admin`, a
// target, the request's x-request-id, and no secret: not the admin key, the KEK, nor any key or token the answer
// shows once), or named with why it leaves none (a read; a route that needs a world this test does not build).
// Walked again with VOUCH_ADMIN_KEY_PREVIOUS's key, whose every entry must say `admin:previous` (operations.md).
// And walked with every audit entry refused (SQLite trigger): each route must fail and keep none of its change.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { listAudit } from '../../src/storage/index.ts';
import type { AuditEntry } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { sql } from 'kysely';
import { makeApp, tableCounts, TEST_ADMIN_KEY } from '../helpers/app.ts';
import type { Storage } from '../../src/storage/index.ts';
import { registerPow, registerSlug, TEST_ENV } from '../agents/helpers.ts';
import { makeIssuers } from '../registry/fixtures.ts';

const METRICS = [{ metricKey: 'sale', polarity: 'boost', weight: 1, lane: 'conduct' }] as const;
const CAPABILITY = {
  agentId: 'agent:my-assistant:v1',
  resource: 'payments:invoices',
  action: 'read',
  tier: 'standard',
};

/** A route called with the admin key: its URL and body, built from what earlier calls answered. */
interface Call {
  url: string;
  payload?: object;
  /** The audit action its success records. */
  action: string;
  /** The action acts on the whole server (a rebuild of every score): its entry names no target. */
  wholeServer?: true;
}

/** Routes the admin may call that leave no entry, each with why (and where their audit, if any, is tested). */
const NOT_AUDITED: Record<string, string> = {
  'GET /metrics': 'a read',
  'GET /api/v1/admin/audit': 'a read',
  'GET /api/v1/admin/keys': 'a read',
  'GET /api/v1/admin/integrators': 'a read',
  'GET /v1/identity/{slug}/domain-challenge': 'hands out the challenge to publish; changes no profile',
  'POST /api/registry/verify': 'a verification',
  'POST /v1/identity/{slug}/verify-domain': 'audited once a domain is proved (link-domain-audit.test.ts)',
  'POST /v1/registry/refresh': 'consumer mode only (consumer-audit.test.ts); 409 on the authority',
};

/** Secret-looking strings an answer showed once: fields named like a key or token (not an id, e.g. `tokenId`). */
function secretsIn(value: unknown, name = ''): string[] {
  if (typeof value === 'string')
    return /key|token|secret/i.test(name) && !/id$/i.test(name) && value.length >= 16 ? [value] : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => secretsIn(v, Array.isArray(value) ? name : k));
}

const isKeyCreation = (e: AuditEntry): boolean => e.action === 'server_key.create' && e.actor === 'system';

const PREVIOUS = 'old-admin-key-fedcba9876543210';

/** Walks every admin route with `key`, which the audit log must name as `actor`. */
async function walk(
  storage: Storage,
  key: string,
  actor: string,
  refuseAudit?: (on: boolean) => Promise<void>,
): Promise<void> {
  const t = await makeApp(storage, {
    env: { ...TEST_ENV, VOUCH_LOG_LEVEL: 'silent', VOUCH_ADMIN_KEY_PREVIOUS: PREVIOUS },
  });
  const admin = { 'x-api-key': key };
  const { app } = t;
  try {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, { security?: Array<Record<string, unknown>> }>>;
    };
    const adminRoutes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => (op.security ?? []).some((s) => 'adminKey' in s))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    assert.ok(adminRoutes.length >= 20, `only ${adminRoutes.length} admin routes in /docs/json`);

    const slugAgent = await registerSlug(app, 'ops-bot');
    const powAgent = await registerPow(app);
    const victim = await registerPow(app);
    const is = await makeIssuers(['alpha', 'bravo', 'charlie']);
    const answers = new Map<string, Record<string, unknown>>();
    const answer = (route: string, field: string): string => String(answers.get(route)?.[field]);
    // In order: later calls use what earlier ones answered.
    const calls: Array<[string, () => Call]> = [
      [
        'POST /api/v1/owners',
        () => ({ url: '/api/v1/owners', payload: { name: 'Acme', handle: 'acme' }, action: 'owner.create' }),
      ],
      [
        'POST /api/v1/owners/{id}/rotate-key',
        () => ({
          url: `/api/v1/owners/${answer('POST /api/v1/owners', 'ownerId')}/rotate-key`,
          action: 'owner.rotate_key',
        }),
      ],
      [
        'PUT /api/v1/agents/{id}/slug',
        () => ({ url: `/api/v1/agents/${powAgent.did}/slug`, payload: { slug: 'pow-bot' }, action: 'agent.set_slug' }),
      ],
      [
        'DELETE /api/v1/agents/{id}/slug',
        () => ({ url: `/api/v1/agents/${powAgent.did}/slug`, action: 'agent.set_slug' }),
      ],
      [
        'POST /api/v1/agents/{id}/rotate-management-token',
        () => ({
          url: `/api/v1/agents/${slugAgent.did}/rotate-management-token`,
          action: 'agent.rotate_management_token',
        }),
      ],
      [
        'POST /v1/identity/{slug}/tools',
        () => ({
          url: `/v1/identity/${slugAgent.slug}/tools`,
          payload: { tools: ['search'] },
          action: 'agent.set_tools',
        }),
      ],
      [
        'POST /v1/identity/{slug}/voice-fingerprint',
        () => ({
          url: `/v1/identity/${slugAgent.slug}/voice-fingerprint`,
          payload: { fingerprint_hash: 'a'.repeat(64), provider: 'elevenlabs', sample_count: 3 },
          action: 'agent.set_voice',
        }),
      ],
      [
        'POST /api/registry/issue',
        () => ({ url: '/api/registry/issue', payload: { agent_name: powAgent.did }, action: 'token.issue' }),
      ],
      [
        'POST /api/registry/revoke',
        () => ({
          url: '/api/registry/revoke',
          payload: { jti: answer('POST /api/registry/issue', 'jti') },
          action: 'token.revoke',
        }),
      ],
      [
        'POST /api/v1/admin/keys/rotate',
        () => ({ url: '/api/v1/admin/keys/rotate', payload: {}, action: 'server_key.rotate' }),
      ],
      [
        'POST /v1/registry/genesis',
        () => ({
          url: '/v1/registry/genesis',
          payload: { issuers: Object.values(is).map((i) => i.entry), threshold: 2 },
          action: 'registry.genesis',
        }),
      ],
      [
        'POST /v1/tokens',
        () => ({ url: '/v1/tokens', payload: { ...CAPABILITY, expiresIn: 600 }, action: 'capability.issue' }),
      ],
      [
        'POST /v1/tokens/revoke',
        () => ({
          url: '/v1/tokens/revoke',
          payload: { tokenId: answer('POST /v1/tokens', 'tokenId') },
          action: 'capability.revoke',
        }),
      ],
      [
        'POST /api/v1/admin/integrators',
        () => ({
          url: '/api/v1/admin/integrators',
          payload: { slug: 'shop', name: 'Shop', domain: 'shop.example', metrics: METRICS },
          action: 'integrator.create',
        }),
      ],
      [
        'POST /api/v1/admin/integrators/{slug}/rotate-key',
        () => ({ url: '/api/v1/admin/integrators/shop/rotate-key', payload: {}, action: 'integrator.rotate_key' }),
      ],
      [
        'PUT /api/v1/admin/integrators/{slug}/metrics',
        () => ({
          url: '/api/v1/admin/integrators/shop/metrics',
          payload: { metrics: [{ ...METRICS[0], weight: 2 }] },
          action: 'integrator.metrics',
        }),
      ],
      [
        'POST /api/v1/admin/reputation/rebuild',
        () => ({
          url: '/api/v1/admin/reputation/rebuild',
          payload: {},
          action: 'reputation.rebuild',
          wholeServer: true,
        }),
      ],
      [
        'POST /api/v1/agents/{id}/revoke',
        () => ({ url: `/api/v1/agents/${victim.did}/revoke`, action: 'agent.revoke' }),
      ],
    ];

    // Complete: every admin route of the document is called here or named in NOT_AUDITED, and nothing else is.
    const covered = [...calls.map(([route]) => route), ...Object.keys(NOT_AUDITED)];
    assert.deepEqual([...adminRoutes].sort(), [...covered].sort(), 'admin routes neither called nor excused');

    const secrets = [t.adminKey, PREVIOUS, t.kek.toString('hex'), t.kek.toString('base64'), slugAgent.managementToken];
    const entries: Array<[string, LightMyRequestResponse, AuditEntry[]]> = [];
    for (const [route, make] of calls) {
      const { url, payload, action, wholeServer } = make();
      if (refuseAudit !== undefined) {
        // Its entry refused first: the change it describes must roll back with it.
        const counts = await tableCounts(storage);
        await refuseAudit(true);
        const refused = await app.inject({
          method: route.slice(0, route.indexOf(' ')) as 'POST',
          url,
          headers: admin,
          ...(payload === undefined ? {} : { payload }),
        });
        await refuseAudit(false);
        assert.ok(refused.statusCode >= 500, `${route} with its audit entry refused: ${refused.statusCode}`);
        assert.deepEqual(await tableCounts(storage), counts, `${route}: a change kept without its audit entry`);
      }
      const before = (await listAudit(storage.db))[0]?.id ?? 0;
      const method = route.slice(0, route.indexOf(' ')) as 'POST' | 'PUT' | 'DELETE';
      const res = await app.inject({ method, url, headers: admin, ...(payload === undefined ? {} : { payload }) });
      assert.ok(res.statusCode >= 200 && res.statusCode < 300, `${route}: ${res.statusCode} ${res.body}`);
      const body = res.json() as Record<string, unknown>;
      answers.set(route, body);
      secrets.push(...secretsIn(body));
      // A signing key made on its first use is the server's own entry (actor `system`), not the route's.
      const fresh = (await listAudit(storage.db)).filter((e) => e.id > before && !isKeyCreation(e));
      entries.push([route, res, fresh]);
      assert.deepEqual(
        fresh.map((e) => [e.action, e.actor, e.requestId]),
        [[action, actor, res.headers['x-request-id']]],
        `${route}: one audit entry`,
      );
      const target = fresh[0]!.target;
      if (wholeServer) assert.equal(target, null, `${route}: a whole-server action names no target`);
      else assert.ok(fresh[0]!.target !== null && fresh[0]!.target !== '', `${route}: the entry names its target`);
    }
    // Checked against every secret any answer showed, the later ones too (a key rotated away is still a secret).
    for (const [route, , fresh] of entries) {
      const text = JSON.stringify(fresh);
      for (const s of secrets)
        assert.ok(!text.includes(s), `${route}: the audit entry holds a secret: ${s.slice(0, 12)}…`);
    }
  } finally {
    await app.close();
  }
}

eachEngine('every admin route writes exactly one audit entry naming the admin, without a secret', async ({ open }) => {
  await walk(await open(), TEST_ADMIN_KEY, 'admin');
});

eachEngine(
  'with the previous admin key, every admin route names `admin:previous` in its one entry',
  async ({ open }) => {
    await walk(await open(), PREVIOUS, 'admin:previous');
  },
);

const REFUSE_AUDIT = sql`create trigger refuse_audit before insert on audit_log begin select raise(abort, 'no'); end`;

eachEngine('an admin route whose audit entry is refused keeps none of its change', async ({ open, engine, t }) => {
  if (engine !== 'sqlite') {
    t.skip('the trigger refusing audit entries is written for SQLite');
    return;
  }
  const storage = await open();
  await walk(storage, TEST_ADMIN_KEY, 'admin', async (on) => {
    await (on ? REFUSE_AUDIT : sql`drop trigger refuse_audit`).execute(storage.db);
  });
});
