// The bound on a whole describe block of end-to-end tests. Their tests take seconds each on an idle
// machine and many times that under load beside other test files; a bound the load can reach cancels
// the tests still running, and a cancelled test never reaches its `finally`: its agent lives on and
// holds the file's process, and with it the whole run, open. Each test is also bounded on its own by
// the runner's timeout (scripts/test.ts).
export const SUITE_TIMEOUT_MS = 10 * 60_000;
