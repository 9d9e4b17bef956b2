// A strict reader of the server's own HTML, for tests that put hostile values on pages: every `<` must open a tag
// the templates write (a stray one means a value reached the page unescaped), every tag and attribute must be on an
// allowlist, and every URL attribute must point at this server. Also reads an element's text back, entities decoded.
import assert from 'node:assert/strict';

export interface Tag {
  name: string;
  closing: boolean;
  attrs: Map<string, string>;
}

/** Every element the page templates write. */
const TAGS = new Set(
  (
    'html head meta title link body nav a main h1 h2 p span dl dt dd table thead tbody tr th td ul li strong code pre ' +
    'div footer br form label textarea button noscript input script'
  ).split(' '),
);

/** Every attribute the page templates write (no `on*`, `style`, `srcdoc`, `formaction`, ...). */
const ATTRS = new Set(
  (
    'lang charset name content rel href class id aria-current aria-label method action for rows required spellcheck ' +
    'autocomplete type data-signature-hash data-certify-url role aria-live src defer'
  ).split(' '),
);

/** Attributes a browser follows or loads as a URL. */
const URL_ATTRS = new Set(['href', 'src', 'action', 'data-certify-url']);

// A tag as the templates write it: lowercase name, attributes bare or double-quoted, values without `<`, `>`, `"`.
const TAG = /<(\/?)([a-z][a-z0-9]*)((?:\s+[a-z][a-z-]*(?:="[^"<>]*")?)*)\s*>/y;
const ATTR = /\s+([a-z][a-z-]*)(?:="([^"<>]*)")?/g;

/** Decodes the entities `escapeHtml` writes (and the named ones, should a template use them). */
export function decodeEntities(s: string): string {
  // One pass: `&#38;lt;` is the text "&lt;", never "<".
  const named: Record<string, string> = { lt: '<', gt: '>', quot: '"', amp: '&' };
  return s.replace(/&(?:#(\d+)|(lt|gt|quot|amp));/g, (_, n: string | undefined, name: string | undefined) =>
    n === undefined ? named[name!]! : String.fromCodePoint(Number(n)),
  );
}

/**
 * Scans a whole page; fails on a stray `<` or `>`, an unknown tag or attribute, a URL that is not this server's
 * (`origin`, absolute or relative), or a script other than `allowedScripts`. Returns the tags.
 */
export function scanPage(html: string, origin: string, allowedScripts: readonly string[] = []): Tag[] {
  const tags: Tag[] = [];
  const doctype = '<!doctype html>';
  assert.ok(html.startsWith(doctype), 'starts with the doctype');
  let i = doctype.length;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    const text = html.slice(i, lt === -1 ? html.length : lt);
    assert.ok(!text.includes('>'), `a raw ">" in text: ${JSON.stringify(text.slice(0, 120))}`);
    if (lt === -1) break;
    TAG.lastIndex = lt;
    const m = TAG.exec(html);
    assert.ok(m !== null, `a "<" that opens no template tag: ${JSON.stringify(html.slice(lt, lt + 120))}`);
    const tag: Tag = { name: m[2]!, closing: m[1] === '/', attrs: new Map() };
    assert.ok(TAGS.has(tag.name), `unexpected element <${tag.name}>`);
    for (const [, name, value] of m[3]!.matchAll(ATTR)) {
      assert.ok(ATTRS.has(name!), `unexpected attribute ${name} on <${tag.name}>`);
      assert.ok(!tag.attrs.has(name!), `attribute ${name} twice on <${tag.name}>`);
      tag.attrs.set(name!, decodeEntities(value ?? ''));
    }
    for (const [name, value] of tag.attrs) {
      if (!URL_ATTRS.has(name)) continue;
      // Resolved as a browser would on a page of this server: `javascript:`, `data:` and other hosts have another origin.
      assert.equal(
        new URL(value, `${origin}/page`).origin,
        origin,
        `<${tag.name} ${name}="${value}"> leaves this server`,
      );
    }
    if (tag.name === 'script' && !tag.closing) {
      assert.ok(allowedScripts.includes(tag.attrs.get('src') ?? ''), `unexpected script ${m[0]}`);
      assert.ok(html.startsWith('</script>', TAG.lastIndex), 'a script element has no inline content');
    }
    tags.push(tag);
    i = TAG.lastIndex;
  }
  return tags;
}

/** The text of the element with `id` (its inner tags dropped, entities decoded), or undefined when there is none. */
export function textOf(html: string, id: string): string | undefined {
  const at = html.indexOf(` id="${id}"`);
  if (at === -1) return undefined;
  const open = html.lastIndexOf('<', at);
  const name = /^<([a-z][a-z0-9]*)/.exec(html.slice(open))![1]!;
  const start = html.indexOf('>', at) + 1;
  const end = html.indexOf(`</${name}>`, start);
  return decodeEntities(html.slice(start, end).replace(/<[^>]*>/g, ''));
}
