// The command tree (program.ts) is built by every bosun process, the agent's included (main.ts parses
// `serve` with it): what only `bosun completion` and `bosun service` run stays out of its module graph,
// ~0.2 MiB of the agent's heap and up to 0.5 MiB of its RSS (issue 23).
import assert from 'node:assert/strict';
import { moduleGraph } from '../../test/support/module-graph.ts';
import { it } from 'node:test';

it('building the command tree loads no completion code, HTTP client or service installer', () => {
  const { urls } = moduleGraph(
    new URL('./program.ts', import.meta.url),
    "m.createProgram('0.0.0', () => {});",
  );
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
