// Arthas's terminal protocol over the Arthas listener, in Chromium with xterm.js: a small page,
// bundled here by esbuild, connects to the listener's /ws as Arthas's web console does
// (web-ui/arthasWebConsole/all/share/component/Console.vue: a Terminal with convertEol, a resize
// frame on open, every onData as {"action":"read","data"}, every message written to the terminal)
// and is served same-origin by --arthas-ui, as a user's own built console would be. It types a
// command, walks the history, interrupts a long command with Ctrl-C and ends with Ctrl-D.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as esbuild from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { ROOT, startAgent, type RunningAgent } from './support/agent.ts';
import {
  errorsOf,
  launchBrowser,
  newContext,
  openPage,
  RESULTS,
  skipBrowser,
  waitForTerminal,
} from './support/browser.ts';
import { SUITE_TIMEOUT_MS } from './support/timeouts.ts';

/** The page's script: what Arthas's console does with the socket and the terminal, and no more. */
const CLIENT = `
import { Terminal } from '@xterm/xterm';
const term = new Terminal({ convertEol: true, scrollback: 1000, cols: 100, rows: 30 });
term.open(document.getElementById('terminal'));
const ws = new WebSocket('ws://' + location.host + '/ws');
window.closedWith = undefined;
ws.onopen = () => {
  term.onData((data) => ws.send(JSON.stringify({ action: 'read', data })));
  ws.onmessage = (event) => term.write(event.data);
  ws.send(JSON.stringify({ action: 'resize', cols: term.cols, rows: term.rows }));
  term.focus();
};
ws.onclose = (event) => { window.closedWith = event.code; };
`;

const TERMINAL = '#terminal';
const waitForScreen = (page: Page, pattern: RegExp, what: string): Promise<string> =>
  waitForTerminal(page, TERMINAL, pattern, what);

const PROMPT = String.raw`\[bosun@\d+\]\$`;

describe(
  'Arthas terminal over the Arthas listener',
  { skip: skipBrowser, timeout: SUITE_TIMEOUT_MS },
  () => {
    let ui: string;
    let agent: RunningAgent;
    let browser: Browser;
    let arthasUrl: string;

    before(async () => {
      ui = mkdtempSync(path.join(os.tmpdir(), 'bosun-arthas-tty-'));
      await esbuild.build({
        absWorkingDir: ROOT,
        stdin: { contents: CLIENT, resolveDir: ROOT, loader: 'js' },
        bundle: true,
        format: 'esm',
        outfile: path.join(ui, 'app.js'),
        logLevel: 'silent',
      });
      copyFileSync(
        path.join(ROOT, 'node_modules/@xterm/xterm/css/xterm.css'),
        path.join(ui, 'xterm.css'),
      );
      writeFileSync(
        path.join(ui, 'index.html'),
        '<!doctype html><meta charset="utf-8"><title>terminal</title>' +
          '<link rel="icon" href="data:,"><link rel="stylesheet" href="/xterm.css">' +
          '<div id="terminal" style="width:1000px;height:600px"></div>' +
          '<script type="module" src="/app.js"></script>',
      );
      browser = await launchBrowser();
      agent = await startAgent({ args: ['--arthas-port', '0', '--arthas-ui', ui] });
      const line =
        agent
          .stdout()
          .split('\n')
          .find((l) => l.includes('bosun listening')) ?? '{}';
      arthasUrl = (JSON.parse(line) as { arthasUrl: string }).arthasUrl;
      assert.ok(arthasUrl, 'the agent names the listener in its listening line');
    });
    after(async () => {
      await browser?.close();
      await agent?.stop();
      if (ui) rmSync(ui, { recursive: true, force: true });
    });

    test('types a command, walks the history, interrupts with Ctrl-C and ends with Ctrl-D', async () => {
      const context = await newContext(browser, { viewport: { width: 1100, height: 700 } });
      try {
        const page = await openPage(context);
        await page.goto(`${arthasUrl}/`);
        await waitForScreen(
          page,
          new RegExp(`Welcome to bosun![\\s\\S]*${PROMPT}$`),
          'the banner and the prompt',
        );
        await page.click('#terminal');

        // Typing, with an edit in the middle: echo and cursor keys.
        await page.keyboard.type('verion');
        for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
        await page.keyboard.type('s');
        await page.keyboard.press('End');
        await page.keyboard.press('Enter');
        await waitForScreen(
          page,
          new RegExp(`${PROMPT} version\\n\\d+\\.\\d+\\.\\d+\\S*\\n${PROMPT}$`),
          'the version and a new prompt',
        );

        // The history: up brings the last line back, Enter runs it again.
        await page.keyboard.type('echo typed');
        await page.keyboard.press('Enter');
        await waitForScreen(page, new RegExp(`echo typed\\ntyped\\n${PROMPT}$`), 'the echo');
        await page.keyboard.press('ArrowUp');
        await page.keyboard.press('ArrowUp');
        await waitForScreen(
          page,
          new RegExp(`${PROMPT} version$`),
          'the older line from the history',
        );
        await page.keyboard.press('ArrowDown');
        await waitForScreen(
          page,
          new RegExp(`${PROMPT} echo typed$`),
          'the newer line from the history',
        );
        await page.keyboard.press('Enter');
        await waitForScreen(
          page,
          new RegExp(`echo typed\\ntyped\\n${PROMPT} echo typed\\ntyped\\n${PROMPT}$`),
          'the line from the history, run again',
        );

        // A long command, interrupted.
        await page.keyboard.type('dashboard -i 200');
        await page.keyboard.press('Enter');
        const running = await waitForScreen(
          page,
          /bosun dashboard[\s\S]*bosun dashboard[\s\S]*agent +pid \d+/,
          'two dashboard frames',
        );
        assert.doesNotMatch(
          running.split('\n').at(-1) ?? '',
          new RegExp(`${PROMPT}$`),
          'no prompt while it runs',
        );
        await page.screenshot({ path: path.join(RESULTS, 'arthas-tty-running.png') });
        await page.keyboard.press('Control+C');
        await waitForScreen(page, new RegExp(`\\^C\\n${PROMPT}$`), 'the prompt after Ctrl-C');
        // A later command's output comes right after the prompt: no dashboard frame after the ^C.
        await page.keyboard.type('echo after');
        await page.keyboard.press('Enter');
        const done = await waitForScreen(
          page,
          new RegExp(`\\^C\\n${PROMPT} echo after\\nafter\\n${PROMPT}$`),
          'a command after Ctrl-C',
        );
        assert.doesNotMatch(
          done.slice(done.lastIndexOf('^C')),
          /bosun dashboard/,
          'no frame after the interrupt',
        );
        await page.screenshot({ path: path.join(RESULTS, 'arthas-tty.png') });

        // Ctrl-D on an empty line ends the session: the server closes the socket.
        await page.keyboard.press('Control+D');
        await page.waitForFunction(
          () => (window as unknown as { closedWith?: number }).closedWith !== undefined,
        );
        assert.equal(
          await page.evaluate(() => (window as unknown as { closedWith?: number }).closedWith),
          1000,
        );

        assert.deepEqual(errorsOf(page), []);
      } finally {
        await context.close();
      }
    });
  },
);
