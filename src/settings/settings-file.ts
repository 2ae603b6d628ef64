// Reads bosun.yaml: a mapping of setting names (as in SETTINGS) to values. Unknown keys and values of
// the wrong shape are errors that name the file.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as YAMLModule from 'yaml';
import { AgentError } from '../errors.ts';
import { SETTINGS } from './settings.ts';

/** Raw values as given by one source, keyed by setting name; `true` is a bare flag. */
export type RawSettings = Partial<
  Record<string, string | number | boolean | Record<string, unknown>>
>;

export function readSettingsFile(file: string): RawSettings {
  const invalid = (problem: string) => new AgentError('INVALID_CONFIG', `config: ${problem}`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw invalid(`cannot read ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    // Loaded only when a config file is given, so the common start never pays for the parser.
    const YAML = createRequire(import.meta.url)('yaml') as typeof YAMLModule;
    doc = YAML.parse(text);
  } catch (err) {
    throw invalid(`${file} is not valid YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw invalid(`${file} must be a mapping of settings, e.g. "port: 8600"`);
  }
  const out: RawSettings = {};
  for (const [key, value] of Object.entries(doc)) {
    const spec = SETTINGS.find((s) => s.name === key);
    if (spec === undefined) {
      const known = SETTINGS.map((s) => s.name).join(', ');
      throw invalid(`unknown setting "${key}" in ${file}; known settings: ${known}`);
    }
    // A list of origins or hosts, or a mapping of thresholds or labels, where the setting takes one.
    const shapeFits = Array.isArray(value)
      ? spec.kind === 'hosts' || spec.kind === 'origins'
      : spec.kind === 'thresholds' || spec.kind === 'labels';
    if (value !== null && typeof value === 'object' && !shapeFits) {
      throw invalid(`setting "${key}" in ${file} must be a single value`);
    }
    if (value !== null) out[key] = value as string | number | boolean | Record<string, unknown>;
  }
  return out;
}
