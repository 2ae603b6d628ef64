// `npm test`'s checks before the tests, all at once (one after another they left a core idle for half
// of their time): the type check, ESLint, the dependency rules and Prettier's check. Each one's output
// is printed whole when it ends; the exit code is 1 if any failed, and the failed ones are named.
// `npm run typecheck` and `npm run lint` run the same commands one at a time.
import { spawn } from 'node:child_process';
import path from 'node:path';

const BIN = path.join(import.meta.dirname, '..', 'node_modules', '.bin');
const bin = (name: string): string => path.join(BIN, name);
// The tools' `#!/usr/bin/env node` must find the project's Node 24 (the `node` dependency), as under npm.
const env = { ...process.env, PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ''}` };

const CHECKS: Array<{ name: string; command: string; args: string[] }> = [
  { name: 'tsc', command: bin('tsc'), args: ['--noEmit'] },
  { name: 'eslint', command: bin('eslint'), args: ['.'] },
  {
    name: 'depcruise',
    command: bin('depcruise'),
    args: ['src', '--config', '.dependency-cruiser.mjs', '--output-type', 'err'],
  },
  { name: 'prettier', command: bin('prettier'), args: ['--check', '.', '--log-level', 'warn'] },
];

const started = Date.now();
const results = await Promise.all(
  CHECKS.map(
    ({ name, command, args }) =>
      new Promise<{ name: string; ok: boolean }>((resolve) => {
        const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
        const output: Buffer[] = [];
        child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
        const end = (ok: boolean, why = ''): void => {
          const seconds = ((Date.now() - started) / 1000).toFixed(1);
          process.stdout.write(`check: ${name} ${ok ? 'passed' : `failed${why}`} (${seconds} s)\n`);
          process.stdout.write(Buffer.concat(output));
          resolve({ name, ok });
        };
        child.once('error', (err) => end(false, `: ${err.message}; run npm ci`));
        child.once('close', (code) => end(code === 0));
      }),
  ),
);
const failed = results.filter((r) => !r.ok).map((r) => r.name);
if (failed.length > 0) {
  process.stdout.write(`check: ${failed.join(', ')} failed\n`);
  process.exitCode = 1;
}
