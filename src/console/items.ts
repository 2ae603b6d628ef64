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
  /** The group it is listed in: `heap`, `nonheap` or `buffer_pool` (Arthas's MemoryEntryVO.type). */
  readonly type: 'heap' | 'nonheap' | 'buffer_pool';
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

/** Arthas's RuntimeInfoVO with the Node.js meaning: `javaVersion` is Node's, `javaHome` its prefix. */
export interface RuntimeInfo {
  readonly osName: string;
  readonly osVersion: string;
  readonly javaVersion: string;
  readonly javaHome: string;
  readonly systemLoadAverage: number;
  readonly processors: number;
  /** ms since the agent started */
  readonly uptime: number;
  readonly timestamp: number;
  readonly v8Version: string;
}

/** Java's thread states, which Arthas's clients count and filter on. */
export type ThreadState =
  'NEW' | 'RUNNABLE' | 'BLOCKED' | 'WAITING' | 'TIMED_WAITING' | 'TERMINATED';

/** One thread of the agent process as Arthas's ThreadVO (from /proc/self/task). */
export interface ThreadStats {
  /** The kernel's thread id. */
  readonly id: number;
  readonly name: string;
  /** `main` for the event-loop thread, `system` for V8's and libuv's helper threads. */
  readonly group: string;
  /** The thread's nice value (Linux). */
  readonly priority: number;
  readonly state: ThreadState;
  /** CPU use over the sample, percent of one core. */
  readonly cpu: number;
  /** CPU time used during the sample, ms. */
  readonly deltaTime: number;
  /** CPU time used since the thread started, ms. */
  readonly time: number;
  readonly interrupted: boolean;
  /** Every thread but the event loop's: none of them keeps the process alive. */
  readonly daemon: boolean;
}

/** Collections of one kind since the console started watching (Arthas's GcInfoVO). */
export interface GcInfo {
  readonly name: string;
  readonly collectionCount: number;
  /** ms */
  readonly collectionTime: number;
}

export interface DashboardItem {
  readonly type: 'dashboard';
  readonly time: number;
  readonly runtimeInfo: RuntimeInfo;
  readonly memoryInfo: MemoryItem['memoryInfo'];
  /** Busiest first. */
  readonly threads: readonly ThreadStats[];
  readonly gcInfos: readonly GcInfo[];
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
  /** Jobs beyond those listed (the listing shows the first ones by name). */
  readonly more?: number;
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
  /** Arthas's names: the job is the class, `run` the method. */
  readonly className: string;
  readonly methodName: string;
  /** The cycle's end as Arthas writes it: `yyyy-MM-dd HH:mm:ss`, local time. */
  readonly timestamp: string;
  /** Total start-to-finish time of the runs that ended, ms (Arthas: cost; average = cost / total). */
  readonly cost: number;
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
  /** Where an Arthas client finds it: the Arthas listener's `/arthas-output/<name>`. */
  readonly arthasUrl: string;
  readonly size: number;
}

export interface ProfilerItem {
  readonly type: 'profiler';
  readonly action: 'start' | 'stop' | 'status' | 'resume' | 'list' | 'getSamples';
  /** What async-profiler would print for the action (Arthas's clients read and show it). */
  readonly executeResult: string;
  readonly running: boolean;
  readonly startedAt?: number;
  /** Set when the profile stops by itself (Arthas: duration). */
  readonly duration?: number;
  /** Arthas's clients open `/arthas-output/<name>` from this: the Arthas listener serves the dump dir there. */
  readonly outputFile?: string;
  /** The file on disk. */
  readonly file?: string;
  /** The download on the main port. */
  readonly url?: string;
}

/** One item of Arthas's jvmInfo: a name, a value, sometimes a description. */
export interface JvmEntry {
  readonly name: string;
  readonly value: unknown;
  readonly desc?: string;
}

/** `jvm`: the agent's runtime in Arthas's sections (RUNTIME, MEMORY, THREAD …). */
export interface JvmItem {
  readonly type: 'jvm';
  readonly jvmInfo: Readonly<Record<string, readonly JvmEntry[]>>;
}

export interface SyspropItem {
  readonly type: 'sysprop';
  readonly props: Readonly<Record<string, string>>;
}

export interface PerfCounter {
  readonly name: string;
  /** With `-d`: Bytes, Ticks, Events, None, String … */
  readonly units?: string;
  /** With `-d`: Constant, Monotonic or Variable. */
  readonly variability?: string;
  readonly value: string | number;
}

export interface PerfcounterItem {
  readonly type: 'perfcounter';
  readonly perfCounters: readonly PerfCounter[];
}

/** What a setting command changed (Arthas's ChangeResultVO). */
export interface ChangeResult {
  readonly name: string;
  readonly beforeValue: unknown;
  readonly afterValue: unknown;
}

/** A V8 flag as Arthas's VMOption. */
export interface VmOption {
  readonly name: string;
  readonly value: string;
  /** DEFAULT, VM_CREATION (node's command line), ENVIRON_VAR (NODE_OPTIONS) or MANAGEMENT (set here). */
  readonly origin: string;
  readonly writeable: boolean;
}

export interface VmoptionItem {
  readonly type: 'vmoption';
  readonly vmOptions?: readonly VmOption[];
  readonly changeResult?: ChangeResult;
}

/** A console option as Arthas's OptionVO. */
export interface OptionInfo {
  readonly level: number;
  readonly type: string;
  readonly name: string;
  readonly value: string;
  readonly summary: string;
  readonly description: string;
}

export interface OptionsItem {
  readonly type: 'options';
  readonly options?: readonly OptionInfo[];
  readonly changeResult?: ChangeResult;
}

/** A thread in Arthas's ThreadInfo / BusyThreadInfo shape: no locks or JavaScript stack to show. */
export interface ThreadDetail extends ThreadStats {
  readonly threadId: number;
  readonly threadName: string;
  readonly threadState: ThreadState;
  readonly blockedCount: number;
  readonly blockedTime: number;
  readonly waitedCount: number;
  readonly waitedTime: number;
  readonly lockOwnerId: number;
  readonly inNative: boolean;
  readonly suspended: boolean;
  readonly lockedMonitors: readonly never[];
  readonly lockedSynchronizers: readonly never[];
  readonly stackTrace: readonly never[];
}

/** `thread`: all threads with counts by state, the busiest (`-n`), or one (`<id>`). */
export interface ThreadItem {
  readonly type: 'thread';
  readonly all?: boolean;
  readonly threadStats?: readonly ThreadStats[];
  readonly threadStateCount?: Readonly<Record<ThreadState, number>>;
  readonly busyThreads?: readonly ThreadDetail[];
  readonly threadInfo?: ThreadDetail;
}

/** Arthas's answer to `stop`; bosun's agent does not stop from the console (graceful: false). */
export interface ShutdownItem {
  readonly type: 'shutdown';
  readonly graceful: boolean;
  readonly message: string;
}

/** How many rows a search found (Arthas's RowAffectModel). */
export interface RowAffectItem {
  readonly type: 'row_affect';
  readonly rowCount: number;
}

/** The outcome of instrumenting classes (Arthas's EnhancerModel); bosun has none to instrument. */
export interface EnhancerItem {
  readonly type: 'enhancer';
  readonly success: boolean;
  readonly effect: {
    readonly cost: number;
    readonly methodCount: number;
    readonly classCount: number;
    readonly listenerId: number;
  };
  readonly message?: string;
}

/** `tt -l` / `tt -s`: the recorded invocations (none: bosun records none). */
export interface TimeTunnelItem {
  readonly type: 'tt';
  readonly timeFragmentList: readonly never[];
  readonly first: boolean;
}

/** `reset`: what was un-instrumented (nothing in bosun). */
export interface ResetItem {
  readonly type: 'reset';
  readonly affect: EnhancerItem['effect'];
}

export interface PwdItem {
  readonly type: 'pwd';
  readonly workingDir: string;
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
  | ProfilerItem
  | JvmItem
  | SyspropItem
  | PerfcounterItem
  | VmoptionItem
  | OptionsItem
  | ThreadItem
  | ShutdownItem
  | RowAffectItem
  | EnhancerItem
  | TimeTunnelItem
  | ResetItem
  | PwdItem;
