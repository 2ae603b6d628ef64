// End-to-end test of the dashboard's console page: the real agent, Debian's Chromium driven by
// playwright-core, typing into the xterm.js terminal. Runs `version`, starts `dashboard -i 200`,
// interrupts it with Ctrl-C and sees the prompt return; a second tab joins the same session and sees
// the same output. Screenshots go to test-results/ for a human to look at.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  browserWithAgent,
  errorsOf,
  newContext,
  openPage,
  RESULTS,
  skipBrowser,
  terminalText,
  waitForTerminal,
} from './support/browser.ts';
import { SUITE_TIMEOUT_MS } from './support/timeouts.ts';

const TERMINAL = '[data-testid="console"]';
const screenText = (page: Page): Promise<string> => terminalText(page, TERMINAL);
const waitForScreen = (page: Page, pattern: RegExp, what: string): Promise<string> =>
  waitForTerminal(page, TERMINAL, pattern, what, 15_000);

describe('dashboard console page', { skip: skipBrowser, timeout: SUITE_TIMEOUT_MS }, () => {
  const t = browserWithAgent();

  test('runs commands, interrupts a streaming one and shares the session with a second tab', async () => {
    const context = await newContext(t.browser, { viewport: { width: 1280, height: 900 } });
    try {
      const page = await openPage(context);
      await page.goto(`${t.agent.url}/#/console`);
      await waitForScreen(page, /Welcome to bosun![\s\S]*bosun>$/, 'the welcome and a prompt');
      assert.equal(await page.getAttribute('[data-nav="console"]', 'aria-current'), 'page');

      await page.click('[data-testid="console"]');
      await page.keyboard.type('version');
      await page.keyboard.press('Enter');
      await waitForScreen(page, /bosun> version\n\d+\.\d+\.\d+\S*\nbosun>$/, 'the version');

      // An unknown command is said once (the reply and the stream both carry it).
      await page.keyboard.type('nope');
      await page.keyboard.press('Enter');
      await waitForScreen(
        page,
        /bosun> nope\nAsync exec command failed:nope: command not found\nbosun>$/,
        'the failure, once, and a prompt',
      );
      await page.waitForTimeout(300);
      await waitForScreen(
        page,
        /bosun> nope\n.*command not found\nbosun>$/,
        'no second copy of the failure',
      );

      await page.keyboard.type('dashboard -i 200');
      await page.keyboard.press('Enter');
      const running = await waitForScreen(
        page,
        /bosun dashboard[\s\S]*bosun dashboard[\s\S]*agent +pid \d+/,
        'two dashboard frames',
      );
      assert.doesNotMatch(running.split('\n').at(-1) ?? '', /bosun>$/, 'no prompt while it runs');

      // A second tab joins the session from the page's share link and replays what ran.
      const link = await page.getAttribute('[data-testid="console-share"]', 'href');
      assert.match(link ?? '', /^#\/console\/[0-9a-f-]{36}$/);
      const second = await openPage(context);
      await second.goto(`${t.agent.url}/${link}`);
      await waitForScreen(second, /bosun dashboard/, 'the shared session in the second tab');

      await page.screenshot({ path: path.join(RESULTS, 'console-running.png') });
      await page.keyboard.press('Control+C');
      const after = await waitForScreen(page, /bosun>$/, 'the prompt after Ctrl-C');
      const frames = (after.match(/bosun dashboard/g) ?? []).length;
      await page.waitForTimeout(600);
      assert.equal(
        ((await screenText(page)).match(/bosun dashboard/g) ?? []).length,
        frames,
        'no frame after the interrupt',
      );
      await waitForScreen(second, /bosun>$/, 'the prompt in the second tab');
      await page.screenshot({ path: path.join(RESULTS, 'console.png') });

      assert.deepEqual(errorsOf(page), []);
      assert.deepEqual(errorsOf(second), []);
    } finally {
      await context.close();
    }
  });

  test('pulses and blinks only for a browser that has not asked for reduced motion', async () => {
    for (const [reducedMotion, moves] of [
      ['no-preference', true],
      ['reduce', false],
    ] as const) {
      const context = await newContext(t.browser, { reducedMotion });
      try {
        const page = await openPage(context);
        await page.goto(`${t.agent.url}/#/console`);
        await waitForScreen(page, /bosun>$/, 'a prompt');
        await page.click(TERMINAL);
        const animation = (selector: string, pseudo?: string) =>
          page.$eval(selector, (el, p) => getComputedStyle(el, p).animationName, pseudo);
        await page.waitForSelector('#status[data-state="live"]');
        assert.equal(
          await animation('#status', '::before'),
          moves ? 'pulse' : 'none',
          reducedMotion,
        );
        const cursor = await animation(`${TERMINAL} .xterm-cursor`);
        assert.equal(
          cursor !== 'none',
          moves,
          `${reducedMotion}: the cursor's animation ${cursor}`,
        );
      } finally {
        await context.close();
      }
    }
  });
});
