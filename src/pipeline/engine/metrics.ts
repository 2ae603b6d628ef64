// A run's metrics in SeaTunnel's names (specs/seatunnel.md §4): rows and bytes received by the
// sources and written by the sinks, in total and per table, with their rates since the run started
// (SeaTunnel's ThreadSafeQPSMeter: count × 1000 / ms since the meter was made). Every table a source
// makes or a sink reads is listed from the start with zeros, as SeaTunnel registers its per-table
// meters when the collectors are built: a client that looks a table up (the engine UI sums
// `metrics.Table…[tablePath]` per vertex) never finds it missing.
import type { Row } from '../connectors/connector.ts';

type TableFigures = Readonly<Record<string, number>>;

export interface MetricsSnapshot {
  readonly SourceReceivedCount: number;
  readonly SourceReceivedBytes: number;
  readonly SinkWriteCount: number;
  readonly SinkWriteBytes: number;
  readonly SourceReceivedQPS: number;
  readonly SinkWriteQPS: number;
  readonly SourceReceivedBytesPerSeconds: number;
  readonly SinkWriteBytesPerSeconds: number;
  readonly TableSourceReceivedCount: TableFigures;
  readonly TableSinkWriteCount: TableFigures;
  readonly TableSourceReceivedBytes: TableFigures;
  readonly TableSinkWriteBytes: TableFigures;
  readonly TableSourceReceivedQPS: TableFigures;
  readonly TableSinkWriteQPS: TableFigures;
  readonly TableSourceReceivedBytesPerSeconds: TableFigures;
  readonly TableSinkWriteBytesPerSeconds: TableFigures;
  /** Rows each vertex of the DAG produced (sources, transforms) or wrote (sinks), by vertex id. */
  readonly VertexRowCount: Readonly<Record<string, number>>;
  /** Rows between the sources and the sinks: none here, every write is awaited before the next read. */
  readonly IntermediateQueueSize: number;
  /** Seconds the run has been going. */
  readonly elapsedSeconds: number;
}

/** The rate metrics, total and per table: SeaTunnel writes them as Java doubles. */
export const RATE_METRICS: ReadonlySet<string> = new Set([
  'SourceReceivedQPS',
  'SinkWriteQPS',
  'SourceReceivedBytesPerSeconds',
  'SinkWriteBytesPerSeconds',
  'TableSourceReceivedQPS',
  'TableSinkWriteQPS',
  'TableSourceReceivedBytesPerSeconds',
  'TableSinkWriteBytesPerSeconds',
]);

/** The eight per-table maps, each `{}` when a run has none (a run not started yet). */
export const TABLE_METRICS = [
  'TableSourceReceivedCount',
  'TableSinkWriteCount',
  'TableSourceReceivedBytes',
  'TableSinkWriteBytes',
  'TableSourceReceivedQPS',
  'TableSinkWriteQPS',
  'TableSourceReceivedBytesPerSeconds',
  'TableSinkWriteBytesPerSeconds',
] as const;

/** The tables a run's sources make and its sinks read, listed with zeros before the first row. */
export interface MetricTables {
  readonly sources: readonly string[];
  readonly sinks: readonly string[];
}

export function createMetrics(
  now: () => number,
  tables: MetricTables = { sources: [], sinks: [] },
) {
  const started = now();
  const totals = { sourceCount: 0, sourceBytes: 0, sinkCount: 0, sinkBytes: 0 };
  type Figures = { count: number; bytes: number };
  const seeded = (names: readonly string[]) =>
    new Map<string, Figures>(names.map((t) => [t, { count: 0, bytes: 0 }]));
  const sourceTables = seeded(tables.sources);
  const sinkTables = seeded(tables.sinks);
  const vertices = new Map<number, number>();
  const add = (tableMap: Map<string, Figures>, rows: readonly Row[], bytes: number) => {
    // A batch holds one table's rows; bytes are counted for the batch as a whole.
    const table = rows[0]?.table ?? '';
    const entry = tableMap.get(table) ?? { count: 0, bytes: 0 };
    entry.count += rows.length;
    entry.bytes += bytes;
    tableMap.set(table, entry);
  };
  const map = (tableMap: Map<string, Figures>, figure: (f: Figures) => number) =>
    Object.fromEntries([...tableMap].map(([t, f]) => [t, figure(f)]));
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
        TableSourceReceivedCount: map(sourceTables, (f) => f.count),
        TableSinkWriteCount: map(sinkTables, (f) => f.count),
        TableSourceReceivedBytes: map(sourceTables, (f) => f.bytes),
        TableSinkWriteBytes: map(sinkTables, (f) => f.bytes),
        TableSourceReceivedQPS: map(sourceTables, (f) => rate(f.count)),
        TableSinkWriteQPS: map(sinkTables, (f) => rate(f.count)),
        TableSourceReceivedBytesPerSeconds: map(sourceTables, (f) => rate(f.bytes)),
        TableSinkWriteBytesPerSeconds: map(sinkTables, (f) => rate(f.bytes)),
        VertexRowCount: Object.fromEntries([...vertices].map(([id, n]) => [String(id), n])),
        IntermediateQueueSize: 0,
        elapsedSeconds: Math.round(seconds * 1000) / 1000,
      };
    },
  };
}

/**
 * A number as Java's Double.toString writes it, which is how SeaTunnel's REST shows its rates:
 * `12.0`, `3.5`, `1.0E7`, `1.0E-4`. Any of them reads back with Number() or parseFloat.
 */
export function javaDouble(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const text = String(n);
    return text.includes('.') ? text : `${text}.0`;
  }
  // Scientific: one digit before the point, at least one after, and a bare exponent.
  const [mantissa = '', exponent = ''] = n.toExponential().split('e');
  const digits = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return `${digits}E${exponent.replace('+', '')}`;
}
