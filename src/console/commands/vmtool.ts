// `vmtool --action forceGc`: a full garbage collection of the agent, as Arthas forces a JVM's. V8
// exposes `gc()` only under --expose-gc: the flag is set just long enough to take `gc` from a fresh
// context, then cleared, so no other code of the agent sees a `gc` global. getInstances, which needs a
// class to look for, finds none, as Arthas answers for a class it cannot find.
import v8 from 'node:v8';
import vm from 'node:vm';
import type { CommandSpec } from '../command.ts';
import { CommandFailure, STATUS } from '../model.ts';
const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MiB`;

let collect: (() => void) | undefined;

/** V8's full, synchronous garbage collection. */
export function forceGc(): void {
  if (collect === undefined) {
    const existing = (globalThis as { gc?: () => void }).gc;
    if (typeof existing === 'function') collect = existing;
    else {
      v8.setFlagsFromString('--expose-gc');
      try {
        collect = vm.runInNewContext('gc') as () => void;
      } finally {
        v8.setFlagsFromString('--no-expose-gc');
      }
    }
  }
  collect();
}

export const vmtoolCommand: CommandSpec = {
  kind: 'command',
  name: 'vmtool',
  summary: 'force a full garbage collection of the agent (--action forceGc)',
  usage: 'vmtool --action forceGc',
  examples: ['vmtool --action forceGc'],
  options: {
    action: { type: 'string', short: 'a' },
    className: { type: 'string' },
    expand: { type: 'string', short: 'x' },
    classloader: { type: 'string', short: 'c' },
    classLoaderClass: { type: 'string' },
    limit: { type: 'string', short: 'l' },
    express: { type: 'string' },
  },
  async run(ctx, { values }) {
    const action = values.action;
    if (action === 'forceGc') {
      const before = process.memoryUsage().heapUsed;
      forceGc();
      const after = process.memoryUsage().heapUsed;
      ctx.emit({
        type: 'message',
        message: `full GC done: heap used ${mib(before)} -> ${mib(after)}`,
      });
      return;
    }
    if (action === 'getInstances') {
      const className = values.className;
      if (typeof className !== 'string' || className === '') {
        throw new CommandFailure('The className option cannot be empty!', STATUS.FAILED);
      }
      throw new CommandFailure(`Can not find class by class name: ${className}.`, STATUS.FAILED);
    }
    throw new CommandFailure(
      action === undefined
        ? "vmtool: --action is required; type 'vmtool --action forceGc'"
        : `vmtool error: action ${String(action)} has no Node.js counterpart here; type 'vmtool --action forceGc'`,
      action === undefined ? STATUS.BAD_ARGS : STATUS.EXCEPTION,
    );
  },
};
