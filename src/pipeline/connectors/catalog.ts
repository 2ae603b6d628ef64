// The names of every connector bosun has, by role, without the connectors themselves. The agent
// only checks and shows pipeline configs, which needs the names alone; loading the connectors
// (their SQL engine, JDBC drivers and file formats) is the pipeline engine's business, and kept
// ~1.5 MiB of heap in every idle agent. registry.test.ts keeps this list equal to the registry's.
import type { PluginCatalog, PluginRole } from '../config/pipeline-config.ts';

const NAMES: Readonly<Record<PluginRole, readonly string[]>> = {
  source: ['FakeSource', 'LocalFile', 'Jdbc'],
  transform: ['Filter', 'FieldMapper', 'Replace', 'Copy', 'Sql'],
  sink: ['Console', 'LocalFile', 'Jdbc'],
};

export const catalog: PluginCatalog = { names: (role) => NAMES[role] };
