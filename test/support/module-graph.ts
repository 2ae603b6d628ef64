// What a fresh Node process loads for one entry module: tests of the agent's and the CLI's memory
// assert on it (the test's own process has loaded node:test and its reporters, so it cannot tell).
import { execFileSync } from 'node:child_process';

export interface ModuleGraph {
  /** Node's built-in modules loaded (process.moduleLoadList). */
  builtins: string[];
  /** Every module URL resolved. */
  urls: string[];
}

/** Imports `entry` as `m`, runs `then` (code that may use `m`), and lists what was loaded. */
export function moduleGraph(entry: URL, then = ''): ModuleGraph {
  const script = `const urls = [];
    (await import('node:module')).registerHooks({
      resolve(specifier, context, next) {
        const resolved = next(specifier, context);
        urls.push(resolved.url);
        return resolved;
      },
    });
    const m = await import(${JSON.stringify(entry.href)});
    ${then}
    console.log(JSON.stringify({ builtins: process.moduleLoadList, urls }));`;
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
  ) as ModuleGraph;
}
