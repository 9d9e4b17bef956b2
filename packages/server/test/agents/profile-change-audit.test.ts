// Review: the self-service changes to an agent's profile are audited like its key rotations and revocations: setting
// its tool manifest (`agent.set_tools`), its voice fingerprint (`agent.set_voice`), taking, changing or releasing its
// slug (`agent.set_slug`) and an owner claiming it (`agent.claim`). Each entry names the caller, the agent and the
// request, says what changed (never the fingerprint), is written in the transaction of the change, and only when
// something changed: a refused or a no-op request writes none.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { fingerprintDigest } from '../../src/modules/agents/voice.ts';
import { listAudit } from '../../src/storage/index.ts';
import type { AuditEntry } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { admin, bearer, codeOf, createOwner, registerPow, registerSlug, signedInject, TEST_ENV } from './helpers.ts';

const ACTIONS = new Set(['agent.set_tools', 'agent.set_voice', 'agent.set_slug', 'agent.claim']);
const FINGERPRINT = 'AB'.repeat(32);

type Entry = Omit<AuditEntry, 'id'>;

eachEngine(
  'tool, voice, slug and claim changes are audited once each; refusals and no-ops are not',
  async ({ open }) => {
    const storage = await open();
    const { app, clock } = await makeApp(storage, { env: TEST_ENV });
    try {
      let seen = 0;
      /** The profile-change entries written since the last call, oldest first. */
      const fresh = async (): Promise<Entry[]> => {
        const all = (await listAudit(storage.db, { limit: 1000 })).filter((e) => ACTIONS.has(e.action)).reverse();
        const out = all.slice(seen).map(({ id: _id, ...e }) => e);
        seen = all.length;
        return out;
      };
      const rid = (res: LightMyRequestResponse, status = 200): string => {
        assert.equal(res.statusCode, status, res.body);
        return String(res.headers['x-request-id']);
      };
      const refused = async (res: LightMyRequestResponse, status: number, code: string) => {
        assert.equal(res.statusCode, status, res.body);
        assert.equal(codeOf(res), code);
        assert.deepEqual(await fresh(), [], `a refused request (${code}) writes no audit entry`);
      };

      const bot = await registerSlug(app, 'audit-bot');
      const other = await registerSlug(app, 'other-bot');
      const owner = await createOwner(app, 'acme');
      const stranger = await createOwner(app, 'globex');
      const mgmt = bearer(bot.managementToken);
      assert.deepEqual(await fresh(), [], 'registration is not a profile change');

      /* ----------------------------------------------------------------- tools */
      const setTools = (payload: unknown, headers = mgmt) =>
        app.inject({ method: 'POST', url: `/v1/identity/${bot.did}/tools`, headers, payload: payload as object });
      const first = await setTools({ tools: ['write_file', 'read_file'] });
      const firstHash = (first.json() as { tool_manifest_hash: string }).tool_manifest_hash;
      assert.deepEqual(await fresh(), [
        {
          at: clock.now(),
          actor: `agent:${bot.did}`,
          action: 'agent.set_tools',
          target: bot.did,
          details: { by: 'management-token', from: null, to: firstHash, tools: 2, added: 2, removed: 0 },
          requestId: rid(first),
        },
      ]);
      clock.advance(1000);
      rid(await setTools({ tools: ['read_file', 'write_file'] }));
      assert.deepEqual(await fresh(), [], 'the same manifest again changes nothing');
      const second = await setTools({ tools: ['read_file', 'send_mail'] }, admin);
      const secondHash = (second.json() as { tool_manifest_hash: string }).tool_manifest_hash;
      assert.deepEqual(await fresh(), [
        {
          at: clock.now(),
          actor: 'admin',
          action: 'agent.set_tools',
          target: bot.did,
          details: { by: 'admin', from: firstHash, to: secondHash, tools: 2, added: 1, removed: 1 },
          requestId: rid(second),
        },
      ]);
      const described = await setTools({
        tools: ['read_file', 'send_mail'],
        tool_descriptions: { read_file: 'Reads.' },
      });
      assert.deepEqual(
        (await fresh()).map((e) => [e.action, e.details]),
        [
          [
            'agent.set_tools',
            {
              by: 'management-token',
              from: secondHash,
              to: (described.json() as { tool_manifest_hash: string }).tool_manifest_hash,
              tools: 2,
              added: 0,
              removed: 0,
            },
          ],
        ],
        'a description change is a change',
      );
      await refused(await setTools({ tools: ['bad name'] }), 400, 'VALIDATION_FAILED');
      await refused(await setTools({ tools: ['x'] }, bearer(stranger.apiKey)), 403, 'FORBIDDEN');
      await refused(await setTools({ tools: ['x'] }, bearer(other.managementToken)), 403, 'FORBIDDEN');

      /* ----------------------------------------------------------------- voice */
      const setVoice = (payload: Record<string, unknown>, headers = mgmt) =>
        app.inject({ method: 'POST', url: `/v1/identity/${bot.did}/voice-fingerprint`, headers, payload });
      const voice = { fingerprint_hash: FINGERPRINT, provider: 'elevenlabs', sample_count: 3 };
      const v1 = await setVoice(voice);
      const v1Entries = await fresh();
      assert.deepEqual(v1Entries, [
        {
          at: clock.now(),
          actor: `agent:${bot.did}`,
          action: 'agent.set_voice',
          target: bot.did,
          details: {
            by: 'management-token',
            changed: ['fingerprint', 'provider', 'sample_count'],
            sampleCount: 3,
          },
          requestId: rid(v1),
        },
      ]);
      rid(await setVoice({ ...voice, fingerprint_hash: FINGERPRINT.toLowerCase() }));
      assert.deepEqual(await fresh(), [], 'the same fingerprint (hex case aside), provider and samples change nothing');
      rid(await setVoice({ ...voice, sample_count: 5 }));
      const v2 = await setVoice({ ...voice, sample_count: 5, fingerprint_hash: 'cd'.repeat(32) });
      const voiceEntries = [...v1Entries, ...(await fresh())];
      assert.deepEqual(
        voiceEntries.slice(1).map((e) => e.details),
        [
          { by: 'management-token', changed: ['sample_count'], sampleCount: 5 },
          { by: 'management-token', changed: ['fingerprint'], sampleCount: 5 },
        ],
      );
      assert.equal(voiceEntries.at(-1)!.requestId, rid(v2));
      // A provider shaped like a token is stored, and its change audited without the text (which the log refuses).
      rid(
        await setVoice({
          ...voice,
          sample_count: 5,
          fingerprint_hash: 'cd'.repeat(32),
          provider: 'eyJhbGci.eyJz.c2ln',
        }),
      );
      const renamed = await fresh();
      assert.deepEqual(
        renamed.map((e) => e.details),
        [{ by: 'management-token', changed: ['provider'], sampleCount: 5 }],
      );
      voiceEntries.push(...renamed);
      // Neither the fingerprint nor the digest the server keeps of it is written.
      const text = JSON.stringify(voiceEntries).toLowerCase();
      for (const secret of [FINGERPRINT, 'cd'.repeat(32)]) {
        assert.ok(!text.includes(secret.toLowerCase()), 'no fingerprint in the audit log');
        assert.ok(!text.includes(fingerprintDigest(secret).slice(0, 16)), 'no fingerprint digest in the audit log');
      }
      await refused(await setVoice({ ...voice, sample_count: 0 }), 400, 'VALIDATION_FAILED');
      await refused(await setVoice(voice, bearer(stranger.apiKey)), 403, 'FORBIDDEN');

      /* ------------------------------------------------------------------ slug */
      const putSlug = (slug: string, headers = mgmt) =>
        app.inject({ method: 'PUT', url: `/api/v1/agents/${bot.did}/slug`, headers, payload: { slug } });
      const s1 = await putSlug('audit-bot-2');
      assert.deepEqual(await fresh(), [
        {
          at: clock.now(),
          actor: `agent:${bot.did}`,
          action: 'agent.set_slug',
          target: bot.did,
          details: { by: 'management-token', from: 'audit-bot', to: 'audit-bot-2' },
          requestId: rid(s1),
        },
      ]);
      rid(await putSlug('audit-bot-2'));
      assert.deepEqual(await fresh(), [], 'the same slug again changes nothing');
      await refused(await putSlug('other-bot'), 409, 'SLUG_TAKEN');
      await refused(await putSlug('Not A Slug'), 400, 'SLUG_INVALID');
      await refused(await putSlug('stolen', bearer(stranger.apiKey)), 403, 'FORBIDDEN');
      const released = await app.inject({ method: 'DELETE', url: `/api/v1/agents/${bot.did}/slug`, headers: admin });
      assert.deepEqual(await fresh(), [
        {
          at: clock.now(),
          actor: 'admin',
          action: 'agent.set_slug',
          target: bot.did,
          details: { by: 'admin', from: 'audit-bot-2', to: null },
          requestId: rid(released),
        },
      ]);
      rid(await app.inject({ method: 'DELETE', url: `/api/v1/agents/${bot.did}/slug`, headers: mgmt }));
      assert.deepEqual(await fresh(), [], 'releasing no slug changes nothing');

      /* ----------------------------------------- claim, then the agent's signature */
      const pow = await registerPow(app);
      const claim = (claimToken: unknown, headers = bearer(owner.apiKey)) =>
        app.inject({ method: 'POST', url: '/api/v1/agents/claim', headers, payload: { claimToken } });
      const c1 = await claim(pow.claimToken);
      assert.deepEqual(await fresh(), [
        {
          at: clock.now(),
          actor: `owner:${owner.ownerId}`,
          action: 'agent.claim',
          target: pow.did,
          details: { by: 'owner' },
          requestId: rid(c1),
        },
      ]);
      await refused(await claim(pow.claimToken, bearer(stranger.apiKey)), 409, 'TOKEN_USED');

      const url = `/api/v1/agents/${pow.did}/slug`;
      const signed = await signedInject(app, pow.pair, pow.did, 'PUT', url, { slug: 'pow-bot' }, clock.now());
      assert.deepEqual(
        (await fresh()).map((e) => [e.action, e.actor, e.details, e.requestId]),
        [['agent.set_slug', `agent:${pow.did}`, { by: 'agent-signature', from: null, to: 'pow-bot' }, rid(signed)]],
      );
      const byOwner = await setTools({ tools: ['x'] }, bearer(owner.apiKey));
      await refused(byOwner, 403, 'FORBIDDEN'); // audit-bot is not acme's
      const ownerTools = await app.inject({
        method: 'POST',
        url: '/v1/identity/pow-bot/tools',
        headers: bearer(owner.apiKey),
        payload: { tools: ['x'] },
      });
      assert.deepEqual(
        (await fresh()).map((e) => [e.action, e.actor, e.target, (e.details as { by: string }).by, e.requestId]),
        [['agent.set_tools', `owner:${owner.ownerId}`, pow.did, 'owner', rid(ownerTools)]],
      );

      /* ------------------------------------------------ a revoked agent: no change */
      rid(await app.inject({ method: 'POST', url: `/api/v1/agents/${bot.did}/revoke`, headers: admin, payload: {} }));
      await refused(await setTools({ tools: ['y'] }, admin), 403, 'AGENT_REVOKED');
      await refused(await setVoice(voice, admin), 403, 'AGENT_REVOKED');
      await refused(await putSlug('audit-bot-3', admin), 403, 'AGENT_REVOKED');
    } finally {
      await app.close();
    }
  },
);
