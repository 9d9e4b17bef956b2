// What a test can see of a file written durably: which handles were fsynced and, for a folder, what it held then.
// Shared by the server's and the CLI's durable-write tests.
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

export interface Sync {
  /** The path the handle was open on. */
  path: string;
  /** For a folder, its names at that moment; for a file, none. */
  names: string[];
}

/** True (and `t` skipped) where /proc/self/fd, which tells which file a handle flushes, is missing. */
export function cannotSeeSyncs(t: TestContext): boolean {
  if (existsSync('/proc/self/fd')) return false;
  t.skip('needs /proc/self/fd to tell which file a handle flushes');
  return true;
}

/**
 * Runs `fn` recording every fsync made through a FileHandle, in order; `before`, if given, runs (awaited) just before
 * each fsync with the path it flushes, to look at what else is so at that moment.
 */
export async function recordingSyncs(
  fn: () => Promise<void>,
  before?: (path: string) => Promise<void>,
): Promise<Sync[]> {
  // FileHandle's class is not exported: reach its prototype through a handle of a scratch file.
  const scratch = await mkdtemp(join(tmpdir(), 'vouch-sync-probe-'));
  const probe = await open(join(scratch, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
  await probe.close();
  await rm(scratch, { recursive: true, force: true });
  const original = proto.sync;
  const synced: Sync[] = [];
  proto.sync = async function (this: { fd: number }) {
    const path = readlinkSync(`/proc/self/fd/${this.fd}`);
    let names: string[] = [];
    try {
      names = readdirSync(path);
    } catch {
      // a file, not a folder
    }
    synced.push({ path, names });
    await before?.(path);
    return original.call(this);
  };
  try {
    await fn();
  } finally {
    proto.sync = original;
  }
  return synced;
}
