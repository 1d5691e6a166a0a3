/**
 * The README's settings table, generated from SETTINGS so the two cannot drift
 * (test/scripts/generate/settings-table.test.ts compares them).
 */
import { envVarName, SETTING_NAMES, SETTINGS } from '../../lib/settings/config';

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

// `npx tsx scripts/generate/settings-table.ts --write` refreshes README.md in place.
if (require.main === module) {
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  const readmePath = path.join(__dirname, '..', '..', 'README.md');
  if (process.argv.includes('--write'))
    fs.writeFileSync(readmePath, withSettingsTable(fs.readFileSync(readmePath, 'utf8')));
  else console.log(settingsTableMarkdown());
}
