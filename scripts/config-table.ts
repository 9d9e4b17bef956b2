// Prints the README's configuration table from the server's CONFIG_VARIABLES: `node --import tsx scripts/config-table.ts`.
import { fileURLToPath } from 'node:url';
import { CONFIG_VARIABLES } from '../packages/server/src/config.ts';

/** The table as the README must hold it (packages/server/test/config.test.ts compares the two). */
export function configTable(): string {
  const rows = ['| variable | default | meaning |', '|---|---|---|'];
  for (const v of CONFIG_VARIABLES) rows.push(`| \`${v.name}\` | ${v.default.replace(/\|/g, '\\|')} | ${v.meaning} |`);
  return rows.join('\n');
}

// Print only when run, not when the test imports it.
if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(configTable());
