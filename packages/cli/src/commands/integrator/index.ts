// `vouch integrator create|rotate-key|metrics|list` and `vouch reputation rebuild`: the admin's side of identity.app's
// integrators, over HTTP with the admin key (like `vouch token`).
import type { Command } from 'commander';
import { answerError, answerOf, isObject } from '../../answer.ts';
import { CliError, EXIT } from '../../exit.ts';
import type { Io } from '../../output.ts';
import { field, print } from '../../output.ts';
import { pathSegment } from '../../net.ts';
import { adminHeaders, expectStatus, request, serverBase, serverOptions } from '../token/http.ts';
import type { ServerOptions } from '../token/http.ts';
import { parseMetric, readMetricsFile } from './metrics.ts';

function forEachCommand(cmd: Command, fn: (c: Command) => void): void {
  for (const sub of cmd.commands) {
    fn(sub);
    forEachCommand(sub, fn);
  }
}

interface CreateOptions extends ServerOptions {
  name: string;
  domain: string;
  metric?: string[];
  metricsFile?: string;
}

interface MetricView {
  metricKey: string;
  polarity: string;
  weight: number;
  lane: string;
  maxPerDay: number;
}

interface IntegratorView {
  slug: string;
  name: string;
  domain: string;
  environmentVersion: number;
  metrics: MetricView[];
}

function isMetric(v: unknown): v is MetricView {
  return (
    isObject(v) &&
    ['metricKey', 'polarity', 'lane'].every((f) => typeof v[f] === 'string') &&
    typeof v.weight === 'number' &&
    typeof v.maxPerDay === 'number'
  );
}

const isMetrics = (v: unknown): v is MetricView[] => Array.isArray(v) && v.every(isMetric);

function isIntegrator(v: unknown): v is IntegratorView {
  return (
    isObject(v) &&
    ['slug', 'name', 'domain'].every((f) => typeof v[f] === 'string') &&
    Number.isSafeInteger(v.environmentVersion) &&
    isMetrics(v.metrics)
  );
}

/**
 * An answer holding a new API key: printed alone on stdout (`KEY=$(...)`), so it must be one token a Bearer header
 * can carry (printable ASCII, no space); a line break in it would give the server lines of its choosing there.
 */
const isApiKey = (b: Record<string, unknown>): boolean =>
  typeof b.slug === 'string' && typeof b.apiKey === 'string' && /^[\x21-\x7e]+$/.test(b.apiKey);

/**
 * The answer of a route that acted on the integrator `slug`, which the server names in it (always the request's): one
 * about another integrator is refused (exit 2), or its API key or metrics would be printed as `slug`'s.
 */
function aboutSlug<T extends { slug: string }>(answer: T, slug: string, status: number): T {
  if (answer.slug !== slug) throw answerError(`is about another integrator than ${field(slug)}`, status);
  return answer;
}

/** One metric as a line's part; its text is the server's, so field() keeps it on the line. */
function describeMetric(m: MetricView): string {
  return `${field(m.metricKey)} (${field(m.polarity)} ${m.weight} ${field(m.lane)}, ${m.maxPerDay}/day)`;
}

/** The slug as a segment of a route's path (no slug is empty or a dot segment). */
function slugSegment(slug: string): string {
  return pathSegment(slug, 'an integrator slug');
}

function describeIntegrator(i: IntegratorView): string {
  const metrics = i.metrics.map(describeMetric);
  return `${field(i.slug)}  v${i.environmentVersion}  ${field(i.name)}  ${field(i.domain)}\n  ${metrics.join('\n  ') || '(no metrics)'}`;
}

function registerCreate(integrator: Command, io: Io): void {
  serverOptions(
    integrator
      .command('create')
      .description(
        'Create an integrator with its metrics (environment version 1). Prints its API key, shown only once.',
      )
      .argument(
        '<slug>',
        'the integrator slug (3 to 40 of a-z, 0-9 and -, starting with a letter and not ending with -)',
      )
      .requiredOption('--name <name>', 'display name')
      .requiredOption('--domain <domain>', 'the integrator domain, e.g. shop.example')
      .option(
        '--metric <spec>',
        'a metric as key:polarity:weight:lane[:maxPerDay] (repeatable); polarity boost|hurt|neutral, lane origin|presence|conduct',
        (v, prev: string[] = []) => [...prev, v],
      )
      .option('--metrics-file <file>', 'a JSON file with an array of {metricKey, polarity, weight, lane, maxPerDay?}'),
    ['admin'],
  )
    .addHelpText(
      'after',
      `
Examples:
  $ vouch integrator create shop --name Shop --domain shop.example \\
      --metric tasks_completed:boost:1:conduct --metric spam:hurt:2:conduct:3 --admin-key-file data/admin.key
  $ KEY=$(vouch integrator create shop --name Shop --domain shop.example --metrics-file metrics.json)`,
    )
    .action(async (slug: string, opts: CreateOptions) => {
      const metrics: unknown[] = (opts.metric ?? []).map(parseMetric);
      if (opts.metricsFile !== undefined) metrics.push(...(await readMetricsFile(opts.metricsFile)));
      const res = await request(
        serverBase(opts),
        'POST',
        '/api/v1/admin/integrators',
        { slug, name: opts.name, domain: opts.domain, metrics },
        adminHeaders(opts),
      );
      expectStatus(res, [201]);
      const created = aboutSlug(
        answerOf<{ slug: string; apiKey: string }>(
          res.body,
          (b) => isApiKey(b) && Number.isSafeInteger(b.environmentVersion),
          'is not a new integrator',
          res.status,
        ),
        slug,
        res.status,
      );
      print(io, opts.json === true, created, () => created.apiKey);
    });
}

function registerRotate(integrator: Command, io: Io): void {
  serverOptions(
    integrator
      .command('rotate-key')
      .description("Replace an integrator's API key; the old one stops working at once. Prints the new key."),
    ['admin'],
  )
    .argument('<slug>', 'the integrator slug')
    .addHelpText(
      'after',
      `
Example:
  $ vouch integrator rotate-key shop --admin-key-file data/admin.key`,
    )
    .action(async (slug: string, opts: ServerOptions) => {
      const res = await request(
        serverBase(opts),
        'POST',
        `/api/v1/admin/integrators/${slugSegment(slug)}/rotate-key`,
        {},
        adminHeaders(opts),
      );
      expectStatus(res, [200]);
      const rotated = aboutSlug(
        answerOf<{ slug: string; apiKey: string }>(res.body, isApiKey, 'is not an integrator key', res.status),
        slug,
        res.status,
      );
      print(io, opts.json === true, rotated, () => rotated.apiKey);
    });
}

function registerList(integrator: Command, io: Io): void {
  serverOptions(
    integrator.command('list').description('List integrators with their environment version and metrics.'),
    ['admin'],
  )
    .addHelpText(
      'after',
      `
Example:
  $ vouch integrator list --json`,
    )
    .action(async (opts: ServerOptions) => {
      const res = await request(serverBase(opts), 'GET', '/api/v1/admin/integrators', undefined, adminHeaders(opts));
      expectStatus(res, [200]);
      const body = answerOf<{ integrators: IntegratorView[] }>(
        res.body,
        (b) => Array.isArray(b.integrators) && b.integrators.every(isIntegrator),
        'is not an integrator list',
        res.status,
      );
      print(io, opts.json === true, body, () =>
        body.integrators.length === 0 ? '(no integrators)' : body.integrators.map(describeIntegrator).join('\n'),
      );
    });
}

interface MetricsOptions extends ServerOptions {
  file: string;
}

function registerMetrics(integrator: Command, io: Io): void {
  serverOptions(
    integrator
      .command('metrics')
      .description(
        "Replace an integrator's metrics with those in a JSON file; a change publishes a new environment version.",
      )
      .argument('<slug>', 'the integrator slug')
      .requiredOption('--file <file>', 'a JSON file with an array of {metricKey, polarity, weight, lane, maxPerDay?}'),
    ['admin'],
  )
    .addHelpText(
      'after',
      `
Sends PUT /api/v1/admin/integrators/SLUG/metrics. The file holds the whole new list (an array, or
{"metrics": [...]}); the same list again changes nothing and keeps the version. Exit 0 when stored, 2 otherwise.

Examples:
  $ vouch integrator metrics shop --file metrics.json --admin-key-file data/admin.key
  $ vouch integrator metrics shop --file metrics.json --json`,
    )
    .action(async (slug: string, opts: MetricsOptions) => {
      const path = `/api/v1/admin/integrators/${slugSegment(slug)}/metrics`;
      const metrics = await readMetricsFile(opts.file);
      const res = await request(serverBase(opts), 'PUT', path, { metrics }, adminHeaders(opts));
      expectStatus(res, [200]);
      const r = answerOf<{ slug: string; environmentVersion: number; changed: boolean; metrics: MetricView[] }>(
        res.body,
        (b) =>
          typeof b.slug === 'string' &&
          Number.isSafeInteger(b.environmentVersion) &&
          typeof b.changed === 'boolean' &&
          isMetrics(b.metrics),
        "is not an integrator's metrics",
        res.status,
      );
      aboutSlug(r, slug, res.status);
      print(io, opts.json === true, r, () => {
        const head = `${field(r.slug)}  v${r.environmentVersion}  ${r.changed ? 'metrics replaced' : 'unchanged'}`;
        const lines = r.metrics.map(describeMetric);
        return `${head}\n  ${lines.join('\n  ') || '(no metrics)'}`;
      });
    });
}

export function registerIntegrator(program: Command, io: Io): void {
  const integrator = program
    .command('integrator')
    .description(
      "identity.app integrators: create, rotate their API keys, replace their metrics, list (the admin's commands).",
    )
    .addHelpText(
      'after',
      `
Server commands use --server (or $VOUCH_SERVER, default http://127.0.0.1:4100) and the admin key.

Examples:
  $ vouch integrator create shop --name Shop --domain shop.example --metric sale:boost:1:conduct
  $ vouch integrator rotate-key shop
  $ vouch integrator metrics shop --file metrics.json
  $ vouch integrator list`,
    );
  registerCreate(integrator, io);
  registerRotate(integrator, io);
  registerMetrics(integrator, io);
  registerList(integrator, io);
  forEachCommand(integrator, (c) =>
    c.configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) }).exitOverride(),
  );
}

interface RebuildOptions extends ServerOptions {
  dryRun?: boolean;
}

export function registerReputation(program: Command, io: Io): void {
  const reputation = program
    .command('reputation')
    .description('Reputation scores: recompute them from the stored event history.')
    .addHelpText(
      'after',
      `
Example:
  $ vouch reputation rebuild --dry-run`,
    );
  serverOptions(
    reputation
      .command('rebuild')
      .description(
        'Recompute every reputation score from the stored events and report penalties (POST ' +
          '/api/v1/admin/reputation/rebuild) and replace the stored scores. With --dry-run only compare: exit 1 ' +
          'when the stored scores differ from the rebuild.',
      )
      .option('--dry-run', 'compare only; write nothing'),
    ['admin'],
  )
    .addHelpText(
      'after',
      `
Examples:
  $ vouch reputation rebuild --admin-key-file data/admin.key
  $ vouch reputation rebuild --dry-run --json`,
    )
    .action(async (opts: RebuildOptions) => {
      const res = await request(
        serverBase(opts),
        'POST',
        '/api/v1/admin/reputation/rebuild',
        { dryRun: opts.dryRun === true },
        adminHeaders(opts),
      );
      expectStatus(res, [200]);
      // Its verdict decides the exit code: an answer without one is no verdict (exit 2), not a difference (exit 1).
      const r = answerOf<{ events: number; penalties: number; agents: number; consistent: boolean; written: boolean }>(
        res.body,
        (b) =>
          ['events', 'penalties', 'agents'].every((f) => Number.isSafeInteger(b[f])) &&
          typeof b.consistent === 'boolean' &&
          typeof b.written === 'boolean',
        'is not a reputation rebuild report',
        res.status,
      );
      print(io, opts.json === true, r, () => {
        const state = r.consistent ? 'matched the rebuild' : r.written ? 'differed and were rewritten' : 'differ';
        return `${r.events} events, ${r.penalties} penalties, ${r.agents} agents: the stored scores ${state}.`;
      });
      if (opts.dryRun === true && !r.consistent) {
        throw new CliError('the stored scores differ from the rebuild.', EXIT.VERIFICATION_FAILED);
      }
    });
  forEachCommand(reputation, (c) =>
    c.configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) }).exitOverride(),
  );
}
