// A process's environment and command line (/proc/<pid>/environ, /proc/<pid>/cmdline) as the console
// shows them: secret values masked as `sysenv` and the process listings mask them, so `cat` cannot
// print a run's DB_PASSWORD or the agent's own --token.
import { MASK, SECRET_NAME } from '../../../jobs/job-spec.ts';
import { maskArgs } from '../../../monitor/mask-args.ts';

/** The text a /proc file shows, masked when it is an environ or a cmdline. */
export function maskProcFile(realPath: string, content: string): string {
  const file = PROC_FILE.exec(realPath)?.[1];
  if (file === 'environ') return maskEnviron(content);
  if (file === 'cmdline') {
    const args = content.split('\0');
    if (args.at(-1) === '') args.pop();
    return maskArgs(args).join(' ');
  }
  return content;
}

/**
 * A process's or a thread's environ or cmdline, by its real path (symlinks resolved, so /proc/self
 * is a pid), under any mount point: containers often see the host's /proc as /host/proc.
 */
const PROC_FILE = /\/(?:\d+|self|thread-self)(?:\/task\/\d+)?\/(environ|cmdline)$/;

/** Whether a file's real path is a process's or a thread's environ. */
export function isEnvironFile(realPath: string): boolean {
  return PROC_FILE.exec(realPath)?.[1] === 'environ';
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
