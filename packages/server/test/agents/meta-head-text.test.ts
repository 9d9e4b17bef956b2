// The meta-tag domain proof reads the head as a browser parses it: a `<meta …>` that is only text inside a script,
// a style, a title or another tag's attribute value is no tag. Such text is often what visitors control (a page's
// embedded JSON, an `og:title` or `<link title>` holding a post's title), so a scan for the characters `<meta` let
// anyone who could put text there prove someone else's domain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metaContents } from '../../src/modules/agents/domain/index.ts';

const NAME = 'vouch-verify';
const tag = (v: string) => `<meta name='vouch-verify' content='${v}'>`;

test('meta tags: text that only looks like a tag, inside a raw-text element or an attribute value, is not one', () => {
  const hidden = [
    `<head><script>window.state = {"latest": "${tag('in-a-script')}"};</script></head>`,
    `<head><script type="application/ld+json">{"name": "${tag('in-json-ld')}"}</script></head>`,
    `<head><style>/* ${tag('in-a-style')} */</style></head>`,
    `<head><title>${tag('in-the-title')}</title></head>`,
    `<head><noscript>${tag('in-noscript')}</noscript></head>`,
    `<head><template>${tag('in-a-template')}</template></head>`,
    `<head><link rel="alternate" title="${tag('in-an-attribute')}" href="/feed"></head>`,
    `<head><base target="${tag('in-base')}"></head>`,
    `<head><meta property="og:title" content="${tag('in-og-title')}"></head>`,
    `<head><script>var a = "</head>"; var b = "${tag('after-a-fake-head-end')}";</script></head>`,
  ];
  for (const html of hidden) assert.deepEqual(metaContents(html, NAME), [], html);
});

test('meta tags: a real tag after a script, a style, a title or a comment still counts', () => {
  const html = `<!doctype html><html><head>
    <script>if (a < b && c > d) document.write("<p>");</script>
    <SCRIPT src="/x.js"></SCRIPT >
    <style>p > a { color: red }</style>
    <title>Home <b>page</b></title>
    <link rel="icon" title='a "quoted" > title' href="/i.png">
    <!-->
    <!-- an abrupt comment (above) ends at once: text after it starts the body -->
    ${tag('real')}
  </head><body>${tag('in-the-body')}</body></html>`;
  assert.deepEqual(metaContents(html, NAME), ['real']);
  assert.deepEqual(metaContents(`<head><!--> text ${tag('in-the-body')}</head>`, NAME), []);
  // A raw-text element never closed hides the rest of the page, as in a browser.
  assert.deepEqual(metaContents(`<head>${tag('first')}<script>${tag('never')}`, NAME), ['first']);
  // Text-only elements end at their own end tag only, in any case and followed by a space, `/` or `>`.
  assert.deepEqual(metaContents(`<head><title></titles>${tag('x')}</TITLE\t>${tag('after')}</head>`, NAME), ['after']);
});
