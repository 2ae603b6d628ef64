// The host's processes for `ps` (by pid) and `top` (busiest first), from the monitor's process list.
import { intOption, MAX_COUNT, type CommandSpec } from '../../command.ts';
import type { ProcessInfo, ProcessesItem } from '../../items.ts';
import { CommandFailure, STATUS } from '../../model.ts';

export function processesCommand(
  name: 'ps' | 'top',
  sort: 'pid' | 'cpu',
  defaultCount: number | undefined,
): CommandSpec {
  const what = sort === 'cpu' ? 'busiest first' : 'by pid';
  const dflt = defaultCount === undefined ? 'all' : `default ${defaultCount}`;
  return {
    kind: 'command',
    name,
    summary: `the host's processes, ${what}`,
    usage: `${name} [-n <count>]`,
    optionHelp: [`-n, --number <count>  show at most this many (${dflt})`],
    examples: [`${name} -n 10`, `${name} | grep node`],
    options: { number: { type: 'string', short: 'n' } },
    async run(ctx, { values }) {
      const limit =
        intOption(values.number, `${name}: -n`, { min: 1, max: MAX_COUNT }) ?? defaultCount;
      const sample = ctx.deps.monitor.latestWithProcesses();
      if (sample === undefined) {
        throw new CommandFailure(
          `${name}: the host monitor has no sample yet; try again in a few seconds`,
          STATUS.FAILED,
        );
      }
      const rows = [...sample.snapshot.processes.list].sort((a, b) =>
        sort === 'cpu' ? b.cpu_percent - a.cpu_percent || a.pid - b.pid : a.pid - b.pid,
      );
      const processes: ProcessInfo[] = rows.slice(0, limit).map((p) => ({
        pid: p.pid,
        ppid: p.ppid,
        user: p.user,
        cpuPercent: p.cpu_percent,
        memPercent: p.mem_percent,
        rss: p.rss,
        status: p.status,
        name: p.name,
        command: p.command,
      }));
      const item: ProcessesItem = {
        type: 'processes',
        sort,
        total: sample.snapshot.processes.total,
        processes,
      };
      ctx.emit(item);
    },
  };
}
