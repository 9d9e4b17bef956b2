// The key files a server reads at start (the KEK file, admin.key, VOUCH_REGISTRY_ROOT_KEY_FILE) should be the owner's
// alone. One that group members or others may read, or group members write, is warned about and used: orchestrators
// mount secrets 0644 (Kubernetes' default) and make volume files group-writable (fsGroup), and a start must not break
// on them. One that any user may write is refused: whoever replaces admin.key holds the admin API at the next start,
// and whoever replaces the root key file before its import holds the registry.
import { stat } from 'node:fs/promises';
import { ConfigError } from './config-error.ts';

/** A key file and the setting that chose it (for the refusal's message). */
export interface KeyFile {
  file: string;
  setting: string;
}

/** Where the warnings go: the server's logger, or what `vouch kek rewrap` prints on stderr. */
export interface KeyFileWarnings {
  warn(fields: { file: string; mode: string }, message: string): void;
}

/** A mode as `chmod` takes it: `0644`. */
function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

/**
 * Logs one warning per key file that group members or others may read (or group members write), naming its path,
 * its mode and `chmod 600`, never its content; throws `ConfigError` for one that others may write. A file that does
 * not exist or cannot be examined is left to the code that reads it. Windows has no such modes: nothing is checked.
 */
export async function checkKeyFileModes(files: readonly KeyFile[], logger: KeyFileWarnings): Promise<void> {
  if (process.platform === 'win32') return;
  const seen = new Set<string>();
  for (const { file, setting } of files) {
    if (seen.has(file)) continue;
    seen.add(file);
    let mode: number;
    try {
      // Followed through symbolic links: a mounted secret is a link to the file whose mode counts.
      const st = await stat(file);
      if (!st.isFile()) continue;
      mode = st.mode & 0o777;
    } catch {
      continue;
    }
    if ((mode & 0o002) !== 0) {
      throw new ConfigError(
        `${setting}: the key file ${file} can be written by any user (mode ${octal(mode)}), who could replace the ` +
          `key: chmod 600 ${file}.`,
      );
    }
    const who = [
      ...((mode & 0o044) !== 0 ? ['read by other users'] : []),
      ...((mode & 0o020) !== 0 ? ['written by group members'] : []),
    ].join(' and ');
    if (who === '') continue;
    logger.warn({ file, mode: octal(mode) }, `key file ${file} can be ${who} (mode ${octal(mode)}); chmod 600 ${file}`);
  }
}
