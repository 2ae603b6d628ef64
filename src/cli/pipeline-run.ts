// `bosun pipeline run FILE`: runs a pipeline config in this process, with no agent: the Console
// sink's rows on stdout, progress and the outcome on stderr, Ctrl-C cancels.
import { readFile } from 'node:fs/promises';
import { formatOfFile, parsePipelineText } from '../pipeline/config/pipeline-config.ts';
import { isConfigError } from '../pipeline/config-error.ts';
import { connectors } from '../pipeline/connectors/registry.ts';
import { execute } from '../pipeline/engine/executor.ts';
import { EXIT } from './exit-codes.ts';

export interface PipelineRunIo {
  env: Readonly<Record<string, string | undefined>>;
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
  onInterrupt(handler: () => void): () => void;
}

const PROGRESS_EVERY_MS = 1000;

export async function runPipelineFile(
  file: string,
  variableArgs: readonly string[],
  io: PipelineRunIo,
): Promise<number> {
  const say = (line: string) => io.stderr.write(`bosun: ${line}\n`);
  const variables: Record<string, string | undefined> = { ...io.env };
  for (const arg of variableArgs) {
    const eq = arg.indexOf('=');
    if (eq <= 0) {
      say(`-i ${arg}: write it as name=value`);
      return EXIT.USAGE;
    }
    variables[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    say(`cannot read ${file}: ${(err as Error).message}`);
    return EXIT.NOT_FOUND;
  }
  let config;
  try {
    config = parsePipelineText(text, formatOfFile(file), connectors, variables);
  } catch (err) {
    if (!isConfigError(err)) throw err;
    say(`${file}: ${err.message}`);
    return EXIT.INVALID;
  }

  const run = execute({
    config,
    jobId: String(Date.now()),
    registry: connectors,
    log: (line) => io.stdout.write(`${line}\n`),
  });
  let interrupted = false;
  const release = io.onInterrupt(() => {
    interrupted = true;
    run.stop(false);
  });
  // A live progress line on a terminal; nothing in between when stderr is a file.
  const progress = io.stderr.isTTY
    ? setInterval(() => {
        const m = run.metrics();
        io.stderr.write(
          `\r\x1b[2Kread ${m.SourceReceivedCount} rows, wrote ${m.SinkWriteCount} (${Math.round(m.SinkWriteQPS)} rows/s)`,
        );
      }, PROGRESS_EVERY_MS)
    : undefined;
  const result = await run.done;
  clearInterval(progress);
  release();
  if (io.stderr.isTTY) io.stderr.write('\r\x1b[2K');
  const m = result.metrics;
  const summary = `read ${m.SourceReceivedCount} rows, wrote ${m.SinkWriteCount} in ${m.elapsedSeconds.toFixed(1)} s`;
  if (result.status === 'FAILED') {
    say(`${config.env.name} failed: ${result.error ?? 'unknown error'} (${summary})`);
    return 1;
  }
  say(`${config.env.name} ${result.status} (${summary})`);
  return interrupted ? 130 : 0;
}
