// `bosun exec` and `bosun console`: the agent's console (POST /api) from a terminal. Both run over a
// session so output streams as it is produced; Ctrl-C interrupts the running command.
import { createInterface } from 'node:readline';
import type { ResultItem } from '../console/model.ts';
import { renderItem } from '../console/render.ts';
import { ClientError, type ApiClient } from './client.ts';

type Reply = {
  state: string;
  message?: string;
  sessionId?: string;
  consumerId?: string;
  body?: { jobId?: number; results?: ResultItem[] };
};

export interface ConsoleIo {
  stdin: NodeJS.ReadableStream;
  stdout: { write(chunk: string): unknown; isTTY?: boolean };
  stderr: { write(chunk: string): unknown };
  /** Registers what Ctrl-C does while the command runs; returns a function that unregisters it. */
  onInterrupt(handler: () => void): () => void;
}

/** The console answered FAILED or REFUSED. */
class ConsoleRefusal extends ClientError {
  readonly reply: Reply;

  constructor(reply: Reply) {
    super(reply.message ?? `the console answered ${reply.state}`);
    this.reply = reply;
  }
}

export function createConsoleApi(client: ApiClient) {
  const call = async (body: Record<string, unknown>): Promise<Reply> => {
    const reply = await client.request<Reply>('POST', '/api', body);
    if (reply.state === 'FAILED' || reply.state === 'REFUSED') throw new ConsoleRefusal(reply);
    return reply;
  };
  return {
    async open(join?: string): Promise<{ sessionId: string; consumerId: string }> {
      const reply = await call(
        join === undefined
          ? { action: 'init_session' }
          : { action: 'join_session', sessionId: join },
      );
      return { sessionId: reply.sessionId as string, consumerId: reply.consumerId as string };
    },
    async start(sessionId: string, command: string): Promise<number> {
      return (await call({ action: 'async_exec', sessionId, command })).body?.jobId as number;
    },
    async pull(sessionId: string, consumerId: string): Promise<ResultItem[]> {
      return (await call({ action: 'pull_results', sessionId, consumerId })).body?.results ?? [];
    },
    interrupt: (sessionId: string) => call({ action: 'interrupt_job', sessionId }).catch(() => {}),
    close: (sessionId: string) => call({ action: 'close_session', sessionId }).catch(() => {}),
  };
}

const print = (out: { write(chunk: string): unknown }, item: ResultItem) => {
  const text = renderItem(item);
  if (text !== '') out.write(text.endsWith('\n') ? text : `${text}\n`);
};

/** Runs one command, printing its results as they come; the exit code is 0 when it succeeded. */
export async function execCommand(
  client: ApiClient,
  command: string,
  io: ConsoleIo,
): Promise<number> {
  const api = createConsoleApi(client);
  const { sessionId, consumerId } = await api.open();
  const release = io.onInterrupt(() => void api.interrupt(sessionId));
  try {
    const jobId = await api.start(sessionId, command);
    for (;;) {
      for (const item of await api.pull(sessionId, consumerId)) {
        // The welcome belongs to the session, not the command; a drop notice concerns it too.
        if (item.jobId !== jobId && item.dropped === undefined) continue;
        if (item.type === 'status') {
          const code = Number(item.statusCode);
          if (code !== 0) io.stderr.write(`bosun: ${renderItem(item)}\n`);
          return code === 0 ? 0 : 1;
        }
        print(io.stdout, item);
      }
    }
  } finally {
    release();
    await api.close(sessionId);
  }
}

/**
 * The interactive console: a prompt, commands started in the session, everything the session
 * produces printed as it arrives (also what other consumers of a joined session run).
 */
export async function runConsole(
  client: ApiClient,
  opts: { join?: string },
  io: ConsoleIo,
): Promise<number> {
  const api = createConsoleApi(client);
  const { sessionId, consumerId } = await api.open(opts.join);
  const rl = createInterface({
    input: io.stdin,
    output: io.stdout as NodeJS.WritableStream,
    prompt: 'bosun> ',
    terminal: Boolean(io.stdout.isTTY),
    historySize: 1000,
  });
  let busy = false;
  let open = true;
  // Piped input ends (and closes readline) while its last commands still run.
  let reading = true;
  rl.on('close', () => (reading = false));
  const prompt = () => {
    if (reading) rl.prompt();
  };
  // The next line is read once the command before it has ended, as in a shell (and so piped input
  // runs one command after another).
  const ending = new Map<number, () => void>();
  const show = (item: ResultItem) => {
    if (item.type === 'status') ending.get(item.jobId)?.();
    if (item.type === 'input_status') {
      busy = item.inputStatus === 'ALLOW_INTERRUPT';
      if (item.inputStatus === 'ALLOW_INPUT') prompt();
      return;
    }
    print(io.stdout, item);
  };

  const pulling = (async () => {
    while (open) {
      try {
        for (const item of await api.pull(sessionId, consumerId)) show(item);
      } catch (err) {
        if (!open) return;
        io.stderr.write(`bosun: ${(err as Error).message}\n`);
        open = false;
        for (const resolve of ending.values()) resolve();
        rl.close();
      }
    }
  })();

  const release = io.onInterrupt(() => {
    if (busy) void api.interrupt(sessionId);
    else io.stdout.write("\n(type 'exit' or press Ctrl-D to leave)\n");
  });
  rl.on('SIGINT', () => {
    if (busy) void api.interrupt(sessionId);
    else {
      rl.write(null, { ctrl: true, name: 'u' });
      io.stdout.write("\n(type 'exit' or press Ctrl-D to leave)\n");
      prompt();
    }
  });

  for await (const line of rl) {
    const command = line.trim();
    if (command === '') {
      if (!busy) prompt();
      continue;
    }
    if (command === 'exit' || command === 'quit') break;
    try {
      const jobId = await api.start(sessionId, command);
      if (!/&\s*$/.test(command)) {
        await new Promise<void>((resolve) => ending.set(jobId, resolve));
        ending.delete(jobId);
      }
    } catch (err) {
      // A command that failed to start (unknown) is in the session's stream too: shown once, there.
      if (!(err instanceof ConsoleRefusal && err.reply.state === 'FAILED')) {
        io.stderr.write(`bosun: ${(err as Error).message}\n`);
      }
      if (!busy) prompt();
    }
  }
  open = false;
  release();
  rl.close();
  // A joined session belongs to whoever opened it; our own goes with us.
  if (opts.join === undefined) await api.close(sessionId);
  await pulling;
  return 0;
}
