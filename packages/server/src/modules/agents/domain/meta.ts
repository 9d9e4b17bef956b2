/**
 * Reads `<meta name="…" content="…">` values from the `<head>` of an HTML page, defensively: the input is whatever
 * a remote server sent (at most the fetcher's body cap). Comments are skipped, and only tags before `</head>` or
 * `<body>` count, so text a visitor can post into a page body cannot pass for the owner's tag.
 *
 * The page is read in one pass, in time linear in its length: a pattern that looks for each tag's closing `>` again
 * from every `<meta` took seconds on the event loop for 64 KiB of `<meta ` with no `>`, and anyone with a domain can
 * serve that page.
 */
export function metaContents(html: string, name: string): string[] {
  const withoutComments = html.replace(/<!--[\s\S]*?(?:-->|$)/g, '');
  const end = withoutComments.search(/<\/head\s*>|<body[\s>]/i);
  const head = end === -1 ? withoutComments : withoutComments.slice(0, end);
  const out: string[] = [];
  for (const attrText of metaTags(head)) {
    const attrs = new Map<string, string>();
    for (const a of attrText.matchAll(/([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
      const key = a[1]!.toLowerCase();
      if (!attrs.has(key)) attrs.set(key, a[2] ?? a[3] ?? a[4] ?? '');
    }
    if (attrs.get('name')?.trim().toLowerCase() === name && attrs.has('content')) {
      out.push(attrs.get('content')!.trim());
    }
  }
  return out;
}

/**
 * The attribute text of each `<meta …>` tag, in order. A quoted part may hold `>`. As in a browser, a tag still open
 * at the end of the text (no closing `>`, or a quote never closed) is dropped along with everything after it, so no
 * character is looked at twice.
 */
function* metaTags(head: string): Generator<string> {
  const open = /<meta(?![\w])/gi;
  let match: RegExpExecArray | null;
  while ((match = open.exec(head)) !== null) {
    const from = match.index + match[0].length;
    let i = from;
    for (;;) {
      if (i >= head.length) return;
      const c = head.charCodeAt(i);
      if (c === 0x3e /* > */) break;
      if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
        const close = head.indexOf(head[i]!, i + 1);
        if (close === -1) return;
        i = close;
      }
      i++;
    }
    yield head.slice(from, i);
    open.lastIndex = i + 1;
  }
}
