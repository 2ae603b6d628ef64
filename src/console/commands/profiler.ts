// `profiler start|stop|status|resume|list|getSamples`: a CPU profile of the agent through an
// in-process inspector session, written as a .cpuprofile under the dump dir, answered in Arthas's
// profiler shape (`executeResult` as async-profiler words it, `outputFile` as the `/arthas-output/`
// URL Arthas's web console opens). Its state lives in the registry that made it (one per console),
// so `--duration` can stop it in the background after the command has returned.
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { intOption, type CommandSpec, type ConsoleDeps } from '../command.ts';
import type { ProfilerItem } from '../items.ts';
import { CommandFailure, STATUS } from '../model.ts';
import type { ConsoleState } from './support/console-state.ts';
import { dumpFile, namedDumpFile, type DumpFile } from './support/dump-file.ts';

interface Active {
  session: Session;
  startedAt: number;
  intervalUs: number;
  duration?: number;
  /** Given with --file at start. */
  out?: DumpFile;
  timer?: ReturnType<typeof setTimeout>;
}

/** What V8's profiler can sample: CPU time only (async-profiler's other events have no counterpart). */
const EVENTS = ['cpu'];
const ACTIONS = ['start', 'stop', 'status', 'resume', 'list', 'getSamples'] as const;
type Action = (typeof ACTIONS)[number];

export function createProfilerCommand(state?: ConsoleState): CommandSpec {
  let active: Active | undefined;
  let last: DumpFile | undefined;

  async function finish(a: Active, deps: ConsoleDeps): Promise<DumpFile> {
    if (active === a) active = undefined;
    if (a.timer !== undefined) clearTimeout(a.timer);
    try {
      const { profile } = await a.session.post('Profiler.stop');
      await a.session.post('Profiler.disable');
      const out = a.out ?? (await dumpFile(deps.dumpDir, 'profile', 'cpuprofile', Date.now()));
      await writeFile(out.file, JSON.stringify(profile));
      last = out;
      return out;
    } finally {
      a.session.disconnect();
    }
  }

  const fail = (message: string): CommandFailure =>
    new CommandFailure(`AsyncProfiler error: ${message}`, STATUS.EXCEPTION);

  return {
    kind: 'command',
    name: 'profiler',
    summary:
      'CPU-profile the agent: start, stop (writes a .cpuprofile), status, resume, list, getSamples',
    usage:
      'profiler start|stop|status|resume|list|getSamples [-d <sec>] [-e cpu] [-f <file>] [-i <ns>]',
    optionHelp: [
      '-d, --duration <sec>  with start: stop by itself after this long',
      '-e, --event <event>   with start: cpu (the only event V8 samples)',
      '-f, --file <file>     with start or stop: the file to write, in the dump dir',
      "-i, --interval <ns>   with start: sampling interval (default: option 'profiler-interval', 1000 µs)",
    ],
    examples: ['profiler start', 'profiler stop', 'profiler start -d 30', 'profiler status'],
    options: {
      duration: { type: 'string', short: 'd' },
      event: { type: 'string', short: 'e' },
      file: { type: 'string', short: 'f' },
      interval: { type: 'string', short: 'i' },
      include: { type: 'string', multiple: true },
      exclude: { type: 'string', multiple: true },
      format: { type: 'string', short: 'o' },
    },
    // Arthas's action argument, and words its web console appends to `start` (ignored, as an
    // action argument is for start).
    positionals: { min: 1, max: 3 },
    async run(ctx, { values, positionals }) {
      const action = positionals[0] as Action;
      if (!(ACTIONS as readonly string[]).includes(action)) {
        throw new CommandFailure(
          `profiler: unknown action '${action}'; use one of ${ACTIONS.join(', ')}`,
          STATUS.BAD_ARGS,
        );
      }
      const duration = intOption(values.duration, 'profiler: -d', { min: 1, max: 3600 });
      const intervalNs = intOption(values.interval, 'profiler: -i', {
        min: 10_000,
        max: 1_000_000_000,
      });
      if (action !== 'start' && action !== 'resume') {
        for (const [name, given] of [
          ['-d', duration],
          ['-e', values.event],
          ['-i', intervalNs],
        ] as const) {
          if (given !== undefined) {
            throw new CommandFailure(
              `profiler: ${name} goes with start; type 'profiler start ${name} …'`,
              STATUS.BAD_ARGS,
            );
          }
        }
      }
      if (values.include !== undefined || values.exclude !== undefined) {
        throw fail('--include and --exclude filter Java frames; V8 profiles have no such filter');
      }
      if (values.format !== undefined) {
        throw fail('the only output format is V8 .cpuprofile (open it in Chrome DevTools)');
      }
      const running = active;
      switch (action) {
        case 'list':
          return ctx.emit(item('list', `Basic events:\n${EVENTS.map((e) => `  ${e}\n`).join('')}`));
        case 'status':
          return ctx.emit(
            running === undefined
              ? item('status', 'Profiler is not active\n', last)
              : item(
                  'status',
                  `Profiling is running for ${Math.round((Date.now() - running.startedAt) / 1000)} seconds\n`,
                  undefined,
                  running,
                ),
          );
        case 'getSamples': {
          // V8 hands the samples over at stop; until then, the count its fixed interval gives.
          const samples =
            running === undefined
              ? 0
              : Math.floor(((Date.now() - running.startedAt) * 1000) / running.intervalUs);
          return ctx.emit(item('getSamples', `${samples}\n`, undefined, running));
        }
        case 'stop': {
          if (running === undefined) throw fail('Profiler is not active');
          if (typeof values.file === 'string') {
            running.out = await namedDumpFile(ctx.deps.dumpDir, values.file, 'profiler');
          }
          const out = await finish(running, ctx.deps);
          return ctx.emit(item('stop', 'OK\n', out));
        }
        default: {
          // start, and resume: V8 cannot continue a stopped profile, so resume starts a new one.
          if (running !== undefined) throw fail('Profiler already started');
          const event = values.event ?? 'cpu';
          if (typeof event !== 'string' || !EVENTS.includes(event)) {
            throw fail(`Unsupported event: ${String(event)}; V8 samples: ${EVENTS.join(', ')}`);
          }
          const out =
            typeof values.file === 'string'
              ? await namedDumpFile(ctx.deps.dumpDir, values.file, 'profiler')
              : undefined;
          const intervalUs =
            intervalNs !== undefined
              ? Math.round(intervalNs / 1000)
              : (state?.options(ctx.deps.config).get('profiler-interval') ?? 1000);
          const session = new Session();
          session.connect();
          try {
            await session.post('Profiler.enable');
            await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
            await session.post('Profiler.start');
          } catch (err) {
            session.disconnect();
            throw err;
          }
          const a: Active = { session, startedAt: Date.now(), intervalUs };
          if (out !== undefined) a.out = out;
          active = a;
          if (duration !== undefined) {
            a.duration = duration;
            a.out ??= await dumpFile(ctx.deps.dumpDir, 'profile', 'cpuprofile', a.startedAt);
            const { deps } = ctx;
            a.timer = setTimeout(() => {
              finish(a, deps).then(
                (written) => deps.logger.info({ file: written.file }, 'CPU profile written'),
                (err: unknown) => deps.logger.warn({ err }, 'could not write the CPU profile'),
              );
            }, duration * 1000);
            // A pending profile must not keep the agent alive at shutdown.
            a.timer.unref();
          }
          return ctx.emit(item(action, 'Profiling started\n', a.out, a));
        }
      }
    },
  };
}

function item(
  action: ProfilerItem['action'],
  executeResult: string,
  out?: DumpFile,
  running?: Active,
): ProfilerItem {
  return {
    type: 'profiler',
    action,
    executeResult,
    running: running !== undefined,
    ...(running === undefined ? {} : { startedAt: running.startedAt }),
    ...(running?.duration === undefined ? {} : { duration: running.duration }),
    ...(out === undefined ? {} : { outputFile: out.arthasUrl, file: out.file, url: out.url }),
  };
}
