// `npm run check`, the first half of `npm test`: the type check and the three lint scripts of
// package.json, all at once (one after another they left a core idle for half of their time). Each
// one's output is printed whole when it ends; the exit code is 1 if any failed, and those are named.
import { runCaptured } from './run-captured.ts';

const SCRIPTS = ['typecheck', 'lint:code', 'lint:deps', 'lint:format'];

const started = Date.now();
const results = await Promise.all(
  SCRIPTS.map(async (script) => {
    const { code, output, error } = await runCaptured('npm', ['run', '--silent', script]);
    const ok = code === 0;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const why = error === undefined ? '' : `: ${error.message}`;
    process.stdout.write(`check: ${script} ${ok ? 'passed' : `failed${why}`} (${seconds} s)\n`);
    process.stdout.write(output);
    return { script, ok };
  }),
);
const failed = results.filter((r) => !r.ok).map((r) => r.script);
if (failed.length > 0) {
  const fix = failed.includes('lint:format') ? '; npm run format rewrites what Prettier named' : '';
  process.stdout.write(`check: ${failed.join(', ')} failed${fix}\n`);
  process.exitCode = 1;
}
