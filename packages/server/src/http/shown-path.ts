// A 404 or 405 message names the path it could not serve, which helps whoever mistyped it; but the path is the
// caller's choice, up to the header limit (16 KiB). What the message shows is capped, and characters that could act
// on a terminal or log viewer, or hide or reorder text (display text's set, see text-patterns), are percent-encoded,
// so the shown path is still the path, only inert. Node's parser refuses such bytes on the wire today; this holds
// whatever reaches the handler. The request log shows the path in this form too (logger.ts).
import { INVISIBLE } from './text-patterns.ts';

/** How many characters (UTF-16 units) of a path a message shows, the ellipsis not counted. */
export const SHOWN_PATH_MAX = 200;

// Lone surrogates too: they cannot be encoded, nor serialised as valid UTF-8.
const UNSAFE = new RegExp(`[\\u0000-\\u001f${INVISIBLE}]|[\\ud800-\\udfff]`, 'u');

/** One character as a message shows it: itself, or its UTF-8 percent-encoding (U+FFFD's for a lone surrogate). */
function shownChar(ch: string): string {
  if (!UNSAFE.test(ch)) return ch;
  if (ch.length === 1 && ch >= '\ud800' && ch <= '\udfff') return '%EF%BF%BD';
  return [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

/**
 * `path` (without its query string) as an error message may show it: unsafe characters percent-encoded, and cut,
 * between characters, before it would pass SHOWN_PATH_MAX, with `…` saying so.
 *
 * @example
 * shownPath('/a\nb'); // '/a%0Ab'
 */
export function shownPath(path: string): string {
  let shown = '';
  for (const ch of path) {
    const piece = shownChar(ch);
    if (shown.length + piece.length > SHOWN_PATH_MAX) return `${shown}…`;
    shown += piece;
  }
  return shown;
}
