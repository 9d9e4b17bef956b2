/**
 * Reads `<meta name="…" content="…">` values from the `<head>` of an HTML page, defensively: the input is whatever
 * a remote server sent (at most the fetcher's body cap). Comments are skipped, and only tags before `</head>` or
 * `<body>` count, so text a visitor can post into a page body cannot pass for the owner's tag.
 */
export function metaContents(html: string, name: string): string[] {
  const withoutComments = html.replace(/<!--[\s\S]*?(?:-->|$)/g, '');
  const end = withoutComments.search(/<\/head\s*>|<body[\s>]/i);
  const head = end === -1 ? withoutComments : withoutComments.slice(0, end);
  const out: string[] = [];
  for (const tag of head.matchAll(/<meta\b((?:[^>"']|"[^"]*"|'[^']*')*)>/gi)) {
    const attrs = new Map<string, string>();
    for (const a of tag[1]!.matchAll(/([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
      const key = a[1]!.toLowerCase();
      if (!attrs.has(key)) attrs.set(key, a[2] ?? a[3] ?? a[4] ?? '');
    }
    if (attrs.get('name')?.trim().toLowerCase() === name && attrs.has('content')) {
      out.push(attrs.get('content')!.trim());
    }
  }
  return out;
}
