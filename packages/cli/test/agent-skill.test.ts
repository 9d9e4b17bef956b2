// SKILL.md is an Agent Skill: YAML front matter (name, description) and `vouch …` commands an AI agent will run as
// written. Every one of those commands must name real subcommands and options, and its --help must work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { buildProgram } from '../src/main.ts';
import { run } from './helpers.ts';

const SKILL = new URL('../../../SKILL.md', import.meta.url);

/** Splits a command line into words, honouring single and double quotes (enough for documentation examples). */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

/** The `vouch …` commands of the ```sh blocks, without shell redirections and pipes around them. */
function skillCommands(markdown: string): string[][] {
  const commands: string[][] = [];
  for (const block of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const raw of block[1]!.split('\n')) {
      const line = raw.replace(/\s#.*$/, '').trim();
      const at = line.search(/(^|\|\s*)vouch /);
      if (at < 0) continue;
      const cmd = line.slice(line.indexOf('vouch ', at)).split(/\s[|<>]\s?/)[0]!;
      commands.push(words(cmd).slice(1));
    }
  }
  return commands;
}

test('SKILL.md has the front matter of an Agent Skill', async () => {
  const text = await readFile(SKILL, 'utf8');
  const front = /^---\n([\s\S]*?)\n---\n/.exec(text);
  assert.ok(front, 'YAML front matter between --- lines');
  const name = /^name: (.+)$/m.exec(front[1]!)?.[1];
  const description = /^description: (.+)$/m.exec(front[1]!)?.[1];
  assert.match(name ?? '', /^[a-z0-9]+(-[a-z0-9]+)*$/, 'name: lowercase words joined by hyphens');
  assert.ok((name ?? '').length <= 64);
  assert.ok(description !== undefined && description.length >= 50 && description.length <= 1024);
  for (const topic of ['vouch agent create', 'vouch agent sign', 'vouch agent token', 'vouch token verify']) {
    assert.ok(text.includes(topic), `SKILL.md teaches ${topic}`);
  }
});

test('every vouch command in SKILL.md names real subcommands and options, and its --help works', async () => {
  const commands = skillCommands(await readFile(SKILL, 'utf8'));
  assert.ok(commands.length >= 10, `found ${commands.length} commands`);
  const program = buildProgram({ out: () => undefined, err: () => undefined });
  for (const argv of commands) {
    const shown = `vouch ${argv.join(' ')}`;
    let cmd: Command = program;
    const path: string[] = [];
    for (const word of argv) {
      const sub = cmd.commands.find((c) => c.name() === word);
      if (sub === undefined) break;
      cmd = sub;
      path.push(word);
    }
    assert.ok(path.length > 0 && cmd.commands.length === 0, `${shown}: names a runnable command`);
    for (const word of argv.slice(path.length)) {
      if (!word.startsWith('--')) continue;
      const flag = word.split('=')[0]!;
      assert.ok(
        cmd.options.some((o) => o.long === flag),
        `${shown}: vouch ${path.join(' ')} has no option ${flag}`,
      );
    }
    const help = await run(...path, '--help');
    assert.equal(help.code, 0, `vouch ${path.join(' ')} --help`);
  }
});

test('the SDK names SKILL.md imports exist in @vouch/sdk', async () => {
  const text = await readFile(SKILL, 'utf8');
  const sdk = (await import('@vouch/sdk')) as Record<string, unknown>;
  const imports = [...text.matchAll(/import \{([^}]+)\} from '@vouch\/sdk'/g)].flatMap((m) =>
    m[1]!.split(',').map((n) => n.trim()),
  );
  assert.ok(imports.length > 0, 'SKILL.md shows the SDK');
  for (const name of imports) assert.equal(typeof sdk[name], 'function', `@vouch/sdk exports ${name}`);
});
