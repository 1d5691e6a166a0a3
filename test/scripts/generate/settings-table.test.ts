import * as fs from 'node:fs';
import * as path from 'node:path';
import { SETTING_NAMES } from '../../../lib/settings/config';
import { settingsTableMarkdown, withSettingsTable } from '../../../scripts/generate/settings-table';

const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');

test('README settings table is the one generated from lib/settings/config.ts (refresh: settings-table.ts --write)', () => {
  expect(withSettingsTable(readme)).toBe(readme);
});

test('the generated table has one row per setting', () => {
  const rows = settingsTableMarkdown().split('\n').slice(2);
  expect(rows.map((r) => r.split('`')[1])).toEqual(SETTING_NAMES);
});
