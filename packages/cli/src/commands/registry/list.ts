import { basename } from 'node:path';
import type { Command } from 'commander';
import { CliError, EXIT } from '../../exit.ts';
import type { Io } from '../../output.ts';
import { jsonOut } from '../../output.ts';
import { DEFAULT_DIR, jsonFiles, layout, readIssuerFile, readRegistryIfAny } from './lib/layout.ts';

interface Row {
  id: string;
  endpoint: string;
  registeredAt: string;
  status: 'active' | 'revoked' | 'pending';
}

/** `vouch registry list`: the seed's ID / ENDPOINT / REGISTERED listing, with a STATUS column. */
export function registerList(registry: Command, io: Io): void {
  registry
    .command('list')
    .description('List issuers: active and revoked ones from registry.json, pending ones from issuers/.')
    .option('--format <format>', 'table or json', 'table')
    .option('--dir <dir>', 'registry directory', DEFAULT_DIR)
    .addHelpText(
      'after',
      `
list reads registry.json without verifying it: run \`vouch registry verify\` for that.

Examples:
  $ vouch registry list
  $ vouch registry list --dir ./trust --format json`,
    )
    .action(async (opts: { format: string; dir: string }) => {
      if (opts.format !== 'table' && opts.format !== 'json')
        throw new CliError('--format must be table or json.', EXIT.USAGE);
      const l = layout(opts.dir);
      const doc = await readRegistryIfAny(l);
      const rows: Row[] = [];
      const seen = new Set<string>();
      for (const e of doc?.issuers ?? []) {
        rows.push({ id: e.id, endpoint: e.endpoint, registeredAt: e.registeredAt, status: 'active' });
        seen.add(e.id);
      }
      const lastEntry = new Map<string, { endpoint: string; registeredAt: string }>();
      for (const step of doc?.governance ?? []) {
        if (step.kind === 'genesis') for (const e of step.issuers) lastEntry.set(e.id, e);
        else if (step.kind === 'admit') lastEntry.set(step.entry.id, step.entry);
        else if (step.proposal.entry) lastEntry.set(step.proposal.entry.id, step.proposal.entry);
      }
      for (const r of doc?.revoked ?? []) {
        const e = lastEntry.get(r.id);
        rows.push({ id: r.id, endpoint: e?.endpoint ?? '', registeredAt: e?.registeredAt ?? '', status: 'revoked' });
        seen.add(r.id);
      }
      for (const path of await jsonFiles(l.issuers)) {
        const id = basename(path, '.json');
        if (seen.has(id)) continue;
        // Named after its entry's id, as build requires: so no issuer is listed twice.
        const e = await readIssuerFile(path);
        rows.push({ id: e.id, endpoint: e.endpoint, registeredAt: e.registeredAt, status: 'pending' });
      }
      rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      if (opts.format === 'json') {
        io.out(jsonOut({ sequence: doc?.sequence ?? 0, threshold: doc?.threshold ?? null, issuers: rows }));
        return;
      }
      const table = [
        ['ID', 'ENDPOINT', 'REGISTERED', 'STATUS'],
        ...rows.map((r) => [
          r.id,
          r.endpoint,
          r.registeredAt.slice(0, 10),
          r.status.toUpperCase()[0] + r.status.slice(1),
        ]),
      ];
      const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
      io.out(
        table
          .map((row) =>
            row
              .map((c, i) => c.padEnd(widths[i]!))
              .join('  ')
              .trimEnd(),
          )
          .join('\n'),
      );
    });
}
