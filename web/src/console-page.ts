// The console page: an xterm.js terminal over a console session (POST /api, the Arthas protocol).
// #/console opens a session; #/console/<id> joins one, so a second tab shows the same output. Lines
// are edited locally (xterm.js is only the screen); Enter starts the line with async_exec, Ctrl-C
// interrupts the running command, and a pull loop prints everything the session produces.
import { Terminal } from '@xterm/xterm';
import { renderItem } from '../../src/console/render.ts';
import type { ResultItem } from '../../src/console/model.ts';
import { AuthRequiredError, apiUrl } from './api.ts';
import { h, type ViewContext } from './view.ts';

const PROMPT = 'bosun> ';

type Reply = {
  state: string;
  message?: string;
  sessionId?: string;
  consumerId?: string;
  body?: { results?: ResultItem[] };
};

async function call(body: Record<string, unknown>): Promise<Reply> {
  const response = await fetch(apiUrl('api'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (response.status === 401) throw new AuthRequiredError();
  return (await response.json()) as Reply;
}

export function mountConsolePage(
  root: HTMLElement,
  ctx: ViewContext,
  joinId: string | undefined,
): () => void {
  const share = h('a', { class: 'muted', 'data-testid': 'console-share' });
  const screen = h('div', { class: 'console-screen', 'data-testid': 'console' });
  root.append(
    h(
      'div',
      { class: 'page-head' },
      h('h1', {}, 'Console'),
      h(
        'span',
        { class: 'muted' },
        "type 'help' for the commands · Ctrl-C interrupts · open the link in another tab to share ",
      ),
      share,
    ),
    screen,
  );
  const term = new Terminal({
    convertEol: true,
    cursorBlink: true,
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
    fontSize: 13,
    rows: 30,
    scrollback: 5000,
    theme: { background: '#0d1117', foreground: '#e6edf3' },
  });
  term.open(screen);
  term.focus();

  let sessionId: string | undefined;
  let consumerId: string | undefined;
  let open = true;
  // Until the session says ALLOW_INPUT.
  let busy = true;
  let line = '';
  const history: string[] = [];
  let historyAt = 0;

  const prompt = () => term.write(`\r\n${PROMPT}${line}`);
  const print = (text: string) => {
    // Output goes above the line being typed: clear it, print, redraw it.
    term.write(`\r\x1b[2K${text.replace(/\n?$/, '\n')}`);
    if (!busy) term.write(`${PROMPT}${line}`);
  };

  const show = (item: ResultItem) => {
    if (item.type === 'input_status') {
      const wasBusy = busy;
      busy = item.inputStatus === 'ALLOW_INTERRUPT' || item.inputStatus === 'DISABLED';
      if (wasBusy && !busy) term.write(`\r\x1b[2K${PROMPT}${line}`);
      return;
    }
    const text = renderItem(item);
    if (text !== '') print(text);
  };

  const fail = (err: unknown) => {
    if (err instanceof AuthRequiredError) ctx.onAuth();
    print(`bosun: ${(err as Error).message}`);
  };

  const pullLoop = async () => {
    while (open && sessionId && consumerId) {
      try {
        const reply = await call({ action: 'pull_results', sessionId, consumerId });
        if (reply.state !== 'SUCCEEDED') {
          print(`bosun: ${reply.message ?? reply.state}; reload the page for a new session`);
          return;
        }
        for (const item of reply.body?.results ?? []) show(item);
      } catch (err) {
        if (!open) return;
        fail(err);
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  };

  const submit = async (command: string) => {
    if (!sessionId) return;
    const reply = await call({ action: 'async_exec', sessionId, command }).catch((err: unknown) => {
      fail(err);
      return undefined;
    });
    // A foreground command hands the prompt to the session's input_status items from here on.
    if (reply?.state === 'SCHEDULED' && !/&\s*$/.test(command)) return;
    busy = false;
    // A FAILED start (an unknown command) reaches the stream as a command item too: print it once.
    if (reply && reply.state !== 'SCHEDULED' && reply.state !== 'FAILED') {
      print(reply.message ?? reply.state);
    } else term.write(`\r\x1b[2K${PROMPT}${line}`);
  };

  const onKey = term.onData((data) => {
    if (data === '\x03') {
      if (busy && sessionId) void call({ action: 'interrupt_job', sessionId }).catch(fail);
      else {
        term.write('^C');
        line = '';
        prompt();
      }
      return;
    }
    if (busy) return;
    if (data === '\r') {
      const command = line.trim();
      line = '';
      term.write('\r\n');
      if (command === '') {
        term.write(PROMPT);
        return;
      }
      history.push(command);
      historyAt = history.length;
      busy = true;
      void submit(command);
      return;
    }
    if (data === '\x7f') {
      if (line.length > 0) {
        line = line.slice(0, -1);
        term.write('\b \b');
      }
      return;
    }
    if (data === '\x1b[A' || data === '\x1b[B') {
      historyAt = Math.max(0, Math.min(history.length, historyAt + (data === '\x1b[A' ? -1 : 1)));
      line = history[historyAt] ?? '';
      term.write(`\r\x1b[2K${PROMPT}${line}`);
      return;
    }
    // Printable text, pasted or typed; other escape sequences are ignored.
    if (!data.startsWith('\x1b')) {
      // Control characters (a pasted newline or tab) would break the line being edited.
      const text = [...data].filter((c) => c >= ' ').join('');
      line += text;
      term.write(text);
    }
  });

  void (async () => {
    try {
      const reply = await call(
        joinId === undefined
          ? { action: 'init_session' }
          : { action: 'join_session', sessionId: joinId },
      );
      if (reply.state !== 'SUCCEEDED' || !reply.sessionId) {
        print(`bosun: ${reply.message ?? 'could not open a console session'}`);
        return;
      }
      sessionId = reply.sessionId;
      consumerId = reply.consumerId;
      share.textContent = `#/console/${sessionId}`;
      share.setAttribute('href', `#/console/${sessionId}`);
      share.setAttribute('target', '_blank');
      await pullLoop();
    } catch (err) {
      fail(err);
    }
  })();

  return () => {
    open = false;
    onKey.dispose();
    term.dispose();
    // A session this page opened goes with it; a joined one stays with its owner.
    if (sessionId && joinId === undefined) {
      void call({ action: 'close_session', sessionId }).catch(() => {});
    }
  };
}
