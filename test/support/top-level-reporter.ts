// A node:test reporter for the runner's shared unit-test processes (scripts/test.ts): one JSON line
// per top-level test, the file it is in, how long it took and whether it passed, from which the
// runner adds up each file's time for its summary of the slowest files.
import type { TestEvent } from 'node:test/reporters';

export interface TopLevelTest {
  file: string;
  name: string;
  ms: number;
  passed: boolean;
}

export default async function* topLevelReporter(
  source: AsyncIterable<TestEvent>,
): AsyncGenerator<string> {
  for await (const event of source) {
    if (event.type !== 'test:complete') continue;
    const { data } = event;
    if (data.nesting !== 0 || data.file === undefined) continue;
    const line: TopLevelTest = {
      file: data.file,
      name: data.name,
      ms: data.details.duration_ms,
      passed: data.details.passed,
    };
    yield `${JSON.stringify(line)}\n`;
  }
}
