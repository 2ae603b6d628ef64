// A terminal session (src/console/tty/tty-session.ts) over the real console core and commands, with
// no socket: keystrokes in, the text a terminal receives out. Banner, prompt, a command's output,
// type-ahead while a command runs, Ctrl-C, a background job, --read-only, Ctrl-D and a session
// that ends from elsewhere.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createConsole, type Console } from '../src/console/console-service.ts';
import { createTtySession, type TtySessionOptions } from '../src/console/tty/tty-session.ts';
import { createTestDeps, type TestDeps } from './support/console-commands.ts';
import { SUITE_TIMEOUT_MS } from './support/timeouts.ts';

let test: TestDeps;
let core: Console;
before(async () => {
  test = await createTestDeps({ monitor: true });
  core = createConsole({
    deps: test.deps,
    settings: {
      consumerCapacity: 1000,
      batchSize: 50,
      batchWindowMs: 20,
      emptyWaitMs: 300,
      consumerTtlMs: 60_000,
      sessionTtlMs: 600_000,
      execTimeoutMs: 30_000,
      jobTimeoutMs: 60_000,
    },
    registry: async () =>
      (await import('../src/console/commands/index.ts')).createCommandRegistry(),
  });
});
after(async () => {
  await core?.close();
  await test?.close();
});

/** Escape sequences out: what is left is the text, in the order it was written. */
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, ''); // eslint-disable-line no-control-regex

function terminal(options: Partial<TtySessionOptions> = {}) {
  let out = '';
  let ended = false;
  const tty = createTtySession({
    console: core,
    write: (text) => (out += text),
    end: () => (ended = true),
    ...options,
  });
  tty.start();
  return {
    tty,
    raw: () => out,
    text: () => plain(out),
    ended: () => ended,
    async waitFor(pattern: RegExp, what: string): Promise<string> {
      const deadline = Date.now() + 15_000;
      while (!pattern.test(plain(out))) {
        if (Date.now() > deadline) {
          assert.fail(`${what}: never saw ${pattern} in ${JSON.stringify(plain(out))}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return plain(out);
    },
  };
}

const PROMPT = String.raw`\[bosun@\d+\]\$ `;
const endsWithPrompt = new RegExp(`${PROMPT}$`);

describe('a terminal session', { timeout: SUITE_TIMEOUT_MS }, () => {
  it('shows the banner and a prompt, runs a line and prompts again', async () => {
    const t = terminal();
    await t.waitFor(new RegExp(`Welcome to bosun!\\n[\\s\\S]*${PROMPT}$`), 'banner and prompt');
    t.tty.input('echo hello world\r');
    await t.waitFor(
      new RegExp(`${PROMPT}echo hello world\\nhello world\\n${PROMPT}$`),
      'the output',
    );
    assert.match(t.raw(), /hello world\r\n/, 'lines end in CR LF');
    t.tty.close();
  });

  it('quiet: no banner', async () => {
    const t = terminal({ quiet: true });
    await t.waitFor(endsWithPrompt, 'the prompt');
    assert.doesNotMatch(t.text(), /Welcome/);
    t.tty.close();
  });

  it('keeps keys typed while a command runs for the next prompt, and Ctrl-C interrupts it', async () => {
    const t = terminal({ quiet: true });
    await t.waitFor(endsWithPrompt, 'the prompt');
    t.tty.input('dashboard -i 100\r');
    await t.waitFor(/bosun dashboard[\s\S]*bosun dashboard/, 'two frames');
    t.tty.input('echo typed ahead');
    assert.doesNotMatch(t.text(), /typed ahead/, 'not echoed while the command runs');
    t.tty.input('\x03');
    const after = await t.waitFor(new RegExp(`\\^C\\n${PROMPT}$`), 'the prompt after Ctrl-C');
    assert.doesNotMatch(after, /typed ahead/, 'Ctrl-C drops what was typed ahead');
    t.tty.input('version\r');
    t.tty.input('echo next\r');
    await t.waitFor(
      new RegExp(`${PROMPT}echo next\\nnext\\n${PROMPT}$`),
      'a line typed ahead runs after the one before',
    );
    t.tty.close();
  });

  it('takes a paste of many lines in one read, running them one after the other', async () => {
    const t = terminal({ quiet: true });
    await t.waitFor(endsWithPrompt, 'the prompt');
    t.tty.input('\r'.repeat(30_000));
    t.tty.input('echo one\recho two\r\recho three\r');
    const screen = await t.waitFor(
      new RegExp(`${PROMPT}echo three\\nthree\\n${PROMPT}$`),
      'the last command',
    );
    assert.match(
      screen,
      /echo one\none\n[\s\S]*echo two\ntwo\n[\s\S]*echo three\nthree\n/,
      'in order',
    );
    t.tty.close();
  });

  it('runs a line ending in & in the background and prompts at once', async () => {
    const t = terminal({ quiet: true });
    await t.waitFor(endsWithPrompt, 'the prompt');
    t.tty.input('echo in the back &\r');
    await t.waitFor(/\[\d+\] echo in the back &\n/, 'the job number');
    await t.waitFor(/in the back\n/, 'its output, beside the prompt');
    await t.waitFor(endsWithPrompt, 'the prompt redrawn below it');
    t.tty.close();
  });

  it('says what is wrong with a line that does not parse', async () => {
    const t = terminal({ quiet: true });
    await t.waitFor(endsWithPrompt, 'the prompt');
    t.tty.input('echo a & b\r');
    await t.waitFor(
      new RegExp(`'&' must come last[^\\n]*\\n${PROMPT}$`),
      'the message and a prompt',
    );
    t.tty.input('nosuchcommand\r');
    await t.waitFor(
      new RegExp(`nosuchcommand\\n[^\\n]*nosuchcommand[^\\n]*\\n${PROMPT}$`),
      'unknown command',
    );
    t.tty.close();
  });

  it('refuses commands in --read-only', async () => {
    const t = terminal({ quiet: true, readOnly: true });
    await t.waitFor(endsWithPrompt, 'the prompt');
    t.tty.input('version\r');
    await t.waitFor(new RegExp(`read-only[^\\n]*\\n${PROMPT}$`), 'the refusal');
    t.tty.close();
  });

  it('Ctrl-D on an empty line ends the terminal and closes the session it made', async () => {
    const before = new Set(core.sessions().map((s) => s.sessionId));
    const t = terminal({ quiet: true });
    await t.waitFor(endsWithPrompt, 'the prompt');
    const made = core.sessions().find((s) => !before.has(s.sessionId));
    assert.ok(made);
    t.tty.input('abc\x04');
    assert.equal(t.ended(), false, 'not on a line with text');
    t.tty.input('\x15\x04');
    assert.equal(t.ended(), true);
    assert.ok(
      !core.sessions().some((s) => s.sessionId === made.sessionId),
      'its session is closed',
    );
  });

  it('ends when its session is closed from elsewhere, saying so', async () => {
    const { sessionId } = core.initSession();
    const t = terminal({ sessionId });
    await t.waitFor(endsWithPrompt, 'the prompt');
    core.closeSession(sessionId);
    await t.waitFor(/the console session ended: session not found/, 'the reason');
    assert.equal(t.ended(), true);
  });
});
