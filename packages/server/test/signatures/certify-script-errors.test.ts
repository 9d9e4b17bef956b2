// The signature page's certify script shows what went wrong when certify refuses: the server's error message (its
// body is `{error, code}`), and for an answer that is not JSON (a proxy's error page) its HTTP status, not a JSON
// parser's complaint.
import assert from 'node:assert/strict';
import test from 'node:test';
import { CERTIFY_SCRIPT } from '../../src/modules/signatures/certify-script.ts';

interface Answer {
  status: number;
  json: () => Promise<unknown>;
}

/** Runs the script against a minimal page whose certify call answers `answer`; resolves with the result shown. */
async function shownFor(answer: Answer): Promise<{ text: string; kind: string }> {
  let settle: (v: { text: string; kind: string }) => void = () => undefined;
  const shown = new Promise<{ text: string; kind: string }>((resolve) => (settle = resolve));
  let click: () => void = () => undefined;
  const result = {
    textContent: '',
    set className(kind: string) {
      if (kind !== 'muted') settle({ text: this.textContent, kind });
    },
  };
  const elements: Record<string, unknown> = {
    'certify-form': {
      getAttribute: (name: string) => (name === 'data-signature-hash' ? 'a'.repeat(64) : '/api/v1/signatures/certify'),
      addEventListener: () => undefined,
    },
    'certify-button': { disabled: false, addEventListener: (_: string, fn: () => void) => (click = fn) },
    'certify-result': result,
    'certify-text': { value: 'the content' },
    'certify-file': { files: [] },
    'certification-count': { textContent: '0' },
  };
  const document = { getElementById: (id: string) => elements[id] ?? null };
  const window = { crypto: globalThis.crypto };
  const fetch = async () => ({ ok: answer.status < 300, ...answer });
  new Function('document', 'window', 'fetch', CERTIFY_SCRIPT)(document, window, fetch);
  click();
  return shown;
}

test('certify script: a refusal shows the server error message, a non-JSON answer its HTTP status', async () => {
  const limited = await shownFor({
    status: 429,
    json: async () => ({ error: 'Too many requests; retry after Retry-After.', code: 'RATE_LIMITED' }),
  });
  assert.deepEqual(limited, { text: 'error: Too many requests; retry after Retry-After.', kind: 'error' });

  const proxy = await shownFor({
    status: 502,
    json: async () => {
      throw new SyntaxError('Unexpected token < in JSON at position 0');
    },
  });
  assert.deepEqual(proxy, { text: 'error: HTTP 502', kind: 'error' });

  const match = await shownFor({ status: 200, json: async () => ({ match: true, certificationCount: 1 }) });
  assert.deepEqual(match, { text: 'match', kind: 'status status-valid' });
});
