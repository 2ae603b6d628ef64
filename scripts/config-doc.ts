// Writes the settings table of docs/configuration.md from SETTINGS (src/settings/settings.ts), between
// its two markers, aligned by prettier. `--check` writes nothing and fails when the doc is out of date.
//   node scripts/config-doc.ts [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { DOC_BEGIN, DOC_END, settingsDocTable } from '../src/settings/settings-doc.ts';

const DOC = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));

const text = readFileSync(DOC, 'utf8');
const begin = text.indexOf(DOC_BEGIN);
const end = text.indexOf(DOC_END);
if (begin === -1 || end < begin) {
  process.stderr.write(`config-doc: ${DOC} lacks the markers\n  ${DOC_BEGIN}\n  ${DOC_END}\n`);
  process.exit(2);
}
const spliced =
  text.slice(0, begin + DOC_BEGIN.length) + '\n\n' + settingsDocTable() + '\n\n' + text.slice(end);
const options = (await prettier.resolveConfig(DOC)) ?? {};
const updated = await prettier.format(spliced, { ...options, filepath: DOC });

if (process.argv.includes('--check')) {
  if (updated !== text) {
    process.stderr.write(
      'config-doc: docs/configuration.md is out of date; run node scripts/config-doc.ts\n',
    );
    process.exit(1);
  }
} else if (updated !== text) {
  writeFileSync(DOC, updated);
  process.stdout.write('config-doc: wrote docs/configuration.md\n');
}
