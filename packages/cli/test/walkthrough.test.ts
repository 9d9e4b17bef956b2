// The README's walkthrough, run as written: every command of the ```sh blocks under "## Walkthrough", one by one,
// in a directory laid out like a fresh clone after `npm install`, against the server its first command starts.
// Only the environment differs from a user's terminal: a free port (VOUCH_PORT / VOUCH_SERVER), and HOME and
// VOUCH_HOME in the temporary directory. The commands themselves are never rewritten.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServing } from './background-server.ts';
import type { BackgroundServer } from './background-server.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

/** One walkthrough command: its text, the exit code the README documents, and whether it runs until stopped. */
export interface WalkthroughCommand {
  text: string;
  expectedExit: number;
  background: boolean;
}

/**
 * The shell commands of the ```sh blocks in a README section. A command is a line, with its `\` continuations and,
 * for a `for … do` loop, everything up to its `done`. A trailing `# exit N` documents an expected exit code;
 * `# runs until stopped` marks a server.
 */
export function walkthroughCommands(readme: string, heading = '## Walkthrough'): WalkthroughCommand[] {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no "${heading}" section`);
  const next = readme.indexOf('\n## ', start + heading.length + 2);
  const section = readme.slice(start, next < 0 ? undefined : next);
  const commands: WalkthroughCommand[] = [];
  for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    let pending = '';
    for (const line of block[1]!.split('\n')) {
      if (pending === '' && (line.trim() === '' || line.trim().startsWith('#'))) continue;
      pending += (pending === '' ? '' : '\n') + line;
      const openLoops = (pending.match(/\bdo$/gm) ?? []).length - (pending.match(/^\s*done\b/gm) ?? []).length;
      if (line.endsWith('\\') || openLoops > 0) continue;
      const exit = /\s#\s*exit (\d+)\b/.exec(pending);
      commands.push({
        text: pending,
        expectedExit: exit ? Number(exit[1]) : 0,
        background: /#\s*runs until stopped/.test(pending),
      });
      pending = '';
    }
    if (pending !== '') throw new Error(`unfinished command in the walkthrough: ${pending}`);
  }
  return commands;
}

let dir: string;
let env: Record<string, string>;
let port: number;
const servers: BackgroundServer[] = [];

before(async () => {
  // A clone after `npm install`, without copying it: the root package.json, and the installed node_modules and
  // workspace packages linked in. Everything the walkthrough writes lands in this directory.
  dir = await mkdtemp(join(tmpdir(), 'vouch-walkthrough-'));
  await copyFile(join(ROOT, 'package.json'), join(dir, 'package.json'));
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  await symlink(join(ROOT, 'packages'), join(dir, 'packages'));
  await mkdir(join(dir, 'home'));
  env = {
    PATH: process.env.PATH ?? '',
    HOME: join(dir, 'home'),
    VOUCH_HOME: join(dir, 'home', '.vouch'),
    VOUCH_LOG_LEVEL: 'info',
    // npx must find the clone's own `vouch`, never fetch a package of that name from a registry.
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
});

after(async () => {
  for (const server of servers) await server.stop();
  await rm(dir, { recursive: true, force: true });
});

/**
 * Starts the long-running command that starts the server, on a free port (VOUCH_PORT, and VOUCH_SERVER for the
 * commands after it), again on another one if that port was taken before the server listened.
 */
async function startBackground(text: string): Promise<void> {
  const server = await startServing(text, dir, (p) => ({
    ...env,
    VOUCH_PORT: String(p),
    VOUCH_SERVER: `http://127.0.0.1:${p}`,
  }));
  servers.push(server);
  port = server.port;
  env = { ...env, VOUCH_PORT: String(port), VOUCH_SERVER: `http://127.0.0.1:${port}` };
}

async function runCommand(text: string): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', text], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d: string) => (out += d));
  child.stderr.on('data', (d: string) => (err += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out, err };
}

test('the walkthrough section is found and covers every step', async () => {
  const commands = walkthroughCommands(await readFile(join(ROOT, 'README.md'), 'utf8'));
  const all = commands.map((c) => c.text).join('\n');
  for (const step of [
    'npm start',
    'vouch agent create',
    'vouch agent sign',
    'vouch agent verify',
    'vouch agent token',
    'vouch token verify',
    'vouch registry init',
    'vouch registry verify',
  ]) {
    assert.ok(all.includes(step), `the walkthrough runs ${step}`);
  }
  assert.equal(commands.filter((c) => c.background).length, 1, 'one command starts the server');
  assert.ok(
    commands.some((c) => c.expectedExit === 1),
    'a failed verification is shown with its exit code',
  );
});

test('the README walkthrough runs command by command as written', { timeout: 1_800_000 }, async (t) => {
  const commands = walkthroughCommands(await readFile(join(ROOT, 'README.md'), 'utf8'));
  for (const command of commands) {
    await t.test(command.text.split('\n')[0]!, async () => {
      if (command.background) {
        await startBackground(command.text);
        const health = await fetch(`http://127.0.0.1:${port}/healthz`);
        assert.equal(health.status, 200);
        return;
      }
      const r = await runCommand(command.text);
      assert.equal(
        r.code,
        command.expectedExit,
        `"${command.text}" exited ${r.code}, the README says ${command.expectedExit}\nstdout: ${r.out}\nstderr: ${r.err}`,
      );
      assert.ok(!/\n\s+at /.test(r.err), `no stack trace on stderr:\n${r.err}`);
    });
  }

  // What the walkthrough left behind is what the README says: the server's data under ./data, the identity 0600.
  assert.equal((await stat(join(dir, 'data', 'vouch.db'))).isFile(), true);
  assert.equal((await stat(join(dir, 'home', '.vouch', 'identities', 'demo.json'))).mode & 0o777, 0o600);
  assert.match(await readFile(join(dir, 'hello.sig'), 'utf8'), /^[0-9a-f]{64}\n$/);
  assert.equal((await stat(join(dir, 'registry', 'registry.json'))).isFile(), true);
});
