/**
 * Reads `<meta name="…" content="…">` values from the `<head>` of an HTML page, defensively: the input is whatever
 * a remote server sent (at most the fetcher's body cap). The page is tokenized as a browser does, so only real tags
 * count: not text in comments, in text-only elements (`<script>`, `<style>`, `<title>`, …) or in another tag's
 * attribute value, where sites often put what visitors wrote (embedded JSON, a post's title). Only tags before
 * `</head>` or `<body>` count, so text a visitor can post into a page body cannot pass for the owner's tag either.
 *
 * The page is read in one pass, in time linear in its length: a pattern that looks for each tag's closing `>` again
 * from every `<meta` took seconds on the event loop for 64 KiB of `<meta ` with no `>`, and anyone with a domain can
 * serve that page. As in a browser, a tag, comment or text-only element still open at the end of the page hides
 * everything after it.
 */
export function metaContents(html: string, name: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    const lt = html.indexOf('<', i);
    if (lt === -1) return out;
    const next = html.charCodeAt(lt + 1);
    if (html.startsWith('<!--', lt)) {
      i = commentEnd(html, lt + 4);
    } else if (next === 0x21 /* ! */ || next === 0x3f /* ? */) {
      i = html.indexOf('>', lt + 2) + 1; // doctype, CDATA or a bogus comment: up to the next `>`
    } else if (next === 0x2f /* / */ && isAsciiAlpha(html.charCodeAt(lt + 2))) {
      const tag = readTag(html, lt + 2);
      if (tag === undefined || tag.name === 'head') return out;
      i = tag.end;
    } else if (next === 0x2f /* / */) {
      i = html.indexOf('>', lt + 2) + 1;
    } else if (isAsciiAlpha(next)) {
      const tag = readTag(html, lt + 1);
      if (tag === undefined || tag.name === 'body' || tag.name === 'plaintext') return out;
      if (tag.name === 'meta' && tag.attrs.get('name')?.trim().toLowerCase() === name && tag.attrs.has('content')) {
        out.push(tag.attrs.get('content')!.trim());
      }
      i = TEXT_ONLY.has(tag.name) ? textEnd(html, tag.end, tag.name) : tag.end;
    } else {
      i = lt + 1; // a `<` that starts no tag is text
    }
    if (i <= 0) return out; // whatever was open runs to the end of the page
  }
}

/**
 * Elements whose content is text, never tags (raw text and RCDATA; `noscript` as with scripting on), and `template`,
 * whose content is not part of the document's head.
 */
const TEXT_ONLY = new Set([
  'script',
  'style',
  'title',
  'textarea',
  'noscript',
  'noframes',
  'noembed',
  'xmp',
  'iframe',
  'template',
]);

/** Where parsing resumes after a comment whose text starts at `from`; 0 when it never ends. */
function commentEnd(html: string, from: number): number {
  // `<!-->` and `<!--->` end at once; otherwise `-->` or `--!>` ends it.
  if (html.startsWith('>', from)) return from + 1;
  if (html.startsWith('->', from)) return from + 2;
  const close = /--!?>/g;
  close.lastIndex = from;
  const m = close.exec(html);
  return m === null ? 0 : m.index + m[0].length;
}

/** The end tag of each text-only element: `</name` and a space, `/` or `>`, in any case. */
const TEXT_END = new Map([...TEXT_ONLY].map((name) => [name, new RegExp(`</${name}[\\t\\n\\f\\r />]`, 'gi')]));

/** Where the end tag of the text-only element `name` starts (it is then read as a tag); 0 when there is none. */
function textEnd(html: string, from: number, name: string): number {
  const end = TEXT_END.get(name)!;
  end.lastIndex = from;
  const m = end.exec(html);
  return m === null ? 0 : m.index;
}

/**
 * Reads a tag whose name starts at `from`: its lower-case name, its attributes (the first of each name wins) and
 * the index after its `>`. `undefined` when the page ends inside it. Quotes count only around an attribute value.
 */
function readTag(html: string, from: number): { name: string; attrs: Map<string, string>; end: number } | undefined {
  let i = from;
  while (i < html.length && !isSpace(html.charCodeAt(i)) && html[i] !== '/' && html[i] !== '>') i++;
  const name = asciiLower(html.slice(from, i));
  const attrs = new Map<string, string>();
  for (;;) {
    while (i < html.length && (isSpace(html.charCodeAt(i)) || html[i] === '/')) i++;
    if (i >= html.length) return undefined;
    if (html[i] === '>') return { name, attrs, end: i + 1 };
    const start = i++; // a first `=` belongs to the name
    while (i < html.length && !isSpace(html.charCodeAt(i)) && !'/>='.includes(html[i]!)) i++;
    const key = asciiLower(html.slice(start, i));
    while (i < html.length && isSpace(html.charCodeAt(i))) i++;
    let value = '';
    if (html[i] === '=') {
      i++;
      while (i < html.length && isSpace(html.charCodeAt(i))) i++;
      const quote = html[i];
      if (quote === '"' || quote === "'") {
        const close = html.indexOf(quote, i + 1);
        if (close === -1) return undefined;
        value = html.slice(i + 1, close);
        i = close + 1;
      } else {
        const start = i;
        while (i < html.length && !isSpace(html.charCodeAt(i)) && html[i] !== '>') i++;
        value = html.slice(start, i);
      }
    }
    if (!attrs.has(key)) attrs.set(key, value);
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}

function isAsciiAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** HTML lower-cases names in ASCII only (`toLowerCase` would also map e.g. the Kelvin sign to `k`). */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}
