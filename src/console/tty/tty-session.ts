// One terminal over a console session: raw keystrokes in, ANSI text out, as Arthas's TTY is. The
// line editor (line-editor.ts) edits, Enter starts the line as the session's foreground job through
// the console core (the same sessions as POST /api, so a terminal can join a session made there and
// the other way round), its result items come back through a consumer and are written as text by
// the console's one renderer, Ctrl-C interrupts the job, Ctrl-D on an empty line ends the terminal.
// Transport-free: the Arthas listener's /ws (src/http/arthas-tty.ts) feeds it and writes for it.
import { isAgentError } from '../../errors.ts';
import { parseCommandLine } from '../command-line.ts';
import type { Console } from '../console-service.ts';
import type { ResultItem } from '../model.ts';
import { renderItem } from '../render.ts';
import { createKeyDecoder, type Key } from './keys.ts';
import { createLineEditor } from './line-editor.ts';

export interface TtySessionOptions {
  console: Console;
  /** Writes text to the terminal. */
  write(text: string): void;
  /** Closes the terminal (the socket); the transport then calls close(). */
  end(): void;
  /** Characters written and not yet sent: pulling waits while it is over a limit (backpressure). */
  backlog?(): number;
  /** Join this console session rather than make one; it outlives the terminal. */
  sessionId?: string;
  /** No welcome banner (Arthas's `?quiet=true`). */
  quiet?: boolean;
  /** Refuse every command, as --read-only refuses console execs on POST /api. */
  readOnly?: boolean;
  cols?: number;
}

export interface TtySession {
  /** Connects to the console core and shows the banner and the prompt. */
  start(): void;
  /** Raw keystrokes. */
  input(data: string): void;
  resize(cols: number, rows: number): void;
  /** The terminal is gone: interrupts its job and closes the session it made. */
  close(): void;
}

/** Keys typed while a command runs are kept for the next prompt, up to this many. */
const TYPE_AHEAD_LIMIT = 4096;
/** Output waiting to be sent past which the terminal stops pulling results, in characters. */
const BACKLOG_LIMIT = 1 << 20;
const BACKLOG_WAIT_MS = 50;

type State = 'starting' | 'editing' | 'running' | 'closed';

export function createTtySession(options: TtySessionOptions): TtySession {
  const core = options.console;
  const decoder = createKeyDecoder();
  const editor = createLineEditor({ prompt: `[bosun@${process.pid}]$ `, cols: options.cols });
  let state: State = 'starting';
  let sessionId = '';
  let consumerId = '';
  let ownSession = false;
  /** The foreground job started from this terminal, while it runs. */
  let job: number | undefined;
  let typeAhead: Key[] = [];
  /** Ctrl-C was pressed while the job ran. */
  let interrupted = false;

  const write = (text: string) => {
    if (text !== '' && state !== 'closed') options.write(text);
  };

  /** Text from the renderer, with the CR LF line ends a raw terminal needs. */
  const lines = (text: string): string => `${text.replace(/\r?\n/g, '\r\n')}\r\n`;

  /** A new prompt, then whatever was typed ahead. */
  const prompt = () => {
    newLine();
    pump();
  };

  const newLine = () => {
    state = 'editing';
    job = undefined;
    interrupted = false;
    write(editor.start());
  };

  /** Output that is not the running job's: above the prompt, which is drawn again below it. */
  const aside = (text: string) => {
    if (state === 'editing') write(editor.hide() + lines(text) + editor.show());
    else write(lines(text));
  };

  /**
   * Feeds the keys typed so far to the editor, line after line, while it is editing. A loop, not a
   * recursion: a pasted frame may hold thousands of lines.
   */
  const pump = () => {
    let next = 0;
    while (state === 'editing' && next < typeAhead.length) {
      const fed = editor.feed(typeAhead, next);
      write(fed.output);
      next = fed.next;
      if (fed.event === undefined) break;
      if (fed.event.type === 'eof') {
        typeAhead = [];
        return finish();
      }
      // A job in the foreground ends the loop; its end calls prompt() again.
      if (fed.event.type === 'interrupt' || !run(fed.event.line)) newLine();
    }
    typeAhead = next >= typeAhead.length ? [] : typeAhead.slice(next);
  };

  /** Starts a line's job; false when there is none to wait for (the prompt comes back at once). */
  const run = (line: string): boolean => {
    if (line.trim() === '') return false;
    if (options.readOnly === true) {
      write(lines('this agent is read-only (--read-only): console commands are refused'));
      return false;
    }
    try {
      const background = parseCommandLine(line).background;
      const started = core.asyncExec(sessionId, line);
      if (background) {
        write(lines(`[${started.jobId}] ${line}`));
        return false;
      }
      state = 'running';
      job = started.jobId;
      return true;
    } catch (err) {
      // A line that does not parse, another job in the foreground, the agent shutting down.
      write(lines((err as Error).message));
      return false;
    }
  };

  const show = (item: ResultItem) => {
    if (item.type === 'input_status') {
      // The first one ends the banner (or a joined session's replay): time for the prompt.
      if (state === 'starting' && item.inputStatus !== 'DISABLED') prompt();
      return;
    }
    if (state === 'starting' && options.quiet === true) return;
    const text = renderItem(item);
    if (state === 'running' && item.jobId === job) {
      if (item.type === 'status' && interrupted) write('^C\r\n');
      if (text !== '') write(lines(text));
      if (item.type === 'status') prompt();
      return;
    }
    if (text !== '') aside(text);
  };

  // A function, not `state` itself: TypeScript would keep its narrowing across the awaits.
  const closed = () => state === 'closed';

  const pullLoop = async () => {
    while (!closed()) {
      while ((options.backlog?.() ?? 0) > BACKLOG_LIMIT && !closed()) {
        await new Promise((resolve) => setTimeout(resolve, BACKLOG_WAIT_MS));
      }
      let items: ResultItem[];
      try {
        items = await core.pull(sessionId, consumerId);
      } catch (err) {
        // The session is gone: closed from elsewhere, expired, or the agent is stopping.
        const why = isAgentError(err) ? err.message : String(err);
        if (!closed()) {
          write(editor.hide() + lines(`the console session ended: ${why}`));
          finish();
        }
        return;
      }
      for (const item of items) show(item);
    }
  };

  const finish = () => {
    if (state === 'closed') return;
    options.end();
    close();
  };

  const close = () => {
    if (state === 'closed') return;
    const wasRunning = state === 'running' ? job : undefined;
    state = 'closed';
    if (sessionId === '') return;
    try {
      if (ownSession) core.closeSession(sessionId);
      else if (wasRunning !== undefined) core.interrupt(sessionId, wasRunning);
    } catch {
      // Already gone.
    }
  };

  return {
    start() {
      try {
        const joined =
          options.sessionId === undefined
            ? core.initSession()
            : core.joinSession(options.sessionId);
        ownSession = options.sessionId === undefined;
        ({ sessionId, consumerId } = joined);
      } catch (err) {
        write(lines(`cannot open a console session: ${(err as Error).message}`));
        finish();
        return;
      }
      void pullLoop();
    },

    input(data) {
      if (state === 'closed') return;
      const keys = decoder.decode(data);
      if (state === 'editing') {
        typeAhead = typeAhead.concat(keys);
        return pump();
      }
      // A command runs (or the banner is on its way): Ctrl-C interrupts it and drops what was
      // typed ahead, as a terminal's interrupt flushes its input; anything else waits its turn.
      if (keys.some((key) => 'name' in key && key.name === 'ctrl-c')) {
        typeAhead = [];
        if (state === 'running' && job !== undefined) {
          // ^C is shown with the job's end, below whatever output was already on its way.
          interrupted = true;
          try {
            core.interrupt(sessionId, job);
          } catch {
            // It ended meanwhile; its status item brings the prompt.
          }
        }
        return;
      }
      typeAhead = typeAhead.concat(keys.slice(0, Math.max(0, TYPE_AHEAD_LIMIT - typeAhead.length)));
    },

    resize(cols) {
      editor.resize(cols);
    },

    close,
  };
}
