// A run's metrics in SeaTunnel's names (specs/seatunnel.md §4): rows and bytes received by the
// sources and written by the sinks, in total and per table, with their rates since the run started.
import type { Row } from '../connectors/connector.ts';

export interface MetricsSnapshot {
  readonly SourceReceivedCount: number;
  readonly SourceReceivedBytes: number;
  readonly SinkWriteCount: number;
  readonly SinkWriteBytes: number;
  readonly SourceReceivedQPS: number;
  readonly SinkWriteQPS: number;
  readonly SourceReceivedBytesPerSeconds: number;
  readonly SinkWriteBytesPerSeconds: number;
  readonly TableSourceReceivedCount: Readonly<Record<string, number>>;
  readonly TableSinkWriteCount: Readonly<Record<string, number>>;
  readonly TableSourceReceivedBytes: Readonly<Record<string, number>>;
  readonly TableSinkWriteBytes: Readonly<Record<string, number>>;
  /** Rows each vertex of the DAG produced (sources, transforms) or wrote (sinks), by vertex id. */
  readonly VertexRowCount: Readonly<Record<string, number>>;
  /** Rows between the sources and the sinks: none here, every write is awaited before the next read. */
  readonly IntermediateQueueSize: number;
  /** Seconds the run has been going. */
  readonly elapsedSeconds: number;
}

export function createMetrics(now: () => number) {
  const started = now();
  const totals = { sourceCount: 0, sourceBytes: 0, sinkCount: 0, sinkBytes: 0 };
  const sourceTables = new Map<string, { count: number; bytes: number }>();
  const sinkTables = new Map<string, { count: number; bytes: number }>();
  const vertices = new Map<number, number>();
  const add = (
    tables: Map<string, { count: number; bytes: number }>,
    rows: readonly Row[],
    bytes: number,
  ) => {
    // A batch holds one table's rows; bytes are counted for the batch as a whole.
    const table = rows[0]?.table ?? '';
    const entry = tables.get(table) ?? { count: 0, bytes: 0 };
    entry.count += rows.length;
    entry.bytes += bytes;
    tables.set(table, entry);
  };
  const map = (tables: Map<string, { count: number; bytes: number }>, key: 'count' | 'bytes') =>
    Object.fromEntries([...tables].map(([t, v]) => [t, v[key]]));
  return {
    sourceReceived(rows: readonly Row[], bytes: number) {
      totals.sourceCount += rows.length;
      totals.sourceBytes += bytes;
      add(sourceTables, rows, bytes);
    },
    sinkWrote(rows: readonly Row[], bytes: number) {
      totals.sinkCount += rows.length;
      totals.sinkBytes += bytes;
      add(sinkTables, rows, bytes);
    },
    vertex(id: number, rows: number) {
      vertices.set(id, (vertices.get(id) ?? 0) + rows);
    },
    snapshot(): MetricsSnapshot {
      const seconds = Math.max(0.001, (now() - started) / 1000);
      const rate = (n: number) => Math.round((n / seconds) * 100) / 100;
      return {
        SourceReceivedCount: totals.sourceCount,
        SourceReceivedBytes: totals.sourceBytes,
        SinkWriteCount: totals.sinkCount,
        SinkWriteBytes: totals.sinkBytes,
        SourceReceivedQPS: rate(totals.sourceCount),
        SinkWriteQPS: rate(totals.sinkCount),
        SourceReceivedBytesPerSeconds: rate(totals.sourceBytes),
        SinkWriteBytesPerSeconds: rate(totals.sinkBytes),
        TableSourceReceivedCount: map(sourceTables, 'count'),
        TableSinkWriteCount: map(sinkTables, 'count'),
        TableSourceReceivedBytes: map(sourceTables, 'bytes'),
        TableSinkWriteBytes: map(sinkTables, 'bytes'),
        VertexRowCount: Object.fromEntries([...vertices].map(([id, n]) => [String(id), n])),
        IntermediateQueueSize: 0,
        elapsedSeconds: Math.round(seconds * 1000) / 1000,
      };
    },
  };
}
