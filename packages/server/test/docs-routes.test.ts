// Every route the OpenAPI document publishes (/docs/json: hidden routes are not in it) is named, method and path, in
// docs/PROTOCOL.md or README.md, so a route added without its documentation fails here. A route is named as
// "`POST /v1/registry/genesis`": a path parameter may be written `:id` or `{id}` under any name, a query string
// follows the path, and one optional segment may be bracketed (`GET /v1/registry/proposals[/:id]`). Every route named
// there is served, too. And where the docs give a route's JSON body right after it ("`PUT /api/v1/agents/:id/slug`
// `{slug}`", as the route tables do), it names exactly the members the route's body schema accepts. A page size
// (`limit` query parameter) is written within 400 characters after its route as "`limit` 1–500, default 100", with
// the bounds and default of its schema.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeApp } from './helpers/app.ts';
import { eachEngine } from './helpers/storage.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const METHOD = /\b(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\/[^\s`|,;)]*)/g;

/** A path with its parameters unnamed: `/a/:id/b` and `/a/{slug}/b` are both `/a/{}/b`. */
const unnamed = (path: string) => path.replace(/\{[^}]+\}|:[A-Za-z_][A-Za-z0-9_]*/g, '{}');

/** Every "METHOD /path" the text names, as `METHOD /path` with its parameters unnamed. */
function namedRoutes(text: string): Set<string> {
  const named = new Set<string>();
  for (const m of text.matchAll(METHOD)) {
    const path = m[2]!.split('?')[0]!;
    const optional = /\[([^\]]+)\]/.exec(path);
    if (optional === null) named.add(`${m[1]} ${unnamed(path)}`);
    else {
      named.add(`${m[1]} ${unnamed(path.replace(optional[0], ''))}`);
      named.add(`${m[1]} ${unnamed(path.replace(optional[0], optional[1]!))}`);
    }
  }
  return named;
}

eachEngine(
  'every route of /docs/json is named in docs/PROTOCOL.md or README.md, and every route named is served',
  async ({ open }) => {
    const { app } = await makeApp(await open());
    try {
      const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as {
        paths: Record<string, Record<string, unknown>>;
      };
      const named = namedRoutes(
        ['docs/PROTOCOL.md', 'README.md'].map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n'),
      );
      const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
      );
      assert.ok(routes.length > 50, `the OpenAPI document lists the routes (${routes.length})`);
      assert.deepEqual(
        routes.filter((r) => {
          const [method, path] = r.split(' ') as [string, string];
          return !named.has(`${method} ${unnamed(path)}`);
        }),
        [],
        'routes of /docs/json that docs/PROTOCOL.md and README.md do not name',
      );

      // And every route they name is served (a hidden one too): no request to it reaches the not-found handler,
      // which answers 405 where the path is served under another method only.
      const unserved: string[] = [];
      for (const route of named) {
        const [method, path] = route.split(' ') as [string, string];
        const res = await app.inject({ method: method as 'GET', url: path.replaceAll('{}', 'x') });
        const noRoute = res.statusCode === 404 && res.body.startsWith('{"error":"No route ');
        if (noRoute || res.statusCode === 405) unserved.push(route);
      }
      assert.deepEqual(unserved, [], 'routes docs/PROTOCOL.md or README.md name that the server does not serve');
    } finally {
      await app.close();
    }
  },
);

/** The top-level member names of a documented body such as `{a, b?, c: [{x}], d? {y, z}}`. */
function memberNames(body: string): string[] {
  const names: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of body.slice(1, -1)) {
    if ('{[('.includes(ch)) depth++;
    if ('}])'.includes(ch)) depth--;
    if (ch === ',' && depth === 0) {
      names.push(current);
      current = '';
    } else current += ch;
  }
  names.push(current);
  return names.map((n) => /^\s*([A-Za-z_]\w*)/.exec(n)?.[1]).filter((n): n is string => n !== undefined);
}

eachEngine(
  'a body the docs give right after a route names exactly the members its schema accepts',
  async ({ open }) => {
    const { app } = await makeApp(await open());
    try {
      const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as {
        paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>>;
      };
      const text = ['docs/PROTOCOL.md', 'README.md'].map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
      const wrong: string[] = [];
      let bodies = 0;
      for (const m of text.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/[^`\s?]*)[^`]*` `(\{[^`]*\})`/g)) {
        const [, method, path, body] = m as unknown as [string, string, string, string];
        const served = Object.keys(doc.paths).find((p) => unnamed(p) === unnamed(path));
        const schema =
          served && doc.paths[served]![method.toLowerCase()]?.requestBody?.content['application/json']?.schema;
        const accepted = Object.keys((schema as { properties?: object } | undefined)?.properties ?? {});
        const documented = memberNames(body);
        bodies++;
        const undocumented = accepted.filter((n) => !documented.includes(n));
        const refused = documented.filter((n) => !accepted.includes(n));
        if (undocumented.length > 0 || refused.length > 0) {
          wrong.push(
            `${method} ${path} ${body}: not named ${JSON.stringify(undocumented)}, not accepted ${JSON.stringify(refused)}`,
          );
        }
      }
      assert.ok(bodies > 10, `the docs give route bodies (${bodies})`);
      assert.deepEqual(wrong, []);
    } finally {
      await app.close();
    }
  },
);

eachEngine('the docs give every `limit` parameter the bounds and default of its schema', async ({ open }) => {
  const { app } = await makeApp(await open());
  try {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string; schema: never }> }>>;
    };
    const text = ['docs/PROTOCOL.md', 'README.md']
      .map((f) => readFileSync(join(ROOT, f), 'utf8'))
      .join('\n')
      .replace(/\s*\n\s*/g, ' ');
    const number = (n: number) => n.toLocaleString('en-US').replace(/,/g, ',?');
    const wrong: string[] = [];
    let limits = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const limit = op.parameters?.find((p) => p.in === 'query' && p.name === 'limit');
        if (limit === undefined) continue;
        limits++;
        const {
          minimum,
          maximum,
          default: byDefault,
        } = limit.schema as { minimum: number; maximum: number; default: number };
        const written = new RegExp(
          `\`limit\` ${minimum}(?:–| to )${number(maximum)}[,;]? \\(?default ${number(byDefault)}\\b`,
        );
        const route = `${method.toUpperCase()} ${unnamed(path)}`;
        const near = [...text.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/[^`\s?]*)[^`]*`/g)].filter(
          (m) => `${m[1]} ${unnamed(m[2]!.replace(/\[[^\]]*\]/, ''))}` === route,
        );
        if (!near.some((m) => written.test(text.slice(m.index, m.index + 400)))) {
          wrong.push(`${route}: \`limit\` ${minimum}–${maximum}, default ${byDefault}`);
        }
      }
    }
    assert.ok(limits >= 5, `routes with a limit are found (${limits})`);
    assert.deepEqual(wrong, []);
  } finally {
    await app.close();
  }
});
