// Prints the README's configuration table from the server's CONFIG_VARIABLES: `node --import tsx scripts/config-table.ts`.
import { CONFIG_VARIABLES } from '../packages/server/src/config.ts';

const rows = ['| variable | default | meaning |', '|---|---|---|'];
for (const v of CONFIG_VARIABLES) rows.push(`| \`${v.name}\` | ${v.default.replace(/\|/g, '\\|')} | ${v.meaning} |`);
console.log(rows.join('\n'));
