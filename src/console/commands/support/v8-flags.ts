// V8's flags with their types and defaults, read once from `node --v8-options` (V8 has no API that
// lists them in-process), and the values given to this process on its command line or in NODE_OPTIONS.
import { execFile } from 'node:child_process';

export interface V8Flag {
  /** Dashed, as V8 prints it: `trace-gc`. */
  readonly name: string;
  /** bool, int, uint, size_t, float, string … */
  readonly type: string;
  /** The default as a value: `false`, `984`, `0`. */
  readonly defaultValue: string;
}

/** The flag's canonical name: dashes, no leading `--`, no `no-` for a negated boolean. */
export function flagName(name: string): string {
  return name.replace(/^-+/, '').replace(/_/g, '-');
}

/** Parses `node --v8-options`: a `  --name (description)` line, then `  type: T  default: D`. */
export function parseV8Options(text: string): V8Flag[] {
  const flags: V8Flag[] = [];
  let name: string | undefined;
  for (const line of text.split('\n')) {
    const head = /^ {2}--([a-z0-9][a-z0-9_-]*) \(/.exec(line);
    if (head !== null) {
      name = flagName(head[1] as string);
      continue;
    }
    const meta = /^\s+type: (\S+)\s+default: (.*)$/.exec(line);
    if (meta !== null && name !== undefined) {
      const type = meta[1] as string;
      const raw = (meta[2] as string).trim();
      const defaultValue =
        type === 'bool'
          ? String(!raw.startsWith('--no-'))
          : raw.includes('=')
            ? raw.slice(raw.indexOf('=') + 1)
            : '';
      flags.push({ name, type, defaultValue });
      name = undefined;
    }
  }
  return flags;
}

/** Runs `<node> --v8-options` (about 0.1 s, once) and parses it. */
export function readV8Flags(execPath: string): Promise<V8Flag[]> {
  return new Promise((resolve, reject) => {
    execFile(
      execPath,
      ['--v8-options'],
      { maxBuffer: 8 * 1024 * 1024, timeout: 15_000, env: {} },
      (err, stdout) => (err ? reject(err) : resolve(parseV8Options(stdout))),
    );
  });
}

/**
 * The flags set on a command line: `--flag`, `--no-flag`, `--flag=value` (V8 also takes
 * `--flag value`, which only the flag's type can tell apart; those are read as `--flag=value` when
 * `types` says the flag is not a boolean).
 */
export function flagsIn(
  args: readonly string[],
  types: ReadonlyMap<string, string>,
): Map<string, string> {
  const set = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    let name = flagName(eq === -1 ? arg : arg.slice(0, eq));
    if (eq !== -1) {
      if (types.has(name)) set.set(name, arg.slice(eq + 1));
      continue;
    }
    let value = 'true';
    if (!types.has(name) && name.startsWith('no-') && types.get(name.slice(3)) === 'bool') {
      name = name.slice(3);
      value = 'false';
    }
    const type = types.get(name);
    if (type === undefined) continue;
    if (type !== 'bool') {
      const next = args[i + 1];
      if (next === undefined || next.startsWith('--')) continue;
      value = next;
      i += 1;
    }
    set.set(name, value);
  }
  return set;
}
