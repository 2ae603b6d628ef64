// `jobs`: this session's unfinished console jobs (other than this one), foreground and background.
import type { CommandSpec } from '../command.ts';
import type { JobsItem } from '../items.ts';

export const jobsCommand: CommandSpec = {
  kind: 'command',
  name: 'jobs',
  summary: "this session's console jobs (see kill, fg, bg)",
  usage: 'jobs',
  async run(ctx) {
    const item: JobsItem = {
      type: 'jobs',
      jobs: ctx.session.jobs().filter((j) => j.id !== ctx.jobId),
    };
    ctx.emit(item);
  },
};
