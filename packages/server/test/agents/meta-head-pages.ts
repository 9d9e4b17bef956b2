// Pages for the meta-tag domain proof's head scan (meta-head-scan.test.ts through a real HTTPS server,
// meta-head-browser.test.ts against Chromium's parser): where a browser puts `tag` and where it does not.

/** Pages where a browser puts `tag` in the body: an element or text before it ended the head. */
export const inTheBody = (tag: string): string[] => [
  `<html><head><title>Shop</title><div class="banner">${tag}</div></head><body></body></html>`,
  `<html><head><title>Shop</title><div>Latest review:</div>${tag}</head></html>`,
  `<head><p>${tag}</head>`,
  `<head><img src="/logo.png">${tag}</head>`,
  `<head><a href="/">home</a>${tag}</head>`,
  `<head><textarea></textarea>${tag}</head>`,
  `<head><svg></svg>${tag}</head>`,
  `<head><frameset>${tag}</head>`,
  `<head><table><tr><td>${tag}</td></tr></table></head>`,
  // Text that is not whitespace starts the body: a visitor's words, a stray `<`, an entity.
  `<head><title>Shop</title>Welcome ${tag}</head>`,
  `<head>a < b ${tag}</head>`,
  `<head>&nbsp;${tag}</head>`,
  `Hello<html><head>${tag}</head>`,
  // End tags that a browser reads as the start of the body.
  `<head></br>${tag}</head>`,
  `<head></body>${tag}</head>`,
  `<head></html>${tag}</head>`,
];

/** Pages where `tag` is no element of the head: script text after `<!--<script>`, or a template's content. */
export const hidden = (tag: string): string[] => [
  // Script data "double escaped": after `<!--<script>` the next `</script>` ends only the inner one.
  `<head><script><!--<script></script>${tag}</script></head>`,
  `<head><script>var s = "<!--<SCRIPT>"; var t = "</script>${tag}";--></script></head>`,
  // A template's content is a document fragment, never the head: a `</template>` inside its comment ends nothing.
  `<head><template><!--</template>${tag}--></template></head>`,
  `<head><template><template></template>${tag}</template></head>`,
  `<head><template><script>"</template>"; "${tag}"</script></template></head>`,
];

/** Pages where a browser puts `tag` in the head. */
export const inTheHead = (tag: string): string[] => [
  // A byte order mark, a doctype, whitespace, comments and every element that belongs in the head.
  `\ufeff<!DOCTYPE html>\n<html lang="en">\n<head>\n  <meta charset="utf-8">\n  <!-- analytics -->\n` +
    `  <base href="/">\n  <link rel="stylesheet" href="/s.css">\n  <script>if (a < b) document.title = "<p>";</script>\n` +
    `  <style>p > a { color: red }</style>\n  <title>Shop &amp; more</title>\n  <noscript><img src="/pixel"></noscript>\n` +
    `  <template><div>a card</div></template>\n  <basefont><bgsound>\n  ${tag}\n</head>\n<body><p>hi</p></body></html>`,
  // No head tag at all: a browser opens the head itself.
  `<!doctype html><title>Shop</title>${tag}<p>Welcome</p>`,
  // End tags a browser ignores in the head, and a script escape that closes again.
  `<head></div></p>${tag}</head>`,
  `<head><script><!--<script>x</script>--></script>${tag}</head>`,
  `<head><script><!-- if (a) { } --></script>${tag}</head>`,
  `<head><template><template></template></template>${tag}</head>`,
];
