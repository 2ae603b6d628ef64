import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';

describe('the agent module graph', () => {
  it('does not load undici, which only fetch and WebSocket need', () => {
    // In a fresh process: this one has loaded node:test and its reporters.
    const script = `await import(${JSON.stringify(new URL('./agent.ts', import.meta.url).href)});
      console.log(JSON.stringify(process.moduleLoadList));`;
    const loaded = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
    ) as string[];
    // ~3 MiB of the idle agent's RSS; an ES import of node:http would load it (see app.ts).
    assert.deepEqual(
      loaded.filter((name) => /undici/.test(name)),
      [],
    );
  });
});
