/**
 * Domain verification end to end, through the real agents module, on a real listening server in a child process
 * (both engines): Treeship registration with a domain, the challenge with the management token, DNS TXT and
 * well-known-file verification against a real DNS server and a real HTTPS server on 127.0.0.4:443, and the proof
 * on the agent's profile. The child trusts the throwaway CA through NODE_EXTRA_CA_CERTS, as a deployment would.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { TEST_ADMIN_KEY, writeTestKek } from '../helpers/app.ts';
import { eachEngine, TEST_DATABASE_URL } from '../helpers/storage.ts';
import type { EngineContext } from '../helpers/storage.ts';
import { startDomainSites } from '../net/fixtures/domain-sites.ts';
import type { DomainSites } from '../net/fixtures/domain-sites.ts';

const SITE = '127.0.0.4';
const serveScript = fileURLToPath(new URL('../net/fixtures/serve.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('../../', import.meta.url));

let sites: DomainSites;
before(async () => {
  sites = await startDomainSites(SITE);
});
after(() => sites.close());

/** The fields these tests read from the answers they get (each answer has some of them). */
interface Answer {
  paths: Record<string, unknown>;
  management_token: string;
  verification_challenges: unknown;
  challenge_token: string;
  verified: boolean;
  method: string;
  verified_domain: string | null;
  verified_proofs: Array<{ type: string; value: string }>;
  identity_score: number;
}

async function startChild({ engine, dataDir, options }: EngineContext): Promise<{ base: string; child: ChildProcess }> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_EXTRA_CA_CERTS: sites.pki.caFile,
    VOUCH_PORT: '0',
    VOUCH_PUBLIC_URL: 'http://vouch.test',
    VOUCH_DATA_DIR: dataDir,
    VOUCH_ADMIN_KEY: TEST_ADMIN_KEY,
    VOUCH_LOG_LEVEL: 'silent',
    VOUCH_DNS_SERVERS: sites.dns.address,
    VOUCH_DOMAIN_VERIFY_PUBLIC_TEST_ADDRESSES: SITE,
  };
  if (engine === 'postgres') {
    Object.assign(env, {
      VOUCH_DATABASE_URL: TEST_DATABASE_URL!,
      VOUCH_DATABASE_SCHEMA: options.pgSchema!,
      VOUCH_KEK_FILE: join(dataDir, 'kek.key'),
    });
    writeTestKek(env.VOUCH_KEK_FILE!);
  }
  const child = spawn(process.execPath, ['--import', 'tsx', serveScript], { cwd: packageDir, env, stdio: 'pipe' });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { address: string }).address);
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
  return { base, child };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

eachEngine(
  'end to end through the agents module: register with a domain, prove it by DNS TXT and by file, see it on the profile',
  async (ctx) => {
    const { base, child } = await startChild(ctx);
    try {
      const call = async (method: string, path: string, body?: unknown, token?: string) => {
        const headers: Record<string, string> = {};
        if (body !== undefined) headers['content-type'] = 'application/json';
        if (token !== undefined) headers.authorization = `Bearer ${token}`;
        const res = await fetch(`${base}${path}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as Answer };
      };
      // The agents module registers and documents both routes: their absence fails here (it used to skip the test,
      // which then passed whatever became of them).
      const doc = (await call('GET', '/docs/json')).body;
      assert.ok(doc.paths['/v1/identity/{slug}/domain-challenge'], 'GET domain-challenge is registered');
      assert.ok(doc.paths['/v1/identity/{slug}/verify-domain'], 'POST verify-domain is registered');

      const reg = await call('POST', '/v1/identity/register', { slug: 'e2e-agent', domain: 'DNS.example.test' });
      assert.equal(reg.status, 201, JSON.stringify(reg.body));
      const token: string = reg.body.management_token;
      assert.match(JSON.stringify(reg.body.verification_challenges), /_vouch-verify\.dns\.example\.test/);

      const other = await call('POST', '/v1/identity/register', { slug: 'e2e-other' });
      const denied = await call(
        'GET',
        '/v1/identity/e2e-agent/domain-challenge?domain=dns.example.test',
        undefined,
        other.body.management_token,
      );
      assert.equal(denied.status, 403);
      assert.equal((await call('GET', '/v1/identity/e2e-agent/domain-challenge?domain=dns.example.test')).status, 401);

      const challenge = await call(
        'GET',
        '/v1/identity/e2e-agent/domain-challenge?domain=dns.example.test',
        undefined,
        token,
      );
      assert.equal(challenge.status, 200, JSON.stringify(challenge.body));
      const value: string = challenge.body.challenge_token;
      assert.match(
        JSON.stringify(reg.body.verification_challenges),
        new RegExp(value),
        'registration issued the same token',
      );

      const before = await call('GET', '/v1/identity/e2e-agent');
      sites.dns.zone.set('_vouch-verify.dns.example.test', { TXT: [[value.slice(0, 20), value.slice(20)]] });
      const verified = await call(
        'POST',
        '/v1/identity/e2e-agent/verify-domain',
        { domain: 'dns.example.test' },
        token,
      );
      assert.equal(verified.status, 200, JSON.stringify(verified.body));
      assert.equal(verified.body.verified, true);
      assert.equal(verified.body.method, 'dns_txt');

      const profile = await call('GET', '/v1/identity/e2e-agent');
      assert.equal(profile.body.verified_domain, 'dns.example.test');
      assert.ok(profile.body.verified_proofs.some((p) => p.type === 'domain' && p.value === 'dns.example.test'));
      assert.equal(profile.body.identity_score - before.body.identity_score, 25);

      if (!sites.https.boundTo443) {
        ctx.t.diagnostic(`could not bind ${SITE}:443 here; the file method was not exercised end to end`);
        return;
      }
      const web = await call(
        'GET',
        '/v1/identity/e2e-other/domain-challenge?domain=web.example.test',
        undefined,
        other.body.management_token,
      );
      sites.dns.zone.set('web.example.test', { A: [SITE] });
      sites.files.set('web.example.test', `${web.body.challenge_token}\n`);
      const byFile = await call(
        'POST',
        '/v1/identity/e2e-other/verify-domain',
        { agent_slug: 'e2e-other', domain: 'web.example.test' },
        other.body.management_token,
      );
      assert.equal(byFile.body.verified, true, JSON.stringify(byFile.body));
      assert.equal(byFile.body.method, 'file');
      assert.equal((await call('GET', '/v1/identity/e2e-other')).body.verified_domain, 'web.example.test');
    } finally {
      await stopChild(child);
    }
  },
  { timeout: 60_000 },
);
