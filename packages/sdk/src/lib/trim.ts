// Trimming runs of characters with a loop. `/x+$/` (and `/^x+|x+$/g`) is tried at every character of an inner run
// and scans that run to its end each time: quadratic in a long run followed by anything else. Internal.

/** `text` without the run of `char` it ends with (`char` is one UTF-16 code unit). */
export function withoutTrailing(text: string, char: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === char) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** Whether `c` is HTTP whitespace as fetch trims a header value: tab, LF, CR or space. */
function isHttpWhitespace(c: number): boolean {
  return c === 0x09 || c === 0x0a || c === 0x0d || c === 0x20;
}

/** `value` without leading and trailing HTTP whitespace (what fetch strips from a header value). */
export function trimHttpWhitespace(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isHttpWhitespace(value.charCodeAt(start))) start++;
  while (end > start && isHttpWhitespace(value.charCodeAt(end - 1))) end--;
  return value.slice(start, end);
}
