/**
 * The README's settings table, generated from SETTINGS so the two cannot drift
 * (test/scripts/generate/settings-table.test.ts compares them).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { envVarName, SETTING_NAMES, SETTINGS } from '../../lib/settings/config';
import { EXIT, EXIT_CODES_HELP, type FlagOptions, parseFlags, runMain } from '../lib/cli';
import { REPO_ROOT } from '../lib/settings';

const README = path.join(REPO_ROOT, 'README.md');

export function settingsTableMarkdown(): string {
  const rows = SETTING_NAMES.map((name) => {
    const spec = SETTINGS[name];
    const def = spec.default === undefined ? '(unset)' : `\`${JSON.stringify(spec.default)}\``;
    return `| \`${name}\` | \`${envVarName(name)}\` | ${def} | ${spec.doc} |`;
  });
  return [
    '| setting (`-c key=value`) | environment | default | meaning |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
}

export const BEGIN = '<!-- settings-table:begin -->';
export const END = '<!-- settings-table:end -->';

/** The README with its settings block replaced by the generated table. */
export function withSettingsTable(readme: string): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md: markers ${BEGIN} / ${END} not found`);
  return `${readme.slice(0, start + BEGIN.length)}\n${settingsTableMarkdown()}\n${readme.slice(end)}`;
}

const OPTIONS = {
  write: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies FlagOptions;
const USAGE =
  'Usage: npx tsx scripts/generate/settings-table.ts [--write]   (prints the table; --write refreshes README.md)';

// `npx tsx scripts/generate/settings-table.ts --write` refreshes README.md in place.
if (require.main === module) {
  runMain(async () => {
    const values = parseFlags(process.argv.slice(2), OPTIONS, USAGE);
    if (values.help) console.log(`${USAGE}\n${EXIT_CODES_HELP}`);
    else if (values.write) fs.writeFileSync(README, withSettingsTable(fs.readFileSync(README, 'utf8')));
    else console.log(settingsTableMarkdown());
    return EXIT.ok;
  });
}
