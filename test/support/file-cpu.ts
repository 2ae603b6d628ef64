// Preloaded into each test file's process by scripts/test.ts, beside the compile cache: when the
// process exits it appends the CPU time it used, its own and that of the children it reaped (agents,
// CLIs, pipeline engines, browsers), to the file that BOSUN_TEST_CPU_LOG names. With more files running
// than there are cores, the suite's wall time follows the CPU that all files spend more than any one
// file's duration, so the runner's summary names the files that spend it.
import { appendFileSync } from 'node:fs';
import { readPidStat } from '../../src/proc/pid-stat.ts';

/** USER_HZ: Linux reports process times to user space in hundredths of a second. */
const TICK_MS = 10;

const log = process.env.BOSUN_TEST_CPU_LOG;
// A process that runs many files (scripts/test.ts's shared processes) is logged under its label.
const file = process.env.BOSUN_TEST_CPU_AS ?? process.argv[1];
if (log !== undefined && log !== '' && file !== undefined) {
  process.once('exit', () => {
    const stat = readPidStat('self');
    if (stat === undefined) return; // not Linux: the summary shows durations only
    const ms = (stat.cpuTicks + stat.reapedCpuTicks) * TICK_MS;
    appendFileSync(log, `${JSON.stringify({ file, ms })}\n`);
  });
}
