// The DAG of a pipeline config: one vertex per plugin (ids from 1: sources, then transforms, then
// sinks, in config order), an edge for every table a plugin reads, and the pipelines SeaTunnel splits
// a job into (each connected part of the graph, numbered from 1 in source order).
import type { PipelineConfig, PluginConfig } from './config/pipeline-config.ts';

export interface Vertex {
  readonly id: number;
  readonly plugin: PluginConfig;
  /** The pipeline (connected part) it belongs to, from 1. */
  readonly pipeline: number;
}

export interface Edge {
  readonly from: number;
  readonly to: number;
  /** The table that flows along it. */
  readonly table: string;
}

export interface Dag {
  readonly vertices: readonly Vertex[];
  readonly edges: readonly Edge[];
}

export function buildDag(config: PipelineConfig): Dag {
  const plugins = [...config.sources, ...config.transforms, ...config.sinks];
  const producers = new Map<string, number>();
  plugins.forEach((plugin, i) => {
    if (plugin.output !== undefined) producers.set(plugin.output, i + 1);
  });
  const edges: Edge[] = [];
  plugins.forEach((plugin, i) => {
    for (const table of plugin.inputs) {
      const from = producers.get(table);
      // readPipelineConfig has checked every input; a missing one is a bug, not bad input.
      if (from === undefined) throw new Error(`no producer for table "${table}"`);
      edges.push({ from, to: i + 1, table });
    }
  });

  // Connected parts, by union-find over the edges; numbered in the order of their first vertex.
  const parent = plugins.map((_, i) => i + 1);
  const find = (v: number): number => {
    while (parent[v - 1] !== v) v = parent[v - 1] as number;
    return v;
  };
  for (const edge of edges) parent[find(edge.to) - 1] = find(edge.from);
  const numbers = new Map<number, number>();
  const vertices = plugins.map((plugin, i) => {
    const root = find(i + 1);
    if (!numbers.has(root)) numbers.set(root, numbers.size + 1);
    return { id: i + 1, plugin, pipeline: numbers.get(root) as number };
  });
  return { vertices, edges };
}
