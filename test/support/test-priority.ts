// Preloaded into each test file's process by scripts/test.ts: with BOSUN_TEST_NICE set, the process
// takes that nice value, every thread it has so far, so that everything it starts (agents, their
// PostgreSQL, CLIs, pipeline engines) inherits it. The runner gives it to the fault suites, which
// assert failover deadlines: they run beside the other files with a higher CPU priority, so that the
// kernel serves them first and the others' load does not stretch their deadlines, and the machine is
// not left idle as it was when they ran alone after everything else.
import { readdirSync } from 'node:fs';
import os from 'node:os';

const nice = Number(process.env.BOSUN_TEST_NICE);
if (process.env.BOSUN_TEST_NICE && Number.isInteger(nice)) {
  // Linux's setpriority() sets one thread: the main one (the pid) and, through /proc, the helpers that
  // V8 and libuv started before this ran. Threads and processes started later inherit it.
  let tids: number[] = [process.pid];
  try {
    tids = readdirSync('/proc/self/task').map(Number);
  } catch {
    // no /proc: the main thread alone, and what it starts
  }
  for (const tid of tids) {
    try {
      os.setPriority(tid, nice);
    } catch {
      // a thread that has ended meanwhile; the runner checked that the priority may be raised
    }
  }
}
