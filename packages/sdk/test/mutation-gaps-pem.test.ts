// PEM strictness (lib/pem.ts) that no test could tell from a looser reader (found by mutation testing): a blank line
// inside the body, text after the BEGIN line's dashes, and a bare CR as the line break each passed every SDK test
// when the reader let them through. The PEM reader is one block of base64 lines, LF or CRLF, nothing else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPublicKey, generateKeyPair, parsePrivateKey, parsePublicKey, formatPrivateKey } from '../src/index.ts';
import { throwsCode } from './vectors.ts';

test('a PEM with a blank body line, junk after BEGIN, or bare-CR line breaks is INVALID_PEM', async () => {
  const { publicKey, privateKey } = await generateKeyPair('Ed25519');
  const pem = formatPublicKey(publicKey, 'pem');
  const secret = formatPrivateKey(privateKey, 'pem');
  assert.deepEqual(formatPublicKey(parsePublicKey(pem), 'base64'), formatPublicKey(publicKey, 'base64'));
  assert.deepEqual(
    formatPublicKey(parsePublicKey(pem.replace(/\n/g, '\r\n')), 'base64'),
    formatPublicKey(publicKey, 'base64'),
  );
  const [begin, body, end] = pem.trim().split('\n') as [string, string, string];
  const broken = [
    `${begin}\n\n${body}\n${end}\n`, // blank line before the body
    `${begin}\n${body.slice(0, 4)}\n\n${body.slice(4)}\n${end}\n`, // blank line inside it
    `${begin}\n${body}\n\n${end}\n`, // and after it
    `${begin}junk\n${body}\n${end}\n`,
    `${begin} \n${body}\n${end}\n`,
    `${begin}\r${body}\r${end}\r`,
    `${begin}\n${body.slice(0, 4)}\r${body.slice(4)}\n${end}\n`,
  ];
  for (const text of broken) {
    throwsCode(() => parsePublicKey(text), 'INVALID_PEM', JSON.stringify(text));
  }
  const [sBegin, ...sRest] = secret.trim().split('\n');
  throwsCode(() => parsePrivateKey(`${sBegin}junk\n${sRest.join('\n')}\n`), 'INVALID_PEM');
  throwsCode(() => parsePrivateKey(`${sBegin}\n\n${sRest.join('\n')}\n`), 'INVALID_PEM');
});
