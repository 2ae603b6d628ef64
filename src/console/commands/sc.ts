// `sc <class-pattern>` and `sm <class-pattern> [<method-pattern>]`: Arthas's class and method search.
// No Java class runs in bosun's agent, so every search finds nothing, successfully, as Arthas answers
// a pattern that matches nothing (its web console's class picker asks on every keystroke).
import type { CommandSpec } from '../command.ts';
import { noRows } from './support/no-classes.ts';

export const scCommand: CommandSpec = {
  kind: 'command',
  name: 'sc',
  summary: "search classes (Arthas's): none in a Node.js agent, so always an empty result",
  usage: 'sc [-d] [-f] [-E] [-x <n>] [-c <hash>] <class-pattern>',
  options: {
    details: { type: 'boolean', short: 'd' },
    field: { type: 'boolean', short: 'f' },
    regex: { type: 'boolean', short: 'E' },
    expand: { type: 'string', short: 'x' },
    classloader: { type: 'string', short: 'c' },
    classLoaderClass: { type: 'string' },
    classLoaderStr: { type: 'string' },
    limits: { type: 'string', short: 'n' },
  },
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    noRows(ctx);
  },
};

export const smCommand: CommandSpec = {
  kind: 'command',
  name: 'sm',
  summary: "search methods (Arthas's): none in a Node.js agent, so always an empty result",
  usage: 'sm [-d] [-E] [-c <hash>] <class-pattern> [<method-pattern>]',
  options: {
    details: { type: 'boolean', short: 'd' },
    regex: { type: 'boolean', short: 'E' },
    classloader: { type: 'string', short: 'c' },
    classLoaderClass: { type: 'string' },
    limits: { type: 'string', short: 'n' },
  },
  positionals: { min: 1, max: 2 },
  async run(ctx) {
    noRows(ctx);
  },
};
