/**
 * Reads `<meta name="…" content="…">` values from the `<head>` of an HTML page, defensively: the input is whatever
 * a remote server sent (at most the fetcher's body cap). The page is tokenized as a browser does, so only real tags
 * count: not text in comments, in text-only elements (`<script>`, `<style>`, `<title>`, …) or in another tag's
 * attribute value, where sites often put what visitors wrote (embedded JSON, a post's title).
 *
 * Only tags a browser's parser puts in the head count (WHATWG HTML, "in head" insertion mode): the scan stops at the
 * first start tag that does not belong in a head (anything but `html`, `head`, `meta`, `link`, `base`, `basefont`,
 * `bgsound`, `title`, `style`, `script`, `noscript`, `noframes` and `template`), at the first text that is not
 * whitespace, and at `</head>`, `</body>`, `</html>` or `</br>`: a browser starts the body there, and text a visitor
 * can post into a page body cannot pass for the owner's tag. (A browser still moves a head element written right
 * after `</head>` into the head; the scan stops there, which only refuses such a page.) A script's content ends as
 * a browser's tokenizer ends it, escapes included (after `<!--<script>`, a `</script>` ends only the inner one), and
 * a template's content, a fragment that is not part of the head, is skipped to its own end tag.
 *
 * The page is read in one pass, in time linear in its length: a pattern that looks for each tag's closing `>` again
 * from every `<meta` took seconds on the event loop for 64 KiB of `<meta ` with no `>`, and anyone with a domain can
 * serve that page. As in a browser, a tag, comment or text-only element still open at the end of the page hides
 * everything after it.
 */
export function metaContents(html: string, name: string): string[] {
  const out: string[] = [];
  // A UTF-8 byte order mark is the decoder's, not text of the page.
  let i = html.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (;;) {
    const lt = html.indexOf('<', i);
    // Text before the next markup: anything but whitespace starts the body.
    if (!onlySpace(html, i, lt === -1 ? html.length : lt) || lt === -1) return out;
    const next = html.charCodeAt(lt + 1);
    if (next === 0x21 /* ! */ || next === 0x3f /* ? */ || next === 0x2f /* / */) {
      const end = markupEnd(html, lt);
      if (end === 'text') return out; // `</` at the very end is text
      if (typeof end !== 'number') {
        if (BODY_END_TAGS.has(end.name)) return out;
        i = end.end;
      } else i = end;
    } else if (isAsciiAlpha(next)) {
      const tag = readTag(html, lt + 1);
      if (tag === undefined || !HEAD_ELEMENTS.has(tag.name)) return out;
      if (tag.name === 'meta' && tag.attrs.get('name')?.trim().toLowerCase() === name && tag.attrs.has('content')) {
        out.push(tag.attrs.get('content')!.trim());
      }
      i = tag.name === 'template' ? templateEnd(html, tag.end) : contentEnd(html, tag.name, tag.end);
    } else {
      return out; // a `<` that starts no tag is text
    }
    if (i <= 0) return out; // whatever was open runs to the end of the page
  }
}

/** Start tags the "in head" insertion mode keeps in the head; any other starts the body. */
const HEAD_ELEMENTS = new Set([
  'html',
  'head',
  'base',
  'basefont',
  'bgsound',
  'link',
  'meta',
  'title',
  'style',
  'script',
  'noscript',
  'noframes',
  'template',
]);

/** End tags that end the head (`</head>`; `</body>`, `</html>` and `</br>` start the body). Others are ignored. */
const BODY_END_TAGS = new Set(['head', 'body', 'html', 'br']);

/**
 * Elements whose content is text, never tags, as a browser with scripting on tokenizes it: RCDATA (`title`,
 * `textarea`) and raw text (`noscript` with scripting on, and the rest). `script` has its own rules
 * ({@link scriptEnd}).
 */
const TEXT_ONLY = new Set(['style', 'title', 'textarea', 'noscript', 'noframes', 'noembed', 'xmp', 'iframe']);

/**
 * A comment, doctype, processing instruction or end tag at `lt`: where parsing resumes (0 when it never ends),
 * the end tag read (its name and end), or `'text'` when `</` ends the page.
 */
function markupEnd(html: string, lt: number): number | { name: string; end: number } | 'text' {
  if (html.startsWith('<!--', lt)) return commentEnd(html, lt + 4);
  if (html.charCodeAt(lt + 1) === 0x2f /* / */) {
    if (isAsciiAlpha(html.charCodeAt(lt + 2))) return readTag(html, lt + 2) ?? 0;
    if (lt + 2 >= html.length) return 'text';
  }
  // A doctype, CDATA or a bogus comment (`<?…>`, `</…>` not starting with a letter): up to the next `>`.
  return html.indexOf('>', lt + 2) + 1;
}

/** Where parsing resumes after the start tag of `name` that ends at `from`: past its text content, if it has one. */
function contentEnd(html: string, name: string, from: number): number {
  if (name === 'script') return scriptEnd(html, from);
  return TEXT_ONLY.has(name) ? textEnd(html, from, name) : from;
}

/**
 * Where the content of the `<template>` whose start tag ends at `from` ends: after its matching `</template>`
 * (templates nest); 0 when it never ends. The content is tokenized like the rest of the page (comments and text-only
 * elements hide a `</template>` in them) but is never the head's: nothing in it counts, and no text or element ends
 * the head. `<svg>` and `<math>` in it, whose content a browser tokenizes by other rules, end the scan, as does
 * `<plaintext>`.
 */
function templateEnd(html: string, from: number): number {
  let depth = 1;
  let i = from;
  for (;;) {
    const lt = html.indexOf('<', i);
    if (lt === -1) return 0;
    const next = html.charCodeAt(lt + 1);
    if (next === 0x21 || next === 0x3f || next === 0x2f) {
      const end = markupEnd(html, lt);
      if (end === 'text') return 0;
      if (typeof end !== 'number') {
        if (end.name === 'template' && --depth === 0) return end.end;
        i = end.end;
      } else i = end;
    } else if (isAsciiAlpha(next)) {
      const tag = readTag(html, lt + 1);
      if (tag === undefined || FOREIGN_OR_ENDLESS.has(tag.name)) return 0;
      if (tag.name === 'template') depth++;
      i = contentEnd(html, tag.name, tag.end);
    } else {
      i = lt + 1;
    }
    if (i <= 0) return 0;
  }
}

const FOREIGN_OR_ENDLESS = new Set(['svg', 'math', 'plaintext']);

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
const TEXT_END = new Map(
  [...TEXT_ONLY, 'script'].map((name) => [name, new RegExp(`</${name}[\\t\\n\\f\\r />]`, 'gi')]),
);

/** Where the end tag of the text-only element `name` starts (it is then read as a tag); 0 when there is none. */
function textEnd(html: string, from: number, name: string): number {
  const end = TEXT_END.get(name)!;
  end.lastIndex = from;
  const m = end.exec(html);
  return m === null ? 0 : m.index;
}

/** `</script` and a space, `/` or `>` at the index it is matched from (sticky). */
const SCRIPT_END_TAG = /<\/script[\t\n\f\r />]/iy;
/** `<script` and a space, `/` or `>` at the index it is matched from (sticky). */
const SCRIPT_START_TAG = /<script[\t\n\f\r />]/iy;

/**
 * Where the `</script>` that ends a script whose content starts at `from` starts; 0 when there is none. The WHATWG
 * tokenizer's script data states: in plain script data the first `</script` ends it; after `<!--` it is "escaped"
 * until `-->`, and a `<script` there makes it "double escaped", where `</script` only goes back to escaped. One pass.
 */
function scriptEnd(html: string, from: number): number {
  let state: 'data' | 'escaped' | 'double' = 'data';
  /** Dashes just read in an escaped state, up to two: `-->` (`--` and `>`) goes back to plain script data. */
  let dashes = 0;
  const at = (re: RegExp, i: number) => {
    re.lastIndex = i;
    return re.test(html);
  };
  for (let i = from; i < html.length; i++) {
    if (state === 'data') {
      i = html.indexOf('<', i);
      if (i === -1) return 0;
      if (at(SCRIPT_END_TAG, i)) return i;
      if (html.startsWith('<!--', i)) {
        state = 'escaped';
        dashes = 2;
        i += 3;
      }
      continue;
    }
    const c = html.charCodeAt(i);
    if (c === 0x2d /* - */) {
      dashes = Math.min(dashes + 1, 2);
    } else if (c === 0x3e /* > */ && dashes === 2) {
      state = 'data';
    } else {
      dashes = 0;
      if (c !== 0x3c /* < */) continue;
      if (state === 'escaped') {
        if (at(SCRIPT_END_TAG, i)) return i;
        if (at(SCRIPT_START_TAG, i)) state = 'double';
      } else if (at(SCRIPT_END_TAG, i)) {
        state = 'escaped';
      }
    }
  }
  return 0;
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

/** Whether `html[from, to)` is all HTML whitespace (space, tab, LF, FF, CR), as text allowed in a head is. */
function onlySpace(html: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isSpace(html.charCodeAt(i))) return false;
  return true;
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
