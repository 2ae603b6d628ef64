// `vmoption [name [value]]`: V8's flags as Arthas shows a JVM's options, with where each value comes
// from (DEFAULT, VM_CREATION for node's command line, ENVIRON_VAR for NODE_OPTIONS, MANAGEMENT when set
// here). A few tracing flags act at run time and can be set (v8.setFlagsFromString); V8 gives no
// guarantee for the others once it runs, so they are read-only, as a JVM's non-manageable options.
import v8 from 'node:v8';
import type { CommandSpec, ConsoleDeps } from '../command.ts';
import type { VmOption, VmoptionItem } from '../items.ts';
import { CommandFailure, STATUS } from '../model.ts';
import { flagName, flagsIn, readV8Flags, type V8Flag } from './support/v8-flags.ts';

/** Boolean flags V8 reads on every use, so setting them on a running agent takes effect. */
export const WRITABLE_FLAGS: ReadonlySet<string> = new Set([
  'trace-gc',
  'trace-gc-verbose',
  'trace-gc-nvp',
  'trace-opt',
  'trace-deopt',
]);

export function createVmoptionCommand(): CommandSpec {
  let flags: Promise<V8Flag[]> | undefined;
  /** Set through this command: name → value. */
  const managed = new Map<string, string>();

  const options = async (deps: ConsoleDeps): Promise<VmOption[]> => {
    // A failed read is not kept: the next vmoption tries again.
    const all = await (flags ??= readV8Flags(process.execPath).catch((err: unknown) => {
      flags = undefined;
      throw err;
    }));
    const types = new Map(all.map((f) => [f.name, f.type]));
    const fromArgs = flagsIn(process.execArgv, types);
    const fromEnv = flagsIn((deps.env.NODE_OPTIONS ?? '').split(/\s+/), types);
    return all.map((f) => {
      const managedValue = managed.get(f.name);
      const [value, origin] =
        managedValue !== undefined
          ? [managedValue, 'MANAGEMENT']
          : fromArgs.has(f.name)
            ? [fromArgs.get(f.name) as string, 'VM_CREATION']
            : fromEnv.has(f.name)
              ? [fromEnv.get(f.name) as string, 'ENVIRON_VAR']
              : [f.defaultValue, 'DEFAULT'];
      return { name: f.name, value, origin, writeable: WRITABLE_FLAGS.has(f.name) };
    });
  };

  return {
    kind: 'command',
    name: 'vmoption',
    summary: "V8's flags with their values and origins; set a run-time tracing flag",
    usage: 'vmoption [<name> [<value>]]',
    examples: ['vmoption', 'vmoption max-old-space-size', 'vmoption trace-gc true'],
    positionals: { min: 0, max: 2 },
    async run(ctx, { positionals }) {
      const [rawName, value] = positionals;
      const all = await options(ctx.deps);
      if (rawName === undefined) {
        const item: VmoptionItem = { type: 'vmoption', vmOptions: all };
        ctx.emit(item);
        return;
      }
      const name = flagName(rawName);
      const option = all.find((o) => o.name === name);
      if (option === undefined) {
        throw new CommandFailure(
          `Error during setting vm option: VM option "${rawName}" does not exist`,
          STATUS.FAILED,
        );
      }
      if (value === undefined) {
        ctx.emit({ type: 'vmoption', vmOptions: [option] });
        return;
      }
      if (!option.writeable) {
        throw new CommandFailure(
          `Error during setting vm option: VM Option "${name}" is not writeable; writeable: ${[...WRITABLE_FLAGS].join(', ')}`,
          STATUS.FAILED,
        );
      }
      if (value !== 'true' && value !== 'false') {
        throw new CommandFailure(
          `Error during setting vm option: Invalid value: VM Option "${name}" expects "true" or "false"`,
          STATUS.FAILED,
        );
      }
      v8.setFlagsFromString(value === 'true' ? `--${name}` : `--no-${name}`);
      managed.set(name, value);
      ctx.emit({ type: 'message', message: 'Successfully updated the vm option.' });
      const item: VmoptionItem = {
        type: 'vmoption',
        changeResult: { name, beforeValue: option.value, afterValue: value },
      };
      ctx.emit(item);
    },
  };
}
