// `sysprop [name [value]]`: the agent's runtime properties, as Arthas shows a JVM's system
// properties: Node.js's versions, release, features and build configuration, the process and the OS.
// Only `process.title` can change at run time; setting anything else is refused with Arthas's message.
import os from 'node:os';
import type { CommandSpec } from '../command.ts';
import type { SyspropItem } from '../items.ts';
import { CommandFailure, STATUS } from '../model.ts';

/** The properties a running Node.js process can change, with how. */
const WRITABLE: Readonly<Record<string, (value: string) => void>> = {
  'process.title': (value) => {
    process.title = value;
  },
};

export const syspropCommand: CommandSpec = {
  kind: 'command',
  name: 'sysprop',
  summary:
    "the agent's runtime properties (Node.js versions, build, process, OS); set process.title",
  usage: 'sysprop [<name> [<value>]]',
  examples: ['sysprop', 'sysprop node.version', 'sysprop process.title bosun-1'],
  positionals: { min: 0, max: 2 },
  async run(ctx, { positionals }) {
    const [name, value] = positionals;
    if (name === undefined) {
      const item: SyspropItem = { type: 'sysprop', props: readProps() };
      ctx.emit(item);
      return;
    }
    if (value === undefined) {
      const props = readProps();
      if (!Object.hasOwn(props, name)) {
        throw new CommandFailure(`There is no property with the key ${name}`, STATUS.EXCEPTION);
      }
      ctx.emit({ type: 'sysprop', props: { [name]: props[name] } });
      return;
    }
    const set = WRITABLE[name];
    if (set === undefined) {
      throw new CommandFailure(
        `Error during setting system property: ${name} is read-only in a running Node.js process; writable: ${Object.keys(WRITABLE).join(', ')}`,
        STATUS.FAILED,
      );
    }
    set(value);
    ctx.emit({ type: 'message', message: 'Successfully changed the system property.' });
    ctx.emit({ type: 'sysprop', props: { [name]: readProps()[name] } });
  },
};

/** Every property as a string, sorted by name. */
export function readProps(): Record<string, string> {
  const props: Record<string, string> = {};
  const put = (key: string, value: unknown): void => {
    if (value === undefined || value === null) return;
    props[key] = typeof value === 'string' ? value : JSON.stringify(value);
  };
  put('node.version', process.version);
  for (const [k, v] of Object.entries(process.versions)) put(`node.versions.${k}`, v);
  for (const [k, v] of Object.entries(process.release)) put(`node.release.${k}`, v);
  for (const [k, v] of Object.entries(process.features)) put(`node.features.${k}`, v);
  const variables = (process.config as { variables?: Record<string, unknown> }).variables ?? {};
  for (const [k, v] of Object.entries(variables)) put(`node.config.${k}`, v);
  put('process.title', process.title);
  put('process.pid', process.pid);
  put('process.ppid', process.ppid);
  put('process.arch', process.arch);
  put('process.platform', process.platform);
  put('process.execPath', process.execPath);
  put('process.execArgv', process.execArgv);
  put('process.cwd', process.cwd());
  put('os.hostname', os.hostname());
  put('os.type', os.type());
  put('os.release', os.release());
  put('os.version', os.version());
  put('os.machine', os.machine());
  put('os.endianness', os.endianness());
  put('os.tmpdir', os.tmpdir());
  put('os.homedir', os.homedir());
  put('os.eol', os.EOL);
  try {
    put('user.name', os.userInfo().username);
  } catch {
    // no passwd entry for this uid (some containers): leave it out
  }
  return Object.fromEntries(Object.entries(props).sort(([a], [b]) => (a < b ? -1 : 1)));
}
