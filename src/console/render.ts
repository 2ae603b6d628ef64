// Turns a console result item into plain terminal text: the one renderer behind `bosun exec`, `bosun
// console`, the dashboard's terminal and pipes (`cmd | grep x` greps these lines). No node: imports (it is
// bundled into the browser app) and no colours; tables are aligned with spaces.
import type {
  AgentItem,
  ChangeResult,
  CatItem,
  CommandItem,
  DashboardItem,
  EventLoopInfo,
  HelpItem,
  HistoryItem,
  JobsItem,
  MemoryItem,
  MonitorItem,
  ProcessesItem,
  ProfilerItem,
  RunInfo,
  RunItem,
  ScheduleItem,
  SessionItem,
  ThreadItem,
  ThreadStats,
} from './items.ts';
import { localDateTime } from '../units/display.ts';
import type { ResultItem } from './model.ts';

/** The item as text, without a trailing newline; '' when it has nothing to show. */
export function renderItem(item: ResultItem): string {
  try {
    return renderKnown(item);
  } catch {
    // A malformed item from an older or newer agent: show its fields rather than nothing.
    return renderFields(item);
  }
}

function renderKnown(item: ResultItem): string {
  switch (item.type) {
    case 'status':
      return item.statusCode === 0 || item.statusCode === undefined
        ? ''
        : typeof item.message === 'string' && item.message !== ''
          ? item.message
          : `command failed with status ${String(item.statusCode)}`;
    case 'message':
      return String(item.message ?? '');
    case 'input_status':
      return '';
    case 'welcome':
      return renderWelcome(item);
    case 'command':
      return item.state === 'FAILED'
        ? String(item.message ?? `command failed: ${String(item.command)}`)
        : '';
  }
  const known = item as unknown as CommandItem;
  switch (known.type) {
    case 'text':
      return known.text;
    case 'help':
      return renderHelp(known);
    case 'version':
      return known.version;
    case 'echo':
      return known.content;
    case 'session':
      return renderSession(known);
    case 'history':
      return renderHistory(known);
    case 'cat':
      return renderCat(known);
    case 'sysenv':
      return Object.entries(known.env)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n');
    case 'config':
      return keyValues(Object.entries(known.config).map(([k, v]) => [k, valueText(v)]));
    case 'memory':
      return renderMemory(known);
    case 'agent':
      return renderAgent(known);
    case 'dashboard':
      return renderDashboard(known);
    case 'processes':
      return renderProcesses(known);
    case 'jobs':
      return renderJobs(known);
    case 'schedule':
      return renderSchedule(known);
    case 'run':
      return renderRun(known);
    case 'runs':
      return known.runs.length === 0 ? 'no runs' : runsTable(known.runs);
    case 'monitor':
      return renderMonitor(known);
    case 'heapdump':
      return [
        `Heap dump written to ${known.dumpFile} (${bytes(known.size)})`,
        `download: ${known.url}`,
      ].join('\n');
    case 'profiler':
      return renderProfiler(known);
    case 'thread':
      return renderThread(known);
    case 'sysprop':
      return keyValues(Object.entries(known.props));
    case 'perfcounter':
      return keyValues(known.perfCounters.map((c) => [c.name, String(c.value)]));
    case 'vmoption':
      return known.vmOptions !== undefined
        ? table(
            ['NAME', 'VALUE', 'ORIGIN', 'WRITEABLE'],
            known.vmOptions.map((o) => [o.name, o.value, o.origin, String(o.writeable)]),
          )
        : renderChange(known.changeResult);
    case 'options':
      return known.options !== undefined
        ? table(
            ['LEVEL', 'TYPE', 'NAME', 'VALUE', 'SUMMARY'],
            known.options.map((o) => [String(o.level), o.type, o.name, o.value, o.summary]),
          )
        : renderChange(known.changeResult);
    case 'jvm':
      return Object.entries(known.jvmInfo)
        .map(([section, entries]) =>
          [section, ...entries.map((e) => `  ${e.name}: ${valueText(e.value)}`)].join('\n'),
        )
        .join('\n');
    case 'shutdown':
      return known.message;
    case 'row_affect':
      return `Affect(row-cnt:${known.rowCount})`;
    case 'enhancer':
      return `Affect(class count: ${known.effect.classCount} , method count: ${known.effect.methodCount})`;
    case 'pwd':
      return known.workingDir;
    default:
      return renderFields(item);
  }
}

function renderWelcome(item: ResultItem): string {
  const time = typeof item.time === 'number' ? formatTime(item.time) : String(item.time ?? '');
  const parts = [`bosun ${String(item.version ?? '')}`, `pid ${String(item.pid ?? '')}`, time];
  return [parts.filter((p) => p.trim() !== '').join('  '), "type 'help' for the commands"].join(
    '\n',
  );
}

function renderHelp(item: HelpItem): string {
  if (item.text !== undefined) return item.text;
  const rows = (item.commands ?? []).map((c) => [c.name, c.summary]);
  return `${table(['NAME', 'DESCRIPTION'], rows)}\n\ntype 'help <command>' or '<command> -h' for details`;
}

function renderSession(item: SessionItem): string {
  const consumers = item.consumers.map(
    (c) => `${c.id} (last pull ${formatTime(c.lastAccessTime)})`,
  );
  return keyValues([
    ['SESSION_ID', item.sessionId],
    ['PID', String(item.pid)],
    ['NODE_ID', item.nodeId],
    ['CREATED', formatTime(item.createTime)],
    ['LAST_ACCESS', formatTime(item.lastAccessTime)],
    ['CONSUMERS', consumers.length === 0 ? '-' : consumers.join(', ')],
  ]);
}

function renderHistory(item: HistoryItem): string {
  const width = String(item.first + item.history.length - 1).length;
  return item.history
    .map((line, i) => `${String(item.first + i).padStart(width)}  ${line}`)
    .join('\n');
}

function renderCat(item: CatItem): string {
  const content = item.content.endsWith('\n') ? item.content.slice(0, -1) : item.content;
  if (!item.truncated) return content;
  const shown = new TextEncoder().encode(item.content).length;
  return `${content}\n[cat: ${item.file} cut after ${bytes(shown)} of ${bytes(item.size)}]`;
}

function renderMemory(item: MemoryItem): string {
  const rows: string[][] = [];
  for (const [area, entries] of Object.entries(item.memoryInfo)) {
    for (const e of entries) {
      const of = e.max > 0 ? e.max : e.total;
      rows.push([
        area,
        e.name,
        bytes(e.used),
        bytes(e.total),
        e.max < 0 ? '-' : bytes(e.max),
        of > 0 ? percent((e.used / of) * 100) : '-',
      ]);
    }
  }
  rows.push([
    'system',
    'memory',
    bytes(item.system.total - item.system.free),
    bytes(item.system.total),
    '-',
    percent(((item.system.total - item.system.free) / item.system.total) * 100),
  ]);
  return table(['AREA', 'NAME', 'USED', 'TOTAL', 'MAX', 'USAGE'], rows, [2, 3, 4, 5]);
}

function loopText(loop: EventLoopInfo): string {
  return `delay mean ${ms(loop.delayMeanMs)} p99 ${ms(loop.delayP99Ms)} max ${ms(loop.delayMaxMs)}, busy ${percent(loop.utilization * 100)}`;
}

function renderAgent(item: AgentItem): string {
  const handles = Object.entries(item.handles)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return keyValues([
    ['PID', `${item.pid} (parent ${item.ppid})`],
    ['NODE_ID', item.nodeId],
    ['VERSION', `bosun ${item.version}`],
    [
      'NODE',
      `${item.versions.node ?? '?'} (v8 ${item.versions.v8 ?? '?'}, uv ${item.versions.uv ?? '?'})`,
    ],
    ['PLATFORM', `${item.platform} ${item.arch}`],
    ['EXEC_ARGV', item.execArgv.length === 0 ? '-' : item.execArgv.join(' ')],
    ['CWD', item.cwd],
    ['STARTED', formatTime(item.startedAt)],
    ['UPTIME', duration(item.uptimeSec)],
    ['RSS', bytes(item.rss)],
    ['HEAP_USED', bytes(item.heapUsed)],
    ['CPU_TIME', `user ${ms(item.cpuUserMs)}, system ${ms(item.cpuSystemMs)}`],
    ['EVENT_LOOP', loopText(item.eventLoop)],
    ['HANDLES', handles === '' ? '-' : handles],
    ['OPEN_FDS', item.fds < 0 ? '-' : String(item.fds)],
  ]);
}

function renderDashboard(item: DashboardItem): string {
  const lines = [`bosun dashboard  ${formatTime(item.time)}`, ''];
  const h = item.host;
  if (h === undefined) {
    lines.push('host: no sample yet');
  } else {
    lines.push(
      `host    ${h.hostname}  cpu ${percent(h.cpuPercent)} of ${h.cores} cores  load ${h.load.map((l) => l.toFixed(2)).join(' ')}  health ${h.healthScore}`,
      `memory  ${bytes(h.memory.used)} / ${bytes(h.memory.total)} (${percent(h.memory.percent)})  swap ${bytes(h.swap.used)} / ${bytes(h.swap.total)} (${percent(h.swap.percent)})`,
    );
    for (const d of h.disks) {
      lines.push(
        `disk    ${d.mount}  ${bytes(d.used)} / ${bytes(d.total)} (${percent(d.percent)})`,
      );
    }
  }
  const a = item.agent;
  lines.push(
    `agent   pid ${a.pid}  up ${duration(a.uptimeSec)}  rss ${bytes(a.rss)}  heap ${bytes(a.heapUsed)} / ${bytes(a.heapTotal)}`,
    `loop    ${loopText(a.eventLoop)}`,
    '',
  );
  lines.push(item.runs.length === 0 ? 'no runs running' : runsTable(item.runs));
  return lines.join('\n');
}

function renderProcesses(item: ProcessesItem): string {
  const rows = item.processes.map((p) => [
    String(p.pid),
    String(p.ppid),
    p.user,
    p.cpuPercent.toFixed(1),
    p.memPercent.toFixed(1),
    bytes(p.rss),
    p.status,
    p.name,
    p.command === '' ? `[${p.name}]` : p.command,
  ]);
  const head = ['PID', 'PPID', 'USER', '%CPU', '%MEM', 'RSS', 'STAT', 'NAME', 'COMMAND'];
  const by = item.sort === 'cpu' ? 'by cpu' : 'by pid';
  return `${table(head, rows, [0, 1, 3, 4, 5])}\n${item.processes.length} of ${item.total} processes, ${by}`;
}

function renderJobs(item: JobsItem): string {
  if (item.jobs.length === 0) return 'no jobs';
  const rows = item.jobs.map((j) => [
    `[${j.id}]`,
    j.status,
    j.background ? 'background' : 'foreground',
    formatTime(j.startedAt),
    j.command,
  ]);
  return table(['JOB', 'STATUS', 'WHERE', 'STARTED', 'COMMAND'], rows);
}

function renderSchedule(item: ScheduleItem): string {
  if (item.jobs.length === 0) {
    return "no jobs defined; add one with 'bosun jobs add <file>'";
  }
  const rows = item.jobs.map((j) => [
    j.name,
    j.enabled ? 'yes' : 'no',
    j.next[0] === undefined ? '-' : formatTime(j.next[0]),
    j.lastRun === undefined ? '-' : `${j.lastRun.state} (run ${j.lastRun.id})`,
    j.schedules.length === 0 ? 'manual' : j.schedules.join('; '),
  ]);
  const out = [table(['JOB', 'ENABLED', 'NEXT', 'LAST', 'SCHEDULES'], rows)];
  if (item.more !== undefined && item.more > 0) {
    out.push(
      `… and ${item.more} more; 'schedule <job>' shows one, 'bosun jobs ls --all' lists all`,
    );
  }
  for (const j of item.jobs) {
    if (j.next.length > 1) {
      out.push('', `next runs of ${j.name}:`, ...j.next.map((t) => `  ${formatTime(t)}`));
    }
  }
  return out.join('\n');
}

function runEnd(run: RunInfo): string {
  const parts: string[] = [];
  if (run.exitCode !== undefined) parts.push(`exit code ${run.exitCode}`);
  if (run.signal !== undefined) parts.push(`signal ${run.signal}`);
  if (run.error !== undefined) parts.push(run.error);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

function renderRun(item: RunItem): string {
  const { run } = item;
  const name = `run ${run.id} of ${run.job}`;
  switch (item.event) {
    case 'created':
      return `${name} started (${run.state}); follow it with 'logs ${run.id} -f' or 'watch run ${run.id}'`;
    case 'existing':
      return `${name} already exists (${run.state})`;
    case 'stopping':
      return `${name}: stop requested (${run.state})`;
    case 'state':
      return `${name}: ${run.state}${runEnd(run)}`;
  }
}

function runsTable(runs: readonly RunInfo[]): string {
  const rows = runs.map((r) => {
    const end = r.finishedAt ?? (r.startedAt === undefined ? undefined : Date.now());
    return [
      r.id,
      r.job,
      r.state,
      r.trigger,
      String(r.attempt),
      formatTime(r.startedAt ?? r.createdAt),
      end === undefined || r.startedAt === undefined ? '-' : duration((end - r.startedAt) / 1000),
      r.exitCode === undefined ? '-' : String(r.exitCode),
    ];
  });
  return table(
    ['RUN', 'JOB', 'STATE', 'TRIGGER', 'ATTEMPT', 'STARTED', 'TOOK', 'EXIT'],
    rows,
    [4, 7],
  );
}

function renderMonitor(item: MonitorItem): string {
  const time = formatTime(item.timestamp);
  if (item.monitorDataList.length === 0) {
    return `${time}  no runs in the last ${item.cycleSec}s`;
  }
  const rows = item.monitorDataList.map((d) => {
    const ended = d.success + d.failed;
    return [
      time,
      d.job,
      String(d.total),
      String(d.success),
      String(d.failed),
      String(d.canceled),
      String(d.skipped),
      String(d.running),
      ms(d.avgDurationMs),
      ms(d.avgWaitMs),
      ended === 0 ? '-' : percent((d.failed / ended) * 100),
    ];
  });
  const head = ['TIMESTAMP', 'JOB', 'TOTAL', 'SUCCESS', 'FAIL', 'CANCEL', 'SKIP', 'RUNNING'];
  return table([...head, 'AVG-TIME', 'AVG-WAIT', 'FAIL-RATE'], rows, [2, 3, 4, 5, 6, 7, 8, 9, 10]);
}

function renderProfiler(item: ProfilerItem): string {
  const download = item.url === undefined ? '' : `\ndownload: ${item.url}`;
  const written = item.file === undefined ? '' : `; profile written to ${item.file}`;
  if (item.action === 'start' || item.action === 'resume') {
    const until =
      item.duration === undefined
        ? "stop it with 'profiler stop'"
        : `it stops by itself after ${item.duration}s`;
    return `profiler started; ${until}`;
  }
  if (item.action === 'stop') return `profiler stopped${written}${download}`;
  if (item.action === 'list' || item.action === 'getSamples') {
    return item.executeResult.replace(/\n$/, '');
  }
  if (!item.running) return `profiler is not running${written}${download}`;
  const since = item.startedAt === undefined ? '' : ` since ${formatTime(item.startedAt)}`;
  const auto = item.duration === undefined ? '' : `, stops after ${item.duration}s`;
  return `profiler is running${since}${auto}`;
}

function renderThread(item: ThreadItem): string {
  const row = (t: ThreadStats): string[] => [
    String(t.id),
    t.name,
    t.group,
    t.state,
    t.cpu.toFixed(2),
    ms(t.deltaTime),
    ms(t.time),
  ];
  const head = ['ID', 'NAME', 'GROUP', 'STATE', '%CPU', 'DELTA', 'TIME'];
  if (item.threadInfo !== undefined) {
    const t = item.threadInfo;
    return `"${t.name}" Id=${t.id} ${t.state} (no JavaScript stack: a native thread, or the event loop running this command)`;
  }
  const threads = item.busyThreads ?? item.threadStats ?? [];
  const table1 = table(head, threads.map(row), [0, 4, 5, 6]);
  if (item.threadStateCount === undefined) return table1;
  const counts = Object.entries(item.threadStateCount)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  return `Threads: ${threads.length}; ${counts}\n${table1}`;
}

function renderChange(change: ChangeResult | undefined): string {
  if (change === undefined) return '';
  return `${change.name}: ${valueText(change.beforeValue)} -> ${valueText(change.afterValue)}`;
}

/** Any item: its fields as `key: value` lines, JSON for nested values. */
function renderFields(item: ResultItem): string {
  return Object.entries(item)
    .filter(([k]) => k !== 'type' && k !== 'jobId')
    .map(([k, v]) => `${k}: ${valueText(v)}`)
    .join('\n');
}

function valueText(v: unknown): string {
  if (v === undefined || v === null) return '-';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Columns padded to their widest cell; `right` holds the indexes of right-aligned columns. */
export function table(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly number[] = [],
): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => {
        if (i === cells.length - 1 && !right.includes(i)) return c;
        const w = widths[i] ?? 0;
        return right.includes(i) ? c.padStart(w) : c.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

function keyValues(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(width)}  ${v}`.trimEnd()).join('\n');
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function bytes(n: number): string {
  if (!Number.isFinite(n)) return '-';
  let value = Math.abs(n);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const sign = n < 0 ? '-' : '';
  return unit === 0 ? `${sign}${value} B` : `${sign}${value.toFixed(1)} ${UNITS[unit]}`;
}

function percent(n: number): string {
  return Number.isFinite(n) ? `${n.toFixed(1)}%` : '-';
}

function ms(n: number): string {
  return n >= 10_000 ? duration(n / 1000) : `${n.toFixed(1)} ms`;
}

/** A duration in seconds as `3d 4h`, `2h 5m`, `5m 3s` or `12s`. */
export function duration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '-';
  const s = Math.floor(sec);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** Local time as `YYYY-MM-DD HH:MM:SS`. */
export function formatTime(msSinceEpoch: number): string {
  if (!Number.isFinite(msSinceEpoch)) return '-';
  return localDateTime(msSinceEpoch);
}
