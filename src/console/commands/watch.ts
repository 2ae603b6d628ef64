// `watch run <id> [-n count]`: a run's state changes and output as they happen, until the run ends,
// `-n` items have been shown, or an interrupt (Arthas's watch, pointed at a job run). Arthas's own
// form, `watch <class-pattern> <method-pattern> …`, matches no class in a Node.js agent and is
// answered as Arthas answers then.
import { intOption, MAX_COUNT, type CommandSpec } from '../command.ts';
import { FINAL_STATES } from '../../model/runs.ts';
import { CommandFailure, STATUS, type ItemBody } from '../model.ts';
import { followRun } from './support/follow.ts';
import { ENHANCER_OPTIONS, noClassAffected } from './support/no-classes.ts';
import { findRun, jobNameOf, toRunInfo } from './support/runs.ts';
import { waitUnless } from './support/wait.ts';

/** How often the run's state is read while its output streams. */
const POLL_MS = 500;

export const watchCommand: CommandSpec = {
  kind: 'command',
  name: 'watch',
  summary: "stream a run's state changes and output until it ends",
  usage: 'watch run <run-id> [-n <count>]',
  optionHelp: ['-n, --number <count>  stop after this many items (state changes and output)'],
  examples: ['watch run 42', 'watch run 42 -n 10'],
  options: {
    // Arthas's, so its clients' `watch <class> <method> …` lines parse (and match nothing).
    ...ENHANCER_OPTIONS,
    classloader: { type: 'string', short: 'c' },
    before: { type: 'boolean', short: 'b' },
    finish: { type: 'boolean', short: 'f' },
    exception: { type: 'boolean', short: 'e' },
    success: { type: 'boolean', short: 's' },
    sizeLimit: { type: 'string', short: 'M' },
    expand: { type: 'string', short: 'x' },
    limits: { type: 'string' },
    number: { type: 'string', short: 'n' },
  },
  positionals: { min: 2, max: 4 },
  async run(ctx, { values, positionals }) {
    const [what, runId = ''] = positionals;
    if (what !== 'run') {
      noClassAffected(ctx, "To watch a bosun run, type 'watch run <run-id>'.");
    }
    if (positionals.length > 2) {
      throw new CommandFailure(
        `watch: unexpected argument '${positionals[2]}'. Usage: watch run <run-id> [-n <count>]`,
        STATUS.BAD_ARGS,
      );
    }
    const limit = intOption(values.number, 'watch: -n', { min: 1, max: MAX_COUNT });
    const { jobs } = ctx.deps;
    let run = await findRun(jobs, 'watch', runId);
    const name = await jobNameOf(jobs, run);

    // Aborted by the job's signal, or by this command once -n items are out.
    const local = new AbortController();
    const stop = (): void => local.abort();
    ctx.signal.addEventListener('abort', stop, { once: true });
    if (ctx.signal.aborted) stop();
    let shown = 0;
    const emit = <T extends ItemBody>(item: T): void => {
      if (local.signal.aborted) return;
      ctx.emit(item);
      shown += 1;
      if (limit !== undefined && shown >= limit) stop();
    };
    let failure: unknown;
    const output = followRun(jobs, runId, local.signal, emit).catch((err: unknown) => {
      failure = err;
      stop();
    });
    try {
      // A finished run shows its output first, then how it ended.
      if (!FINAL_STATES.has(run.state)) {
        emit({ type: 'run', event: 'state', run: toRunInfo(run, name) });
      }
      while (!local.signal.aborted && !FINAL_STATES.has(run.state)) {
        if (!(await waitUnless(POLL_MS, local.signal))) break;
        const next = await jobs.getRun(runId);
        const changed = next.state !== run.state;
        run = next;
        if (changed && !FINAL_STATES.has(run.state)) {
          emit({ type: 'run', event: 'state', run: toRunInfo(run, name) });
        }
      }
      // The output ends by itself once the run is final: show all of it before the last state.
      await output;
      if (failure !== undefined) throw failure;
      if (FINAL_STATES.has(run.state)) {
        emit({ type: 'run', event: 'state', run: toRunInfo(run, name) });
      }
    } finally {
      stop();
      ctx.signal.removeEventListener('abort', stop);
      await output;
    }
  },
};
