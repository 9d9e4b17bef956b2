// Locates ../shared/vectors (read in place, never copied) and gives typed access to the files the tests use.
// Search order: $VOUCH_VECTORS_DIR, then beside the repository (this file's ../../../../shared/vectors, which is
// <repo>/../shared/vectors), then <cwd>/../shared/vectors.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isVouchError, type VouchErrorCode } from '../src/index.ts';

function locate(): string {
  const fromEnv = process.env.VOUCH_VECTORS_DIR;
  if (fromEnv !== undefined && fromEnv !== '') {
    const dir = resolve(fromEnv);
    if (!existsSync(join(dir, 'README.md'))) {
      throw new Error(`VOUCH_VECTORS_DIR is set to ${dir}, but no test vectors (README.md) are there.`);
    }
    return dir;
  }
  const tried = [
    fileURLToPath(new URL('../../../../shared/vectors/', import.meta.url)),
    resolve(process.cwd(), '../shared/vectors'),
  ];
  for (const dir of tried) if (existsSync(join(dir, 'README.md'))) return dir;
  throw new Error(
    `Test vectors not found (tried ${tried.join(', ')}). Check out shared/ beside the repository or set VOUCH_VECTORS_DIR.`,
  );
}

export const VECTORS_DIR = locate();

export function vectorPath(...parts: string[]): string {
  return join(VECTORS_DIR, ...parts);
}

export function readVectorJson<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(vectorPath(...parts), 'utf8')) as T;
}

export function readVectorBytes(...parts: string[]): Uint8Array {
  return new Uint8Array(readFileSync(vectorPath(...parts)));
}

export function listVectorDir(...parts: string[]): string[] {
  return readdirSync(vectorPath(...parts)).sort();
}

export interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  msg: string;
  sig: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
export interface WycheproofGroup {
  publicKey: { pk?: string; uncompressed?: string; curve: string };
  publicKeyDer: string;
  publicKeyPem: string;
  publicKeyJwk?: Record<string, string>;
  tests: WycheproofTest[];
}
export interface WycheproofFile {
  algorithm: string;
  numberOfTests: number;
  testGroups: WycheproofGroup[];
}

/** Asserts that `fn` throws a VouchError with `code` (and returns it for more checks). */
export function throwsCode(fn: () => unknown, code: VouchErrorCode, label?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isVouchError(e), `${label ?? 'call'}: expected a VouchError, got ${String(e)}`);
    assert.equal(e.code, code, `${label ?? 'call'}: ${e.message}`);
    return true;
  });
}

/** Async variant of {@link throwsCode}. */
export async function rejectsCode(fn: () => Promise<unknown>, code: VouchErrorCode, label?: string): Promise<void> {
  await assert.rejects(fn, (e: unknown) => {
    assert.ok(isVouchError(e), `${label ?? 'call'}: expected a VouchError, got ${String(e)}`);
    assert.equal(e.code, code, `${label ?? 'call'}: ${e.message}`);
    return true;
  });
}
