// A process's environment file (/proc/<pid>/environ) as the console shows it: one NAME=value a line,
// the values of secret-looking names masked as `sysenv` masks them, so `cat` cannot print a run's
// DB_PASSWORD.
import { MASK, SECRET_NAME } from '../../../jobs/job-spec.ts';

/**
 * Whether a file's real path (symlinks resolved, so /proc/self is a pid) is a process's or a
 * thread's environ. Any mount point: containers often see the host's /proc as /host/proc.
 */
export function isEnvironFile(realPath: string): boolean {
  return /\/(\d+|self|thread-self)(\/task\/\d+)?\/environ$/.test(realPath);
}

/** NUL-separated NAME=value entries as lines, with secret values masked. */
export function maskEnviron(content: string): string {
  const entries = content.split('\0');
  if (entries.at(-1) === '') entries.pop();
  return entries
    .map((entry) => {
      const eq = entry.indexOf('=');
      return eq > 0 && SECRET_NAME.test(entry.slice(0, eq))
        ? `${entry.slice(0, eq)}=${MASK}`
        : entry;
    })
    .join('\n');
}
