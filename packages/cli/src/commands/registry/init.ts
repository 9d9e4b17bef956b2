import { resolve } from 'node:path';
import type { Command } from 'commander';
import { canonicalize, createGenesis, parseIssuerEntry, type IssuerEntry } from '@vouch/sdk';
import { CliError, EXIT } from '../../exit.ts';
import type { Io } from '../../output.ts';
import { parseDuration } from './lib/duration.ts';
import { readPrivateKeyFile } from './lib/key-files.ts';
import { DEFAULT_DIR, exists, layout, readBytes, shown, writeJson } from './lib/layout.ts';
import { join } from 'node:path';

/** An ENTRY argument: a path, or the id of an entry already in `<dir>/issuers/`. */
async function entryPath(arg: string, issuersDir: string): Promise<string> {
  const direct = resolve(arg);
  if (await exists(direct)) return direct;
  const byId = join(issuersDir, `${arg}.json`);
  if (/^[a-z0-9-]+$/.test(arg) && (await exists(byId))) return byId;
  throw new CliError(`${arg}: no such entry file (nor ${shown(byId)}).`, EXIT.USAGE);
}

/** `vouch registry init`: the genesis step and the first registry.json, signed by the root key alone. */
export function registerInit(registry: Command, io: Io): void {
  registry
    .command('init')
    .description('Create a registry: the genesis step with its founding issuers and threshold, signed by the root key.')
    .argument('<entry...>', 'founding issuer entry files (or ids of files in <dir>/issuers), at least 3')
    .requiredOption('--root-key <file>', 'the registry root key file (from `vouch registry keygen`)')
    .requiredOption('--threshold <n>', 'co-signatures every later change needs (2 ≤ n ≤ issuers − 1)')
    .option('--dir <dir>', 'registry directory', DEFAULT_DIR)
    .option('--validity <duration>', 'how long registry.json stays valid before it must be re-signed', '7d')
    .addHelpText(
      'after',
      `
Genesis is the only step the root key signs alone; every later change needs a quorum of issuers.
Entries are copied to <dir>/issuers/<id>.json.

Examples:
  $ vouch registry init --root-key root.key.json --threshold 3 acme.json bolt.json coda.json dyad.json echo.json
  $ vouch registry init --dir ./trust --root-key root.key.json --threshold 2 acme bolt coda`,
    )
    .action(async (args: string[], opts: { rootKey: string; threshold: string; dir: string; validity: string }) => {
      const l = layout(opts.dir);
      if (await exists(l.registry))
        throw new CliError(`${shown(l.registry)} already exists; the genesis happens once.`, EXIT.USAGE);
      if (!/^[0-9]+$/.test(opts.threshold)) throw new CliError('--threshold must be a whole number.', EXIT.USAGE);
      const validitySeconds = parseDuration(opts.validity, '--validity');
      const rootKey = await readPrivateKeyFile(opts.rootKey, io);
      const entries: IssuerEntry[] = [];
      for (const arg of args) {
        const path = await entryPath(arg, l.issuers);
        entries.push(parseIssuerEntry(await readBytes(path), { source: shown(path) }));
      }
      const doc = await createGenesis({
        rootKey,
        issuers: entries,
        threshold: Number(opts.threshold),
        now: new Date(),
        validitySeconds,
      });
      // Every entry's issuers/ file is checked before any is written: a refused init writes nothing.
      const copies: Array<{ target: string; entry: IssuerEntry }> = [];
      for (const entry of entries) {
        const target = join(l.issuers, `${entry.id}.json`);
        if (await exists(target)) {
          const current = parseIssuerEntry(await readBytes(target), { source: shown(target) });
          if (canonicalize(current) !== canonicalize(entry)) {
            throw new CliError(
              `${shown(target)} already exists with other content than the entry for ${entry.id}.`,
              EXIT.USAGE,
            );
          }
        } else {
          copies.push({ target, entry });
        }
      }
      for (const { target, entry } of copies) await writeJson(target, entry, { exclusive: true });
      await writeJson(l.registry, doc, { exclusive: true });
      io.out(
        `created ${shown(l.registry)}: registry ${doc.registry}, sequence 1, ${doc.issuers.length} issuers, threshold ${doc.threshold.required}`,
      );
    });
}
