// `vouch audit`: the server's audit log (GET /api/v1/admin/audit, admin), newest first, one page or (--all) every page
// up to a cap. Each page is checked before anything is printed: an answer not shaped like an audit page (a proxy's
// JSON, a broken server) ends the command with exit 2 and one line, and a page that does not move to older entries
// ends --all instead of asking for the same page forever.
import type { Command } from 'commander';
import type { AuditEntry as SdkAuditEntry } from '@vouch/sdk';
import { answerError, isObject } from '../answer.ts';
import { CliError, EXIT } from '../exit.ts';
import type { Io } from '../output.ts';
import { field, print } from '../output.ts';
import { adminHeaders, expectStatus, request, serverBase, serverOptions } from './token/http.ts';
import type { ServerOptions } from './token/http.ts';

/** The most entries the server answers in one page (its `limit` maximum). */
export const MAX_AUDIT_PAGE = 500;
/** The server's page size when none is asked for. */
const DEFAULT_PAGE = 100;
/** Where --all stops: the log only grows, and a terminal or a script rarely wants more at once. */
export const MAX_AUDIT_ALL = 10_000;
/** Characters of an entry's details the table shows (--json shows them whole). */
const DETAILS_SHOWN = 120;

/** The SDK's entry, but an older server answers no `requestId`. */
export type AuditEntry = Omit<SdkAuditEntry, 'requestId'> & { requestId?: string | null };

interface AuditOptions extends ServerOptions {
  action?: string;
  limit?: string;
  before?: string;
  all?: boolean;
}

/** What one request asked for: a page must answer it. */
interface PageQuery {
  limit: number;
  before?: number;
  action?: string;
}

function isEntry(v: unknown): v is AuditEntry {
  return (
    isObject(v) &&
    Number.isSafeInteger(v.id) &&
    (v.id as number) >= 1 &&
    typeof v.at === 'string' &&
    typeof v.actor === 'string' &&
    typeof v.action === 'string' &&
    (v.target === null || typeof v.target === 'string') &&
    (v.details === null || isObject(v.details)) &&
    (v.requestId === undefined || v.requestId === null || typeof v.requestId === 'string')
  );
}

/** One checked page: its entries and the server's `next` (undefined from a server that does not answer one). */
export interface AuditPage {
  entries: AuditEntry[];
  next: number | null | undefined;
}

/**
 * The entries and `next` of a 200 answer to `q`, or exit 2 saying what is wrong with it: not `{entries: [...]}` of
 * audit entries, more entries than asked for, not newest first below `before`, of another action than the
 * filter's, or a `next` that is not null or the last id of a full page (any other would send --all elsewhere).
 */
export function auditPageOf(status: number, body: unknown, q: PageQuery): AuditPage {
  const fail = (why: string): never => {
    throw answerError(`is not an audit log page (${why})`, status);
  };
  const entries = isObject(body) ? body.entries : undefined;
  if (!Array.isArray(entries) || !entries.every(isEntry)) return fail('no list of audit entries');
  if (entries.length > q.limit) return fail(`${entries.length} entries, ${q.limit} asked for`);
  let above = q.before ?? Number.POSITIVE_INFINITY;
  for (const e of entries) {
    if (e.id >= above) return fail('entries not newest first');
    above = e.id;
    if (q.action !== undefined && e.action !== q.action) return fail('an entry of another action');
  }
  const next = isObject(body) ? body.next : undefined;
  if (next === undefined || next === null) return { entries, next };
  if (entries.length < q.limit) return fail('a next after a short page');
  if (next !== entries.at(-1)!.id) return fail("a next that is not the page's last id");
  return { entries, next };
}

/** A whole number option from `min` to `max`, or a usage error naming it. */
function wholeNumber(text: string, option: string, min: number, max: number): number {
  const n = /^[0-9]{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new CliError(`${option} must be a whole number from ${min} to ${max}.`, EXIT.USAGE);
  }
  return n;
}

/** The entries as aligned columns; details as compact JSON, cut short (the values are the server's: made safe). */
function table(entries: readonly AuditEntry[]): string {
  if (entries.length === 0) return 'no audit entries.';
  const cut = (s: string) => (s.length > DETAILS_SHOWN ? `${s.slice(0, DETAILS_SHOWN - 1)}…` : s);
  const rows = [
    ['ID', 'AT', 'ACTOR', 'ACTION', 'TARGET', 'DETAILS'],
    ...entries.map((e) => [
      String(e.id),
      field(e.at),
      field(e.actor),
      field(e.action),
      e.target === null ? '-' : field(e.target),
      e.details === null ? '-' : field(cut(JSON.stringify(e.details))),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

/** `vouch audit`: read the server's audit log (admin). */
export function registerAudit(program: Command, io: Io): void {
  serverOptions(
    program
      .command('audit')
      .description("Read the server's audit log of admin and governance actions, newest first (admin).")
      .option('--action <action>', 'only entries of this action, e.g. server_key.rotate')
      .option(
        '--limit <n>',
        `entries per page, 1 to ${MAX_AUDIT_PAGE} (default ${DEFAULT_PAGE}; ${MAX_AUDIT_PAGE} with --all)`,
      )
      .option(
        '--before <id>',
        'only entries older than this id (the next page: the id printed when older entries follow)',
      )
      .option('--all', `follow the pages to the oldest entry, at most ${MAX_AUDIT_ALL} entries`),
    ['admin'],
  )
    .addHelpText(
      'after',
      `
Examples:
  $ vouch audit --admin-key-file data/admin.key
  $ vouch audit --action server_key.rotate --limit 20 --admin-key-file data/admin.key
  $ VOUCH_ADMIN_KEY=... vouch audit --all --json > audit.json

With --json the answer is {entries, next}: next is the id to pass as --before for older entries, null when there
are none (from a server that does not say, after a full page it may lead to an empty one). Exit 2 if the server
refuses or answers something else.`,
    )
    .action(async (opts: AuditOptions) => {
      const all = opts.all === true;
      const limit =
        opts.limit === undefined
          ? all
            ? MAX_AUDIT_PAGE
            : DEFAULT_PAGE
          : wholeNumber(opts.limit, '--limit', 1, MAX_AUDIT_PAGE);
      let before =
        opts.before === undefined ? undefined : wholeNumber(opts.before, '--before', 1, Number.MAX_SAFE_INTEGER);
      if (opts.action === '') throw new CliError('--action must not be empty.', EXIT.USAGE);
      const base = serverBase(opts);
      const headers = adminHeaders(opts);
      const entries: AuditEntry[] = [];
      let next: number | null;
      for (;;) {
        const q: PageQuery = { limit, before, action: opts.action };
        const query = new URLSearchParams({ limit: String(limit) });
        if (before !== undefined) query.set('before', String(before));
        if (opts.action !== undefined) query.set('action', opts.action);
        const res = await request(base, 'GET', `/api/v1/admin/audit?${query.toString()}`, undefined, headers);
        expectStatus(res, [200]);
        const page = auditPageOf(res.status, res.body, q);
        entries.push(...page.entries);
        if (page.next !== undefined) {
          // The server read one entry more than the page, so it knows: null on the last page, even a full one.
          next = page.next;
        } else {
          // A server without `next`: a short page is the last; ids start at 1, so nothing is older than entry 1.
          // After a full page there may be nothing older: the next request finds out.
          const last = page.entries.at(-1)?.id;
          next = page.entries.length === limit && last !== undefined && last > 1 ? last : null;
        }
        if (!all) break;
        // Past the cap (the last page may pass it too) or at it with more to come: cut there and say where to go on.
        if (entries.length > MAX_AUDIT_ALL || (entries.length === MAX_AUDIT_ALL && next !== null)) {
          entries.length = MAX_AUDIT_ALL;
          next = entries.at(-1)!.id;
          io.err(`vouch: stopped at ${MAX_AUDIT_ALL} entries; older ones follow with --before ${next}.`);
          break;
        }
        if (next === null) break;
        before = next;
      }
      print(io, opts.json === true, { entries, next }, () => table(entries));
      if (opts.json !== true && next !== null && !all) io.err(`vouch: older entries follow: add --before ${next}.`);
    });
}
