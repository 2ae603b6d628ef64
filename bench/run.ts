// `npm run bench [-- http|footprint|scheduling|console|pipeline|hostile] [flags]`: runs every benchmark, or the one named,
// each in its own Node process. With no name, each gets only the flags it knows (--warmup goes to
// every one that has it).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { OPTIONS as CONSOLE } from './console.ts';
import { OPTIONS as FOOTPRINT } from './footprint.ts';
import { OPTIONS as HOSTILE } from './hostile-input.ts';
import { OPTIONS as HTTP } from './http-throughput.ts';
import { OPTIONS as PIPELINE } from './pipeline.ts';
import { OPTIONS as SCHEDULING } from './scheduling.ts';

const BENCHES: Record<string, { file: string; options: ParseArgsOptionsConfig }> = {
  http: { file: 'http-throughput.ts', options: HTTP },
  footprint: { file: 'footprint.ts', options: FOOTPRINT },
  scheduling: { file: 'scheduling.ts', options: SCHEDULING },
  console: { file: 'console.ts', options: CONSOLE },
  pipeline: { file: 'pipeline.ts', options: PIPELINE },
  hostile: { file: 'hostile-input.ts', options: HOSTILE },
};

/** The flags of `argv` that `options` declares, in `--name=value` form. */
function flagsFor(argv: string[], options: ParseArgsOptionsConfig): string[] {
  const all = { ...HTTP, ...FOOTPRINT, ...SCHEDULING, ...CONSOLE, ...PIPELINE, ...HOSTILE };
  const { values } = parseArgs({ args: argv, options: all, strict: true });
  return Object.entries(values)
    .filter(([name]) => name in options)
    .map(([name, value]) => (value === true ? `--${name}` : `--${name}=${String(value)}`));
}

function runBench(file: string, args: string[]): Promise<number> {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, file), ...args], {
    stdio: 'inherit',
  });
  // Ctrl-C reaches the child from the terminal too; forwarding covers `kill` of this process alone.
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    }),
  );
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first !== undefined && !first.startsWith('-')) {
    const bench = BENCHES[first];
    if (!bench) {
      throw new Error(`unknown benchmark "${first}": use ${Object.keys(BENCHES).join(' or ')}`);
    }
    return runBench(bench.file, rest);
  }
  let worst = 0;
  for (const bench of Object.values(BENCHES)) {
    worst = Math.max(worst, await runBench(bench.file, flagsFor(argv, bench.options)));
    process.stdout.write('\n');
  }
  return worst;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).message}\n`);
    process.exit(2);
  },
);
