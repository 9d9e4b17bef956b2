// JSON has no NaN or Infinity, and JSON.stringify writes either as null: a reader then sees a null the writer never
// wrote (an absent field, where null means absent). A text is refused instead of sent or stored changed.

/**
 * JSON.stringify's text of `value`; a NaN or ±Infinity inside it is handed to `refuse`, which throws the caller's own
 * error (its key is '' for `value` itself). Only a text holding "null" can hide one, so only such a text is walked
 * again: the common case costs one `includes`.
 */
export function finiteJsonText(value: unknown, refuse: (key: string, n: number) => never): string {
  const text = JSON.stringify(value);
  if (text.includes('null')) {
    JSON.stringify(value, (key: string, v: unknown) =>
      typeof v === 'number' && !Number.isFinite(v) ? refuse(key, v) : v,
    );
  }
  return text;
}
