// Preloaded into each test file's process by scripts/test.ts: Node's compile cache, so that the ~170
// processes that import the same sources strip their types and compile them once, not each time
// (about half of a test process's start-up CPU). The environment names the same cache for the
// processes the tests start: agents and CLIs have one of their own anyway (main.ts), but an agent's
// runs inherit only a caller's cache, and every pipeline run is a Node process (the engine) that would
// otherwise strip and compile its modules again, dozens of times per run of the suite. The tests that
// check what a run inherits from the agent's own tuning start their agents with an environment of
// their own (test/launch.test.ts).
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';

const dir = path.join(os.tmpdir(), 'bosun-test-compile-cache');
module.enableCompileCache(dir);
if (!process.env.NODE_COMPILE_CACHE && !process.env.NODE_DISABLE_COMPILE_CACHE) {
  process.env.NODE_COMPILE_CACHE = dir;
}
