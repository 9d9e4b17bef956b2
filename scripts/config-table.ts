// Prints the README's configuration table from the server's CONFIG_VARIABLES:
// `node --import tsx scripts/config-table.ts`.
import { fileURLToPath } from 'node:url';
import { CONFIG_VARIABLES } from '../packages/server/src/config.ts';
import type { ConfigAccepts } from '../packages/server/src/config.ts';

/** The "accepted" cell: what loadConfig takes, as its definition states it. */
export function acceptedCell(accepts: ConfigAccepts): string {
  switch (accepts.kind) {
    case 'integer': {
      const range = `whole number${accepts.unit ? ` of ${accepts.unit}` : ''}, ${accepts.min} to ${accepts.max}`;
      return accepts.off ? `${range}; or \`0\` or \`off\` (any case): off` : range;
    }
    case 'boolean':
      return '`1`, `true`, `yes` or `0`, `false`, `no` (any case)';
    case 'oneOf':
      return `${accepts.values.map((v) => `\`${v}\``).join(', ')} (any case)`;
    case 'text':
      return accepts.text;
  }
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The table as the README must hold it (packages/server/test/config.test.ts compares the two). */
export function configTable(): string {
  const rows = ['| variable | default | accepted | meaning |', '|---|---|---|---|'];
  for (const v of CONFIG_VARIABLES) {
    rows.push(`| \`${v.name}\` | ${cell(v.default)} | ${cell(acceptedCell(v.accepts))} | ${v.meaning} |`);
  }
  return rows.join('\n');
}

// Print only when run, not when the test imports it.
if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(configTable());
