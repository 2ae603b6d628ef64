// `jvm`: the agent's runtime in the sections of Arthas's jvm command (RUNTIME, COMPILATION,
// GARBAGE-COLLECTORS, MEMORY-MANAGERS, MEMORY, OPERATING-SYSTEM, THREAD, FILE-DESCRIPTOR), each
// filled with its Node.js counterpart; CLASS-LOADING becomes MODULES.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import v8 from 'node:v8';
import type { CommandSpec } from '../command.ts';
import type { JvmEntry, JvmItem } from '../items.ts';
import { countFds, countHandles } from './agent.ts';
import type { ConsoleState } from './support/console-state.ts';
import { agentThreadTimes } from '../../jobs/thread-dump.ts';

export function createJvmCommand(state: ConsoleState): CommandSpec {
  return {
    kind: 'command',
    name: 'jvm',
    summary:
      "the agent's runtime as Arthas's jvm shows a JVM: versions, memory, GC, threads, files",
    usage: 'jvm',
    async run(ctx) {
      const { deps } = ctx;
      const now = Date.now();
      const heap = v8.getHeapStatistics();
      const code = v8.getHeapCodeStatistics();
      const memory = process.memoryUsage();
      const usage = process.resourceUsage();
      const threads = agentThreadTimes();
      const e = (name: string, value: unknown, desc?: string): JvmEntry =>
        desc === undefined ? { name, value } : { name, value, desc };
      const versions = Object.fromEntries(
        Object.entries(process.versions).filter(([, v]) => v !== undefined),
      );
      const jvmInfo: Record<string, JvmEntry[]> = {
        RUNTIME: [
          e('MACHINE-NAME', `${process.pid}@${os.hostname()}`),
          e('START-TIME', new Date(deps.startedAt).toISOString()),
          e('UPTIME', `${Math.round((now - deps.startedAt) / 1000)}s`),
          e('NODE-VERSION', process.version),
          e('V8-VERSION', process.versions.v8),
          e('BOSUN-VERSION', deps.version),
          e('NODE-ID', deps.nodeId),
          e('EXEC-PATH', process.execPath),
          e('INPUT-ARGUMENTS', process.execArgv),
          e('WORKING-DIRECTORY', process.cwd()),
          e('VERSIONS', versions),
        ],
        MODULES: [
          e(
            'LOADED-COMMONJS-MODULES',
            Object.keys(createRequire(import.meta.url).cache).length,
            'modules in require.cache (ES modules are not listed by Node.js)',
          ),
        ],
        COMPILATION: [
          e('NAME', 'V8 (Ignition interpreter, Sparkplug, Maglev and TurboFan compilers)'),
          e('CODE-AND-METADATA-SIZE', code.code_and_metadata_size, 'bytes'),
          e('BYTECODE-AND-METADATA-SIZE', code.bytecode_and_metadata_size, 'bytes'),
          e('EXTERNAL-SCRIPT-SOURCE-SIZE', code.external_script_source_size, 'bytes'),
        ],
        'GARBAGE-COLLECTORS': state.gc
          .read()
          .map((gc) =>
            e(gc.name, gc, `since ${new Date(state.gc.since).toISOString()}; collectionTime in ms`),
          ),
        'MEMORY-MANAGERS': [
          e(
            'V8',
            v8.getHeapSpaceStatistics().map((s) => s.space_name),
          ),
        ],
        MEMORY: [
          e(
            'HEAP-MEMORY-USAGE',
            {
              init: 0,
              used: heap.used_heap_size,
              committed: heap.total_heap_size,
              max: heap.heap_size_limit,
            },
            'V8 heap, bytes',
          ),
          e(
            'NO-HEAP-MEMORY-USAGE',
            {
              init: 0,
              used: memory.rss - heap.used_heap_size,
              committed: memory.rss,
              max: -1,
            },
            'resident set outside the V8 heap, bytes',
          ),
          e('EXTERNAL', memory.external, 'memory of C++ objects bound to JavaScript, bytes'),
          e('ARRAY-BUFFERS', memory.arrayBuffers, 'bytes'),
          e('MALLOCED', heap.malloced_memory, 'bytes'),
        ],
        'OPERATING-SYSTEM': [
          e('OS', os.type()),
          e('ARCH', process.arch),
          e('PROCESSORS-COUNT', os.availableParallelism()),
          e('LOAD-AVERAGE', os.loadavg()[0] ?? 0),
          e('VERSION', os.release()),
        ],
        THREAD: [
          e('COUNT', threads.length),
          e('DAEMON-COUNT', threads.filter((t) => t.tid !== process.pid).length),
          e(
            'LIBUV-THREADPOOL-SIZE',
            Number(deps.env.UV_THREADPOOL_SIZE) || 4,
            'UV_THREADPOOL_SIZE, or libuv default 4',
          ),
          e('ACTIVE-HANDLES', countHandles(), 'libuv resources by kind'),
          e('CPU-USER-TIME', Math.round(usage.userCPUTime / 1000), 'ms'),
          e('CPU-SYSTEM-TIME', Math.round(usage.systemCPUTime / 1000), 'ms'),
        ],
        'FILE-DESCRIPTOR': [
          e('MAX-FILE-DESCRIPTOR-COUNT', await maxFds()),
          e('OPEN-FILE-DESCRIPTOR-COUNT', await countFds()),
        ],
      };
      const item: JvmItem = { type: 'jvm', jvmInfo };
      ctx.emit(item);
    },
  };
}

/** The soft limit on open files, from /proc/self/limits; -1 when unknown or unlimited. */
async function maxFds(): Promise<number> {
  try {
    const text = await readFile('/proc/self/limits', 'utf8');
    const soft = /^Max open files\s+(\d+)/m.exec(text)?.[1];
    return soft === undefined ? -1 : Number(soft);
  } catch {
    return -1;
  }
}
