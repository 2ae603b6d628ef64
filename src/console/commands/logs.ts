// `logs <run> [-f]`: a run's stored output; -f keeps following it until the run ends.
import type { CommandSpec } from '../command.ts';
import { followRun } from './support/follow.ts';
import { createLogText } from './support/log-text.ts';
import { findRun, translate } from './support/runs.ts';

export const logsCommand: CommandSpec = {
  kind: 'command',
  name: 'logs',
  summary: "a run's output (-f follows it until the run ends)",
  usage: 'logs <run-id> [-f]',
  optionHelp: ['-f, --follow  keep showing new output until the run ends (interrupt to stop)'],
  examples: ['logs 42', 'logs 42 -f', 'logs 42 | grep -i error'],
  options: { follow: { type: 'boolean', short: 'f' } },
  positionals: { min: 1, max: 1 },
  async run(ctx, { values, positionals }) {
    const runId = positionals[0] ?? '';
    const { jobs } = ctx.deps;
    await findRun(jobs, 'logs', runId);
    if (values.follow === true) {
      await followRun(jobs, runId, ctx.signal, (i) => ctx.emit(i));
      return;
    }
    let log: Buffer;
    try {
      log = await jobs.readLog(runId);
    } catch (err) {
      throw translate(err, `logs: no run '${runId}'; list runs with 'runs'`);
    }
    const text = createLogText();
    for (const item of [...text.push(log), ...text.end()]) ctx.emit(item);
  },
};
