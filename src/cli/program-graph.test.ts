// The command tree (program.ts) is built by every bosun process, the agent's included (main.ts parses
// `serve` with it): what only `bosun completion` and `bosun service` run stays out of its module graph,
// ~0.2 MiB of the agent's heap and up to 0.5 MiB of its RSS (issue 23).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { it } from 'node:test';

it('building the command tree loads no completion code, HTTP client or service installer', () => {
  // In a fresh process: this one has loaded node:test and its reporters.
  const script = `const urls = [];
    (await import('node:module')).registerHooks({
      resolve(specifier, context, next) {
        const resolved = next(specifier, context);
        urls.push(resolved.url);
        return resolved;
      },
    });
    const { createProgram } = await import(${JSON.stringify(new URL('./program.ts', import.meta.url).href)});
    createProgram('0.0.0', () => {});
    console.log(JSON.stringify(urls));`;
  const urls = JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
  ) as string[];
  const src = new URL('../', import.meta.url).href;
  const cliOnly = ['cli/completion.ts', 'cli/client.ts', 'service/service-install.ts'].map(
    (file) => `${src}${file}`,
  );
  assert.deepEqual(
    urls.filter((url) => cliOnly.includes(url) || url.endsWith('/service/systemd-unit.ts')),
    [],
  );
  // The tree itself is complete: its `completion` and `service` commands are there.
  assert.ok(urls.includes(`${src}service/service-command.ts`));
  assert.ok(urls.includes(`${src}cli/shells.ts`));
});
