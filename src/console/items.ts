// The typed result items console commands emit (ItemBody shapes). Types keep Arthas's names where an
// Arthas command of that name exists; `jobId` is never a field here (the job sets it on every item).
// Times are ms since the epoch, sizes bytes, percentages 0-100.
import type { ConsoleJobInfo } from './command.ts';

/** Pipe output and plain text: rendered as is. */
export interface TextItem {
  readonly type: 'text';
  readonly text: string;
}

/** `help` (a command list) or `cmd -h` / `help cmd` (that command's help text). */
export interface HelpItem {
  readonly type: 'help';
  readonly text?: string;
  readonly commands?: ReadonlyArray<{ readonly name: string; readonly summary: string }>;
}

export interface VersionItem {
  readonly type: 'version';
  readonly version: string;
}

export interface SessionItem {
  readonly type: 'session';
  readonly sessionId: string;
  readonly pid: number;
  readonly nodeId: string;
  readonly createTime: number;
  readonly lastAccessTime: number;
  readonly consumers: ReadonlyArray<{ readonly id: string; readonly lastAccessTime: number }>;
}

export interface HistoryItem {
  readonly type: 'history';
  /** Oldest first; `first` is the number of the first one (1-based). */
  readonly history: readonly string[];
  readonly first: number;
}

export interface EchoItem {
  readonly type: 'echo';
  readonly content: string;
}

export interface CatItem {
  readonly type: 'cat';
  readonly file: string;
  readonly content: string;
  /** The file's size; more than the content when it was cut. */
  readonly size: number;
  readonly truncated: boolean;
}

export interface SysenvItem {
  readonly type: 'sysenv';
  readonly env: Readonly<Record<string, string>>;
}

export interface ConfigItem {
  readonly type: 'config';
  readonly config: Readonly<Record<string, unknown>>;
}

/** One memory area, as Arthas's MemoryEntryVO; -1 when there is no maximum. */
export interface MemoryEntry {
  readonly name: string;
  readonly used: number;
  readonly total: number;
  readonly max: number;
}

export interface MemoryItem {
  readonly type: 'memory';
  /** heap: the V8 heap and its spaces; nonheap: rss and code; buffer_pool: external and array buffers. */
  readonly memoryInfo: {
    readonly heap: readonly MemoryEntry[];
    readonly nonheap: readonly MemoryEntry[];
    readonly buffer_pool: readonly MemoryEntry[];
  };
  readonly system: { readonly total: number; readonly free: number };
}

export interface EventLoopInfo {
  /** Event-loop delay over the measured window, ms. */
  readonly delayMeanMs: number;
  readonly delayP99Ms: number;
  readonly delayMaxMs: number;
  /** Share of time the loop was busy over the window, 0-1. */
  readonly utilization: number;
}

export interface AgentItem {
  readonly type: 'agent';
  readonly pid: number;
  readonly ppid: number;
  readonly nodeId: string;
  readonly version: string;
  readonly versions: Readonly<Record<string, string>>;
  readonly platform: string;
  readonly arch: string;
  readonly execArgv: readonly string[];
  readonly cwd: string;
  readonly startedAt: number;
  readonly uptimeSec: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
  readonly eventLoop: EventLoopInfo;
  /** Active libuv resources by kind (process.getActiveResourcesInfo). */
  readonly handles: Readonly<Record<string, number>>;
  /** Open file descriptors; -1 when /proc is not available. */
  readonly fds: number;
}

/** A run as the console shows it. */
export interface RunInfo {
  readonly id: string;
  readonly job: string;
  readonly state: string;
  readonly trigger: string;
  readonly attempt: number;
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  readonly exitCode?: number;
  readonly signal?: string;
  readonly error?: string;
}

export interface DashboardItem {
  readonly type: 'dashboard';
  readonly time: number;
  /** Absent before the monitor's first sample. */
  readonly host?: {
    readonly hostname: string;
    readonly cpuPercent: number;
    readonly cores: number;
    readonly load: readonly [number, number, number];
    readonly memory: { readonly total: number; readonly used: number; readonly percent: number };
    readonly swap: { readonly total: number; readonly used: number; readonly percent: number };
    readonly disks: ReadonlyArray<{
      readonly mount: string;
      readonly total: number;
      readonly used: number;
      readonly percent: number;
    }>;
    readonly healthScore: number;
  };
  readonly agent: {
    readonly pid: number;
    readonly uptimeSec: number;
    readonly rss: number;
    readonly heapUsed: number;
    readonly heapTotal: number;
    readonly eventLoop: EventLoopInfo;
  };
  readonly runs: readonly RunInfo[];
}

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly user: string;
  readonly cpuPercent: number;
  readonly memPercent: number;
  readonly rss: number;
  readonly status: string;
  readonly name: string;
  readonly command: string;
}

/** `ps` (by pid) and `top` (by cpu). */
export interface ProcessesItem {
  readonly type: 'processes';
  readonly sort: 'pid' | 'cpu';
  /** All processes on the host; `processes` may be fewer (-n). */
  readonly total: number;
  readonly processes: readonly ProcessInfo[];
}

/** The session's console jobs (`jobs`). */
export interface JobsItem {
  readonly type: 'jobs';
  readonly jobs: readonly ConsoleJobInfo[];
}

export interface ScheduleInfo {
  readonly id: string;
  readonly name: string;
  readonly enabled: boolean;
  /** Each schedule in words, e.g. `cron 0 3 * * *`, `every 60s`. */
  readonly schedules: readonly string[];
  /** The next fire times (one in the list, several for `schedule <job>`). */
  readonly next: readonly number[];
  readonly lastRun?: { readonly id: string; readonly state: string; readonly at: number };
}

/** bosun jobs and their next runs (`schedule`). */
export interface ScheduleItem {
  readonly type: 'schedule';
  readonly jobs: readonly ScheduleInfo[];
}

/** A run started, found, asked to stop, or changing state (`run`, `stop`, `watch run`, `runs`). */
export interface RunItem {
  readonly type: 'run';
  readonly event: 'created' | 'existing' | 'stopping' | 'state';
  readonly run: RunInfo;
}

export interface RunsItem {
  readonly type: 'runs';
  readonly runs: readonly RunInfo[];
}

/** One cycle of run statistics per job, as Arthas's monitorDataList. */
export interface MonitorData {
  readonly job: string;
  readonly total: number;
  readonly success: number;
  readonly failed: number;
  readonly canceled: number;
  readonly skipped: number;
  /** Running when the cycle ended. */
  readonly running: number;
  /** Mean start-to-finish time of the runs that ended, ms (0 when none). */
  readonly avgDurationMs: number;
  /** Mean time from due to started, ms (0 when none). */
  readonly avgWaitMs: number;
}

export interface MonitorItem {
  readonly type: 'monitor';
  readonly timestamp: number;
  readonly cycleSec: number;
  readonly monitorDataList: readonly MonitorData[];
}

export interface HeapdumpItem {
  readonly type: 'heapdump';
  readonly dumpFile: string;
  readonly live: boolean;
  readonly url: string;
  readonly size: number;
}

export interface ProfilerItem {
  readonly type: 'profiler';
  readonly action: 'start' | 'stop' | 'status';
  readonly running: boolean;
  readonly startedAt?: number;
  /** Set when the profile stops by itself. */
  readonly durationSec?: number;
  readonly outputFile?: string;
  readonly url?: string;
}

export type CommandItem =
  | TextItem
  | HelpItem
  | VersionItem
  | SessionItem
  | HistoryItem
  | EchoItem
  | CatItem
  | SysenvItem
  | ConfigItem
  | MemoryItem
  | AgentItem
  | DashboardItem
  | ProcessesItem
  | JobsItem
  | ScheduleItem
  | RunItem
  | RunsItem
  | MonitorItem
  | HeapdumpItem
  | ProfilerItem;
