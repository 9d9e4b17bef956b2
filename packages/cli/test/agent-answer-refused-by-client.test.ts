// When the CLI refuses a server's answer to an agent command (a redirect it does not follow, more than it reads, a
// success that is not JSON), it says what the server answered, as the commands with their own HTTP calls do. Before,
// these read "the server refused: UNEXPECTED_REDIRECT: ... set baseUrl to the final URL" (the SDK's words, for an
// option the CLI calls --server), as if the server had refused the request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { recordingServer as serve, runClean, tempDir } from './helpers.ts';

const HASH = 'a'.repeat(64);

test('agent verify: an answer the CLI refuses is not "the server refused"', async (t) => {
  const dir = await tempDir(t);
  const cases: ReadonlyArray<readonly [(res: ServerResponse) => void, string]> = [
    [
      (res) => res.writeHead(302, { location: 'http://elsewhere.example/' }).end(),
      'answered 302, a redirect that is not followed',
    ],
    [
      (res) =>
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(17 * 1024 * 1024) }).end(),
      'answered with more than 16 MiB; refused',
    ],
    [
      (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hi</html>'),
      'answered 200 with a body that is not the JSON answer it should be',
    ],
  ];
  for (const [answer, said] of cases) {
    const server = await serve(t, answer);
    const r = await runClean({ HOME: dir, VOUCH_HOME: dir }, 'agent', 'verify', HASH, '--server', server.url);
    assert.equal(r.code, 2, r.err);
    assert.equal(r.err, `vouch: ${server.url}/api/v1/signatures/verify ${said}.\n`);
  }
});

// A refusal (status 400 and up) whose code is one the client gives its own refusals stays the server's refusal: only
// an answer below 400 is one the client refused (kills dropping `err.status < 400` in callServer).
test('agent verify: a server refusal coded like a client refusal is still "the server refused"', async (t) => {
  const dir = await tempDir(t);
  const server = await serve(t, (res) =>
    res
      .writeHead(400, { 'content-type': 'application/json' })
      .end(JSON.stringify({ code: 'RESPONSE_INVALID', error: 'the request was not valid' })),
  );
  const r = await runClean({ HOME: dir, VOUCH_HOME: dir }, 'agent', 'verify', HASH, '--server', server.url);
  assert.equal(r.code, 2, r.err);
  assert.equal(r.err, 'vouch: the server refused: RESPONSE_INVALID: the request was not valid\n');
});
