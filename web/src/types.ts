// The agent's snapshot types, shared with the server so a renamed field fails the typecheck here too.
import type { HistoryPoint } from '../../src/monitor/snapshot.ts';

export type {
  DiskIoRow,
  FilesystemRow,
  HealthInfo,
  HealthWarning,
  HistoryPoint,
  InterfaceRow,
  ProcessRow,
  Snapshot,
} from '../../src/monitor/snapshot.ts';

/** GET /api/v1/history */
export interface HistoryResponse {
  interval_sec: number;
  points: HistoryPoint[];
}
