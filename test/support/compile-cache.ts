// Preloaded into each test file's process by scripts/test.ts: Node's compile cache, so that the ~150
// processes that import the same sources strip their types and compile them once, not each time
// (about half of a test process's start-up CPU). Only this process: nothing is set in the environment
// that the agents and CLIs the tests start would inherit.
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';

module.enableCompileCache(path.join(os.tmpdir(), 'bosun-test-compile-cache'));
