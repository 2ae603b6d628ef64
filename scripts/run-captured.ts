// Runs a command with its stdout and stderr kept, for the scripts that run several commands at once
// and print each one's output whole when it ends (line by line they would interleave).
import { spawn, type SpawnOptions } from 'node:child_process';

export interface CapturedRun {
  /** The exit code: null when a signal ended it (an abort kills it), negative when it could not start. */
  code: number | null;
  /** stdout and stderr as they came, together. */
  output: Buffer;
  /** Why it could not start, or was aborted. */
  error?: Error;
}

export function runCaptured(
  command: string,
  args: string[],
  options: Omit<SpawnOptions, 'stdio'> = {},
): Promise<CapturedRun> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk));
    let error: Error | undefined;
    child.once('error', (err) => (error = err));
    // 'close' follows 'error' too, once the streams are done.
    child.once('close', (code) =>
      resolve({ code, output: Buffer.concat(chunks), ...(error ? { error } : {}) }),
    );
  });
}
