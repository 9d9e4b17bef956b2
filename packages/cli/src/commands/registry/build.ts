import { basename, join } from 'node:path';
import type { Command } from 'commander';
import {
  applyProposal,
  canonicalize,
  checkQuorum,
  formatPublicKey,
  isVouchError,
  parseIssuerEntry,
  parseProposal,
  proposalId,
  replayGovernance,
  signRegistryDocument,
  verifyRegistry,
  type IssuerEntry,
  type Proposal,
  type RegistryDocument,
  type RegistryState,
} from '@vouch/sdk';
import { CliError, EXIT } from '../../exit.ts';
import type { Io } from '../../output.ts';
import { field, print } from '../../output.ts';
import { parseDuration } from './lib/duration.ts';
import { readPrivateKeyFile } from './lib/key-files.ts';
import {
  DEFAULT_DIR,
  exists,
  jsonFiles,
  layout,
  readBytes,
  readIssuerFile,
  readRegistry,
  removeFile,
  shown,
  writeJson,
  type Layout,
} from './lib/layout.ts';
import { failureLine, quorumLine } from './lib/report.ts';

interface Applied {
  step: number;
  file: string;
  what: string;
  quorum: string;
}

interface Refused {
  file: string;
  reason: string;
}

interface Pending<T> {
  file: string;
  value: T;
}

function withoutSchema(entry: IssuerEntry): Omit<IssuerEntry, '$schema'> {
  const { $schema: _d, ...rest } = entry;
  return rest;
}

async function readPending(l: Layout): Promise<{ entries: Pending<IssuerEntry>[]; proposals: Pending<Proposal>[] }> {
  const entries: Pending<IssuerEntry>[] = [];
  // The names in issuers/ and proposals/ are anyone's with write access there: in a message, field() keeps each on
  // its line. (The JSON report names them as they are.)
  for (const path of await jsonFiles(l.issuers)) {
    const entry = await readIssuerFile(path);
    entries.push({ file: shown(path), value: entry });
  }
  const proposals: Pending<Proposal>[] = [];
  for (const path of await jsonFiles(l.proposals)) {
    const source = field(shown(path));
    proposals.push({ file: shown(path), value: parseProposal(await readBytes(path), { source }) });
  }
  return { entries, proposals };
}

function appliedProposalIds(state: RegistryState): Set<string> {
  const ids = new Set<string>();
  for (const step of state.governance) if (step.kind === 'proposal') ids.add(proposalId(step.proposal));
  return ids;
}

function describe(p: Proposal): string {
  if (p.action === 'threshold') return `threshold → ${p.threshold!.required}`;
  return `${p.action} ${p.subject}`;
}

/**
 * Applies every proposal for the current sequence that has quorum (repeatedly, since each one moves the sequence
 * on). Entries in issuers/ that are not registered are admitted only by an `add` proposal: one without such a
 * proposal is refused with what to do. Returns the new state with what was applied and refused.
 */
async function applyPending(
  start: RegistryState,
  pending: { entries: Pending<IssuerEntry>[]; proposals: Pending<Proposal>[] },
  now: number,
): Promise<{ state: RegistryState; applied: Applied[]; refused: Refused[]; stale: string[] }> {
  let state = start;
  const stale: string[] = [];
  const applied: Applied[] = [];
  const refused = new Map<string, string>();
  const done = appliedProposalIds(start);
  const appliedAt = (): number => Math.max(now, Date.parse(state.lastAppliedAt));

  let progress = true;
  while (progress) {
    progress = false;
    for (const { file, value } of pending.proposals) {
      if (done.has(proposalId(value)) || value.baseSequence !== state.sequence) continue;
      const q = await checkQuorum(state, value);
      if (!q.met) {
        refused.set(file, `${describe(value)}: ${quorumLine(q)} — not applied`);
        continue;
      }
      try {
        const next = applyProposal(state, value, { appliedAt: appliedAt() });
        state = next.state;
        done.add(proposalId(value));
        refused.delete(file);
        applied.push({ step: state.sequence, file, what: describe(value), quorum: quorumLine(q) });
        progress = true;
        break; // the sequence moved: look at every proposal again
      } catch (err) {
        if (!isVouchError(err)) throw err;
        refused.set(file, `${describe(value)}: ${err.code}: ${err.message}`);
      }
    }
  }
  for (const { file, value } of pending.proposals) {
    if (done.has(proposalId(value))) continue;
    // Refused at its own sequence (short of quorum) and made stale since by another proposal of this build: stale is
    // what holds now, and what to do (signing it further could never apply it).
    if (refused.has(file) && value.baseSequence >= state.sequence) continue;
    const why =
      value.baseSequence < state.sequence
        ? `was made for sequence ${value.baseSequence}, the registry is at ${state.sequence}: propose it again`
        : `is for sequence ${value.baseSequence}, the registry is only at ${state.sequence}`;
    refused.set(file, `${describe(value)}: ${why}`);
  }

  const wasActive = new Set(start.issuers.map((e) => e.id));
  for (const { file, value } of pending.entries) {
    const active = state.issuers.find((e) => e.id === value.id);
    // Removed during this build: its file goes to revoked/ with the mirror, it is not a pending admission.
    if (active === undefined && wasActive.has(value.id)) continue;
    if (active !== undefined) {
      // Admitted by a proposal during this build: the mirror writes the registered entry over the draft. An active
      // issuer's file is a mirror of registry.json (derived, never read as input: `propose update` starts from the
      // registry): one holding neither the entry registry.json held nor the one now (a crash between build's writes,
      // a hand edit) is rewritten by the mirror, with a note.
      const was = start.issuers.find((e) => e.id === value.id);
      const held = canonicalize(withoutSchema(value));
      if (was !== undefined && held !== canonicalize(was) && held !== canonicalize(active)) stale.push(file);
      continue;
    }
    if (state.revoked.some((r) => r.id === value.id)) {
      refused.set(file, `${value.id} was removed; re-admission goes through \`vouch registry propose add\``);
      continue;
    }
    // Its own co-signatures, if any, name no registry, sequence or deadline: they admit nothing (docs/registry.md).
    if (pending.proposals.some((p) => p.value.action === 'add' && p.value.subject === value.id)) continue;
    refused.set(
      file,
      `${value.id} is not registered: admission goes through \`vouch registry propose add --entry ${file}\`` +
        (value.signatures.length > 0 ? ' (co-signatures on an entry file are not used)' : ''),
    );
  }
  return { state, applied, refused: [...refused].map(([file, reason]) => ({ file, reason })), stale };
}

/** Makes issuers/ mirror the active entries and revoked/ the removals. */
async function mirror(l: Layout, after: RegistryState): Promise<void> {
  for (const entry of after.issuers) {
    const path = join(l.issuers, `${entry.id}.json`);
    // The file is compared even when the entry did not change: it may be stale (applyPending).
    if (await exists(path)) {
      const current = parseIssuerEntry(await readBytes(path), { source: shown(path) });
      if (canonicalize(withoutSchema(current)) === canonicalize(entry)) continue;
    }
    await writeJson(path, entry);
    await removeFile(join(l.revoked, `${entry.id}.json`));
  }
  for (const record of after.revoked) {
    await writeJson(join(l.revoked, `${record.id}.json`), record);
    await removeFile(join(l.issuers, `${record.id}.json`));
  }
}

/** `vouch registry build`: applies what has quorum, re-signs registry.json, mirrors issuers/ and revoked/. */
export function registerBuild(registry: Command, io: Io): void {
  registry
    .command('build')
    .description('Apply every pending proposal that has quorum; re-sign registry.json; write revoked/.')
    .requiredOption('--root-key <file>', 'the registry root key file')
    .option('--dir <dir>', 'registry directory', DEFAULT_DIR)
    .option('--validity <duration>', 'how long the new registry.json stays valid', '7d')
    .option('--format <format>', 'text or json', 'text')
    .addHelpText(
      'after',
      `
Pending: proposals/*.json for the current sequence, each applied only with its quorum; issuers/<id>.json
for ids not in the registry are admitted by an add proposal (\`vouch registry propose add --entry FILE\`).
What is not applied is refused, named, and build exits 1.
With nothing pending, build re-signs the same registry with a new expiry.

Examples:
  $ vouch registry build --root-key root.key.json
  $ vouch registry build --dir ./trust --root-key root.key.json --validity 30d --format json`,
    )
    .action(async (opts: { rootKey: string; dir: string; validity: string; format: string }) => {
      if (opts.format !== 'text' && opts.format !== 'json')
        throw new CliError('--format must be text or json.', EXIT.USAGE);
      const l = layout(opts.dir);
      const validitySeconds = parseDuration(opts.validity, '--validity');
      const rootKey = await readPrivateKeyFile(opts.rootKey, io);
      const now = Date.now();
      const doc = await readRegistry(l);

      // The registry must verify against this root key before anything is added to it (an expired one is renewed).
      const check = await verifyRegistry(doc, { rootKey: rootKey.publicKey, now });
      const blocking = check.failures.filter((f) => f.code !== 'REGISTRY_EXPIRED');
      if (blocking.length > 0) {
        throw new CliError(
          `${shown(l.registry)} does not verify with ${formatPublicKey(rootKey.publicKey, 'registry')}:\n  ${blocking.map(failureLine).join('\n  ')}`,
          EXIT.VERIFICATION_FAILED,
        );
      }
      const before = replayGovernance(doc.governance).state!;
      const pending = await readPending(l);
      const { state, applied, refused, stale } = await applyPending(before, pending, now);

      const next: RegistryDocument = await signRegistryDocument(state, {
        rootKey,
        now: Math.max(now, Date.parse(state.lastAppliedAt)),
        validitySeconds,
      });
      const self = await verifyRegistry(next, {
        rootKey: rootKey.publicKey,
        now: next.updatedAt,
        lastSeen: { sequence: check.sequence, chainHash: check.chainHash! },
      });
      if (!self.valid) {
        throw new CliError(
          `refusing to write a registry that does not verify:\n  ${self.failures.map(failureLine).join('\n  ')}`,
          EXIT.VERIFICATION_FAILED,
        );
      }
      await writeJson(l.registry, next);
      await mirror(l, state);
      for (const file of stale) {
        io.err(
          `vouch: note: rewrote ${file} from ${shown(l.registry)}: ` +
            `it held another entry for ${basename(file, '.json')} than the registry ` +
            '(changes go through `vouch registry propose update`).',
        );
      }

      print(
        io,
        opts.format === 'json',
        { registry: next.registry, sequence: next.sequence, expiresAt: next.expiresAt, applied, refused },
        () =>
          [
            ...applied.map((a) => `applied step ${a.step}: ${a.what} (${field(a.file)}), ${a.quorum}`),
            ...refused.map((r) => `refused ${field(r.file)}: ${r.reason}`),
            `wrote ${shown(l.registry)}: sequence ${next.sequence}, ${next.issuers.length} issuers, threshold ${next.threshold.required}, expires ${next.expiresAt}`,
          ].join('\n'),
      );
      if (refused.length > 0)
        throw new CliError(`${refused.length} pending change(s) refused (see above).`, EXIT.VERIFICATION_FAILED);
    });
}
