// Every connector bosun has, by role, for the pipeline engine. A new connector goes here and its
// name into catalog.ts, which the agent reads instead (registry.test.ts keeps the two equal).
import type { PluginCatalog, PluginRole } from '../config/pipeline-config.ts';
import type {
  ConnectorFactory,
  SinkFactory,
  SourceFactory,
  TransformFactory,
} from './connector.ts';
import { consoleSink } from './sinks/console-sink.ts';
import { jdbcSink } from './sinks/jdbc-sink.ts';
import { localFileSink } from './sinks/local-file-sink.ts';
import { fakeSource } from './sources/fake-source.ts';
import { jdbcSource } from './sources/jdbc-source.ts';
import { localFileSource } from './sources/local-file-source.ts';
import { copyTransform } from './transforms/copy.ts';
import { fieldMapperTransform } from './transforms/field-mapper.ts';
import { filterTransform } from './transforms/filter.ts';
import { replaceTransform } from './transforms/replace.ts';
import { sqlTransform } from './transforms/sql.ts';

const SOURCES: readonly SourceFactory[] = [fakeSource, localFileSource, jdbcSource];
const TRANSFORMS: readonly TransformFactory[] = [
  filterTransform,
  fieldMapperTransform,
  replaceTransform,
  copyTransform,
  sqlTransform,
];
const SINKS: readonly SinkFactory[] = [consoleSink, localFileSink, jdbcSink];

export interface ConnectorRegistry extends PluginCatalog {
  source(name: string): SourceFactory;
  transform(name: string): TransformFactory;
  sink(name: string): SinkFactory;
}

/** Plugin names match case-insensitively, as SeaTunnel's factory lookup does (`console` = `Console`). */
function find<T extends ConnectorFactory>(list: readonly T[], name: string): T {
  const found = list.find((c) => c.name.toLowerCase() === name.toLowerCase());
  // readPipelineConfig checks names against the same lists first.
  if (!found) throw new Error(`no connector named ${name}`);
  return found;
}

export const connectors: ConnectorRegistry = {
  names: (role: PluginRole) =>
    (role === 'source' ? SOURCES : role === 'transform' ? TRANSFORMS : SINKS).map((c) => c.name),
  source: (name) => find(SOURCES, name),
  transform: (name) => find(TRANSFORMS, name),
  sink: (name) => find(SINKS, name),
};
