// `npm run check`, the first half of `npm test`: the type check and the three lint scripts of
// package.json, all at once (one after another they left a core idle for half of their time). Each
// one's output is printed whole when it ends; the exit code is 1 if any failed, and those are named.
import { spawn } from 'node:child_process';

const SCRIPTS = ['typecheck', 'lint:code', 'lint:deps', 'lint:format'];

const started = Date.now();
const results = await Promise.all(
  SCRIPTS.map(
    (script) =>
      new Promise<{ script: string; ok: boolean }>((resolve) => {
        const child = spawn('npm', ['run', '--silent', script], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const output: Buffer[] = [];
        child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
        const end = (ok: boolean, why = ''): void => {
          const seconds = ((Date.now() - started) / 1000).toFixed(1);
          process.stdout.write(
            `check: ${script} ${ok ? 'passed' : `failed${why}`} (${seconds} s)\n`,
          );
          process.stdout.write(Buffer.concat(output));
          resolve({ script, ok });
        };
        child.once('error', (err) => end(false, `: ${err.message}`));
        child.once('close', (code) => end(code === 0));
      }),
  ),
);
const failed = results.filter((r) => !r.ok).map((r) => r.script);
if (failed.length > 0) {
  const fix = failed.includes('lint:format') ? '; npm run format rewrites what Prettier named' : '';
  process.stdout.write(`check: ${failed.join(', ')} failed${fix}\n`);
  process.exitCode = 1;
}
