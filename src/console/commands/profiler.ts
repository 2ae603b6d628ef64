// `profiler start|stop|status [-d sec]`: a CPU profile of the agent through an in-process inspector
// session, written as a .cpuprofile under the dump dir. Its state lives in the registry that made it
// (one per console), so `--duration` can stop it in the background after the command has returned.
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { intOption, type CommandSpec, type ConsoleDeps } from '../command.ts';
import type { ProfilerItem } from '../items.ts';
import { CommandFailure, STATUS } from '../model.ts';
import { dumpFile } from './support/dump-file.ts';

interface Active {
  session: Session;
  startedAt: number;
  durationSec?: number;
  timer?: ReturnType<typeof setTimeout>;
}

export function createProfilerCommand(): CommandSpec {
  let active: Active | undefined;
  let last: { file: string; url: string } | undefined;

  async function finish(a: Active, deps: ConsoleDeps): Promise<{ file: string; url: string }> {
    if (active === a) active = undefined;
    if (a.timer !== undefined) clearTimeout(a.timer);
    try {
      const { profile } = await a.session.post('Profiler.stop');
      await a.session.post('Profiler.disable');
      const out = await dumpFile(deps.dumpDir, 'profile', 'cpuprofile', Date.now());
      await writeFile(out.file, JSON.stringify(profile));
      last = out;
      return out;
    } finally {
      a.session.disconnect();
    }
  }

  return {
    kind: 'command',
    name: 'profiler',
    summary: 'CPU-profile the agent: start, stop (writes a .cpuprofile) or status',
    usage: 'profiler start|stop|status [-d <sec>]',
    optionHelp: ['-d, --duration <sec>  with start: stop by itself after this long'],
    examples: ['profiler start', 'profiler stop', 'profiler start -d 30'],
    options: { duration: { type: 'string', short: 'd' } },
    positionals: { min: 1, max: 1 },
    async run(ctx, { values, positionals }) {
      const action = positionals[0];
      const durationSec = intOption(values.duration, 'profiler: -d', { min: 1, max: 3600 });
      if (durationSec !== undefined && action !== 'start') {
        throw new CommandFailure(
          "profiler: -d goes with start; type 'profiler start -d <sec>'",
          STATUS.BAD_ARGS,
        );
      }
      if (action === 'start') {
        if (active !== undefined) {
          throw new CommandFailure(
            "profiler: already running; stop it with 'profiler stop'",
            STATUS.FAILED,
          );
        }
        const session = new Session();
        session.connect();
        try {
          await session.post('Profiler.enable');
          await session.post('Profiler.start');
        } catch (err) {
          session.disconnect();
          throw err;
        }
        const a: Active = { session, startedAt: Date.now() };
        active = a;
        if (durationSec !== undefined) {
          a.durationSec = durationSec;
          const { deps } = ctx;
          a.timer = setTimeout(() => {
            finish(a, deps).then(
              (out) => deps.logger.info({ file: out.file }, 'CPU profile written'),
              (err: unknown) => deps.logger.warn({ err }, 'could not write the CPU profile'),
            );
          }, durationSec * 1000);
          // A pending profile must not keep the agent alive at shutdown.
          a.timer.unref();
        }
        ctx.emit(item('start', a));
        return;
      }
      if (action === 'stop') {
        const a = active;
        if (a === undefined) {
          throw new CommandFailure(
            "profiler: not running; start it with 'profiler start'",
            STATUS.FAILED,
          );
        }
        const out = await finish(a, ctx.deps);
        ctx.emit({
          type: 'profiler',
          action: 'stop',
          running: false,
          outputFile: out.file,
          url: out.url,
        });
        return;
      }
      if (action === 'status') {
        ctx.emit(
          active === undefined
            ? {
                type: 'profiler',
                action: 'status',
                running: false,
                ...(last === undefined ? {} : { outputFile: last.file, url: last.url }),
              }
            : item('status', active),
        );
        return;
      }
      throw new CommandFailure(
        `profiler: unknown action '${action}'; type 'profiler start', 'profiler stop' or 'profiler status'`,
        STATUS.BAD_ARGS,
      );
    },
  };
}

function item(action: 'start' | 'status', a: Active): ProfilerItem {
  return {
    type: 'profiler',
    action,
    running: true,
    startedAt: a.startedAt,
    ...(a.durationSec === undefined ? {} : { durationSec: a.durationSec }),
  };
}
