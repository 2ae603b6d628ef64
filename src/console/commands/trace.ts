// `trace` and `stack` on a class pattern: Arthas's method-level tracing, which needs Java classes to
// instrument; bosun's agent has none, so both answer as Arthas does when no class matches.
import type { CommandSpec } from '../command.ts';
import { ENHANCER_OPTIONS, noClassAffected } from './support/no-classes.ts';

const HINT = "To follow a bosun run, type 'watch run <run-id>' or 'logs <run-id> -f'.";

export const traceCommand: CommandSpec = {
  kind: 'command',
  name: 'trace',
  summary: "trace a method's calls (Arthas's): no Java classes here, so nothing matches",
  usage:
    'trace [-n <count>] [--skipJDKMethod <bool>] <class-pattern> <method-pattern> [<condition>]',
  options: {
    ...ENHANCER_OPTIONS,
    classloader: { type: 'string', short: 'c' },
    path: { type: 'string', short: 'p', multiple: true },
    skipJDKMethod: { type: 'string' },
  },
  positionals: { min: 2, max: 3 },
  async run(ctx) {
    noClassAffected(ctx, HINT);
  },
};

export const stackCommand: CommandSpec = {
  kind: 'command',
  name: 'stack',
  summary: "the call path to a method (Arthas's): no Java classes here, so nothing matches",
  usage: 'stack [-n <count>] <class-pattern> [<method-pattern>] [<condition>]',
  options: { ...ENHANCER_OPTIONS, classloader: { type: 'string', short: 'c' } },
  positionals: { min: 1, max: 3 },
  async run(ctx) {
    noClassAffected(ctx, HINT);
  },
};
