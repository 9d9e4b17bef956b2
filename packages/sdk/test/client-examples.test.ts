// Runs every example in examples/ as its own process against a real listening server, as a user would
// (`node --import tsx examples/<name>.ts` with VOUCH_SERVER), and checks what each one prints.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { signAgentCredential, VouchClient } from '../src/index.ts';
import { ADMIN_KEY, genesisThreeIssuers, startLiveServer, T0 } from './aip-server.ts';
import type { LiveServer } from './aip-server.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLES = readdirSync(`${ROOT}examples`).filter((f) => f.endsWith('.ts') && f !== 'env.ts');

let live: LiveServer;
let env: Record<string, string>;

before(async () => {
  live = await startLiveServer({ VOUCH_POW_DIFFICULTY: '2' });
  // The examples sign with the wall clock: pin the server's clock to now (signatures must be within its window).
  live.clock.advance(Date.now() - T0);
  const admin = new VouchClient({
    baseUrl: live.url,
    credentials: { adminKey: ADMIN_KEY },
    now: () => live.clock.now(),
  });
  const keys = await genesisThreeIssuers(admin, new Date(live.clock.now()));
  const credential = await signAgentCredential(
    { issuerId: 'alpha', agentId: 'agent:example:v1', scope: ['crm:*:read'], ttlSeconds: 3600, now: live.clock.now() },
    keys.alpha!.privateKey,
  );
  env = {
    VOUCH_SERVER: live.url,
    VOUCH_ADMIN_KEY: ADMIN_KEY,
    VOUCH_POW_DIFFICULTY: '2',
    VOUCH_ROOT_KEY: (await admin.registry.summary()).rootKey as string,
    VOUCH_CREDENTIAL: credential,
    VOUCH_AGENT_ID: 'agent:example:v1',
  };
});
after(() => live.close());

/** What each example must print (a subset of its JSON line). */
const EXPECT: Record<string, (out: Record<string, unknown>) => void> = {
  'create-agent.ts': (o) => assert.match(o.did as string, /^did:identity:/),
  'sign-content.ts': (o) => assert.match(o.signatureHash as string, /^[0-9a-f]{64}$/),
  'consent.ts': (o) => assert.deepEqual([o.granted, o.revoked], ['allowed', 'revoked']),
  'report.ts': (o) => assert.equal(typeof o.receipt, 'object'),
  'request-token.ts': (o) => assert.deepEqual([o.tokenType, o.serverSays], ['session', true]),
  'request-capability.ts': (o) => assert.deepEqual([o.read, o.delete], ['allow', 'deny ACTION_MISMATCH']),
  'verify-token.ts': (o) => assert.deepEqual([o.valid, o.type], [true, 'identity']),
  'verify-registry.ts': (o) => assert.deepEqual([o.valid, o.issuers], [true, ['alpha', 'bravo', 'charlie']]),
  'verify-agent-credential.ts': (o) =>
    assert.deepEqual([o.valid, o.issuer, o.agent], [true, 'alpha', 'agent:example:v1']),
  'verify-capability.ts': (o) => assert.deepEqual([o.contacts, o.deals], ['allow', 'RESOURCE_MISMATCH']),
  'verify-tool-manifest.ts': (o) => assert.deepEqual([o.valid, o.tools], [true, ['read_file', 'search']]),
  'verify-content.ts': (o) => assert.deepEqual([o.same, o.edited], [true, 'CONTENT_MISMATCH']),
};

test('every example has an expectation', () => {
  assert.deepEqual(EXAMPLES.sort(), Object.keys(EXPECT).sort());
});

for (const file of EXAMPLES) {
  test(`examples/${file} runs against a live server`, { timeout: 60_000 }, async () => {
    // Pinned to now again for each example: the server's signedAt window is 60 s, and on a slow machine the examples
    // before this one can take longer than that since the pin in before().
    live.clock.set(Math.max(live.clock.now(), Date.now()));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', `examples/${file}`], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    const last = stdout.trim().split('\n').at(-1)!;
    const out = JSON.parse(last) as Record<string, unknown>;
    EXPECT[file]?.(out);
  });
}
