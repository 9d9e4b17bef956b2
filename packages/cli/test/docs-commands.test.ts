// The commands the docs tell a user to run exist: every `vouch ...` in a code span or a code block of README.md,
// SKILL.md and docs/*.md names a command of the CLI (buildProgram's tree), with only options that command takes, and
// every `npm run <script>` / `npm start` / `npm test` names a script of the root package.json. A command renamed or an
// option dropped fails here, not in a reader's terminal. The other way round, every command of the CLI is named in
// them, as `vouch <command>` or, in a table of one group's subcommands (docs/registry.md), as a code span starting
// with the subcommand (`propose update`), so a command added without its documentation fails here too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../src/main.ts';
import type { Io } from '../src/output.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const DOCS = [
  'README.md',
  'SKILL.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The code of a markdown file: each line of its ``` blocks, and each inline code span (which may wrap lines). */
function codeOf(markdown: string): string[] {
  const code: string[] = [];
  let prose = '';
  let inBlock = false;
  for (const line of markdown.split('\n')) {
    if (line.trimStart().startsWith('```')) inBlock = !inBlock;
    else if (inBlock) code.push(line);
    else prose += `${line}\n`;
  }
  for (const paragraph of prose.split(/\n\s*\n/)) {
    for (const m of paragraph.replace(/\s*\n\s*/g, ' ').matchAll(/`([^`]+)`/g)) code.push(m[1]!);
  }
  return code;
}

/** The long and short names a command takes (`--no-x` for a negatable option). */
function optionsOf(cmd: Command): Set<string> {
  const names = new Set(['--help', '-h']);
  for (const o of cmd.options) for (const n of [o.long, o.short]) if (n) names.add(n);
  return names;
}

test('every `vouch` command the docs name exists, with the options they give it', () => {
  const silent: Io = { out: () => {}, err: () => {} };
  const program = buildProgram(silent);
  const wrong: string[] = [];
  let mentions = 0;
  for (const file of DOCS) {
    for (const code of codeOf(readFileSync(join(ROOT, file), 'utf8'))) {
      for (const m of code.matchAll(/(?:^|[\s($])vouch(?![\w.-])((?: +[^\s|;&)<>]+)*)/g)) {
        mentions++;
        const tokens = m[1]!.trim().split(/\s+/).filter(Boolean);
        let cmd = program;
        const path = ['vouch'];
        let i = 0;
        for (; i < tokens.length && cmd.commands.length > 0; i++) {
          const sub = cmd.commands.find((c) => c.name() === tokens[i] || c.aliases().includes(tokens[i]!));
          if (sub === undefined) {
            // A word where a subcommand goes must be one; an option or an argument ends the command's name.
            if (/^[a-z][a-z0-9-]*$/.test(tokens[i]!))
              wrong.push(`${file}: "${path.join(' ')} ${tokens[i]}" in \`${code}\``);
            break;
          }
          cmd = sub;
          path.push(tokens[i]!);
        }
        const takes = optionsOf(cmd);
        if (cmd === program) for (const n of ['--version', '-v']) takes.add(n);
        for (const token of tokens.slice(i)) {
          const option = /^\[?(--?[A-Za-z][\w-]*)/.exec(token)?.[1];
          if (option !== undefined && !takes.has(option)) {
            wrong.push(`${file}: "${path.join(' ')}" takes no ${option} (\`${code}\`)`);
          }
        }
      }
    }
  }
  assert.ok(mentions > 100, `the docs name vouch commands (${mentions})`);
  assert.deepEqual(wrong, []);
});

test('every npm script the docs name is in package.json', () => {
  const scripts = Object.keys(
    (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts,
  );
  const wrong: string[] = [];
  for (const file of DOCS) {
    for (const code of codeOf(readFileSync(join(ROOT, file), 'utf8'))) {
      for (const m of code.matchAll(/\bnpm (?:run ([\w:-]+)|(start|test)\b)/g)) {
        const script = m[1] ?? m[2]!;
        if (!scripts.includes(script)) wrong.push(`${file}: npm ${m[1] ? 'run ' : ''}${script}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

test('every command of the CLI is named in the docs', () => {
  const silent: Io = { out: () => {}, err: () => {} };
  const text = DOCS.map((f) => readFileSync(join(ROOT, f), 'utf8'))
    .join('\n')
    .replace(/\s*\n\s*/g, ' ');
  const unnamed: string[] = [];
  const walk = (cmd: Command, path: string[]): void => {
    for (const sub of cmd.commands) {
      const name = [...path, sub.name()];
      const escaped = (words: string[]) => words.map((w) => w.replace(/[^\w]/g, '\\$&')).join(' ');
      const named =
        new RegExp(`\\bvouch ${escaped(name)}(?![\\w-])`).test(text) ||
        (name.length > 2 && new RegExp(`\`${escaped(name.slice(1))}[\` ]`).test(text));
      if (!named) unnamed.push(`vouch ${name.join(' ')}`);
      walk(sub, name);
    }
  };
  walk(buildProgram(silent), []);
  assert.deepEqual(unnamed, [], 'CLI commands that README.md, SKILL.md and docs/*.md never name');
});

test("README's paragraph on machine-readable output names every top-level command", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\s*\n\s*/g, ' ');
  const start = readme.indexOf('For output a program can read');
  assert.notEqual(start, -1, 'README.md says which commands print JSON');
  const paragraph = readme.slice(start, readme.indexOf('have neither', start));
  const silent: Io = { out: () => {}, err: () => {} };
  const named = (name: string) => paragraph.includes(`\`${name}\``) || paragraph.includes(`\`${name} `);
  assert.deepEqual(
    buildProgram(silent)
      .commands.map((c) => c.name())
      .filter((name) => !named(name)),
    [],
    'commands the paragraph does not say take --json, --format json or neither',
  );
});
