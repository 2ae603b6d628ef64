// End-to-end test of the dashboard: the real agent serving web/dist, Debian's Chromium driven by
// playwright-core. Checks live updates over /ws, the process filter and sort, dark mode and the
// token cookie flow, and leaves screenshots in test-results/ for a human to look at.
import assert from 'node:assert/strict';

import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  errorsOf,
  launchBrowser,
  newContext,
  openPage,
  RESULTS,
  skipBrowser,
  text,
} from './support/browser.ts';
import { startAgent } from './support/agent.ts';
import { SUITE_TIMEOUT_MS } from './support/timeouts.ts';

const NO_MATCH = 'zz-no-such-process-zz';

interface RowInfo {
  pid: number;
  ppid: string;
  user: string;
  name: string;
  status: string;
  command: string;
}

describe('dashboard', { skip: skipBrowser, timeout: SUITE_TIMEOUT_MS }, () => {
  let browser: Browser;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  test('shows live data, filters and sorts processes', async () => {
    const agent = await startAgent();
    const context = await newContext(browser, { viewport: { width: 1440, height: 900 } });
    try {
      const page = await openPage(context, /401/);
      await page.goto(`${agent.url}/`);
      await waitLive(page);

      // Live: the snapshot counter advances with each tick (the CPU figure may legitimately repeat).
      const firstSeq = await nextSeq(page, '');
      await nextSeq(page, firstSeq);
      assert.match(await text(page, '#cpu-total'), /^\d+(\.\d)?%$/);
      const score = Number(await text(page, '#health-score'));
      assert.ok(score >= 0 && score <= 100, `health score ${score}`);
      assert.notEqual(await text(page, '#hostname'), '–');
      for (const id of ['chart-cpu', 'chart-mem', 'chart-net', 'chart-disk']) {
        assert.equal(await page.locator(`#${id} canvas`).count(), 1, `#${id} has a chart`);
      }
      assert.ok((await page.locator('#fs-table tbody tr').count()) > 0, 'filesystem rows');
      assert.ok((await page.locator('#net-table tbody tr').count()) > 0, 'interface rows');
      assert.ok((await page.locator('#process-table tbody tr').count()) > 0, 'process rows');
      assert.match(await text(page, '#process-count'), /^[\d,]+ of [\d,]+ processes/);

      // Filter by the agent's own pid: only rows matching it remain, across live updates too.
      const snapshot = (await (await fetch(`${agent.url}/api/v1/snapshot`)).json()) as {
        system: { agent: { pid: number } };
      };
      const pid = String(snapshot.system.agent.pid);
      await page.fill('#process-filter', pid);
      const matchesPid = (rows: RowInfo[]): boolean =>
        rows.length > 0 &&
        rows.some((r) => String(r.pid) === pid) &&
        rows.every((r) => rowMatches(r, pid));
      await waitRows(page, matchesPid, `only rows matching ${pid}`);
      const count = await text(page, '#process-count');
      const shown = (await rows(page)).length;
      assert.match(count, new RegExp(`^${shown} of [\\d,]+ processes`));
      await nextSeq(page, await text(page, '#seq'));
      await waitRows(page, matchesPid, 'the filter still applies after an update');

      // Case-insensitive over commands, as the API's filter: the agent's data dir, in capitals, is
      // only on the agent's own command line. (A broad needle such as "node" also matches commands
      // longer than the title keeps, so the rows could not be checked.)
      const dirName = path.basename(agent.dataDir);
      await page.fill('#process-filter', dirName.toUpperCase());
      await waitRows(
        page,
        (r) => r.length === 1 && String(r[0]?.pid) === pid && rowMatches(r[0] as RowInfo, dirName),
        'the agent, found by its data dir',
      );

      // A filter that matches nothing: an empty table and a message saying so.
      await page.fill('#process-filter', NO_MATCH);
      await page.waitForSelector('#process-empty:not([hidden])');
      assert.equal(await page.locator('#process-table tbody tr').count(), 0);
      assert.match(await text(page, '#process-empty'), /No process matches/);
      assert.match(await text(page, '#process-count'), /^0 of [\d,]+ processes/);

      // Sorting: the selector and the column headers.
      await page.fill('#process-filter', '');
      await page.selectOption('#process-sort', 'pid');
      await waitRows(page, (r) => r.length > 1 && isSorted(r.map((x) => x.pid)), 'ascending pids');
      await page.click('#process-table th[data-sort="name"] button');
      assert.equal(await page.inputValue('#process-sort'), 'name');
      await waitRows(
        page,
        (r) =>
          r.length > 1 &&
          r.every((x, i) => i === 0 || !(folded(x.name) < folded((r[i - 1] as RowInfo).name))),
        'names in order',
      );
      assert.equal(
        await page.getAttribute('#process-table th[data-sort="name"]', 'aria-sort'),
        'ascending',
      );
      await page.selectOption('#process-sort', 'cpu');
      assert.equal(
        await page.getAttribute('#process-table th[data-sort="cpu"]', 'aria-sort'),
        'descending',
      );

      // Scrolled back up, or the sticky header lands mid-page in a full-page capture.
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: path.join(RESULTS, 'dashboard.png'), fullPage: true });
      assert.deepEqual(errorsOf(page), [], 'no script errors');
    } finally {
      await context.close();
      await agent.stop();
    }
  });

  test('follows the dark colour scheme and remembers an explicit theme', async () => {
    const agent = await startAgent();
    const context = await newContext(browser, {
      viewport: { width: 1440, height: 900 },
      colorScheme: 'dark',
    });
    try {
      const page = await openPage(context, /401/);
      await page.goto(`${agent.url}/`);
      await waitLive(page);
      await nextSeq(page, '');
      assert.ok(await isDark(page), 'auto follows prefers-color-scheme: dark');
      await page.screenshot({ path: path.join(RESULTS, 'dashboard-dark.png'), fullPage: true });

      // auto → dark → light; the choice survives a reload.
      await page.click('#theme-toggle');
      await page.click('#theme-toggle');
      assert.equal(await page.getAttribute('html', 'data-theme'), 'light');
      assert.equal(await isDark(page), false);
      await page.reload();
      await waitLive(page);
      assert.equal(await page.getAttribute('html', 'data-theme'), 'light');
      assert.equal(await isDark(page), false);
      assert.deepEqual(errorsOf(page), [], 'no script errors');
    } finally {
      await context.close();
      await agent.stop();
    }
  });

  test('in token mode, asks for the token, then works from the cookie', async () => {
    const agent = await startAgent({ args: ['--token', 'secret123'] });
    const context = await newContext(browser, { viewport: { width: 1280, height: 800 } });
    try {
      const page = await openPage(context, /401/);
      const denied = await page.goto(`${agent.url}/`);
      assert.equal(denied?.status(), 401);
      assert.match(await page.locator('body').innerText(), /needs a token/i);

      await page.goto(`${agent.url}/?token=secret123`);
      // The agent trades the token for a cookie and redirects to the clean URL.
      assert.equal(new URL(page.url()).search, '');
      const cookies = await context.cookies(agent.url);
      assert.ok(
        cookies.length > 0 && cookies.every((c) => c.httpOnly),
        'an HttpOnly session cookie',
      );
      await waitLive(page);
      const seq = await nextSeq(page, '');
      await nextSeq(page, seq);
      assert.ok((await page.locator('#process-table tbody tr').count()) > 0, 'process rows');
      assert.equal(await page.isVisible('#auth-required'), false);
      assert.deepEqual(errorsOf(page), [], 'no script errors');
    } finally {
      await context.close();
      await agent.stop();
    }
  });
});

async function waitLive(page: Page): Promise<void> {
  await page.waitForSelector('#status[data-state="live"]', { timeout: 20_000 });
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
}

/** Waits until #seq shows a number other than `previous`; returns it. */
async function nextSeq(page: Page, previous: string): Promise<string> {
  const handle = await page.waitForFunction(
    (prev) => {
      const seq = document.getElementById('seq')?.textContent?.trim() ?? '';
      return /^\d+$/.test(seq) && seq !== prev ? seq : false;
    },
    previous,
    { timeout: 15_000 },
  );
  return (await handle.jsonValue()) as string;
}

async function rows(page: Page): Promise<RowInfo[]> {
  return page.$$eval('#process-table tbody tr', (trs) =>
    trs.map((tr) => {
      const cells = tr.querySelectorAll('td');
      const cell = (i: number): string => cells[i]?.textContent ?? '';
      return {
        pid: Number((tr as HTMLElement).dataset.pid),
        ppid: (tr as HTMLElement).dataset.ppid ?? '',
        user: cell(1),
        name: cell(2),
        status: cell(6),
        // The cell may be shortened; the title holds the whole command line.
        command: cells[8]?.getAttribute('title') ?? '',
      };
    }),
  );
}

/** Polls the table until `ok` holds (the table re-renders on input and on each tick). */
async function waitRows(page: Page, ok: (rows: RowInfo[]) => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  let last: RowInfo[] = [];
  while (Date.now() < deadline) {
    last = await rows(page);
    if (ok(last)) return;
    await page.waitForTimeout(100);
  }
  assert.fail(`process table never showed ${what}; last rows: ${JSON.stringify(last.slice(0, 5))}`);
}

function rowMatches(row: RowInfo, needle: string): boolean {
  const n = needle.toLowerCase();
  return [String(row.pid), row.ppid, row.name, row.command, row.user, row.status].some((field) =>
    field.toLowerCase().includes(n),
  );
}

/** Names as the process list orders them: case-insensitive, as vminfo sorts them. */
function folded(name: string): string {
  return name.trim().toLowerCase();
}

function isSorted(values: number[]): boolean {
  return values.every((v, i) => i === 0 || (values[i - 1] as number) <= v);
}

async function isDark(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const [r = 255, g = 255, b = 255] = (
      getComputedStyle(document.body).backgroundColor.match(/\d+/g) ?? []
    ).map(Number);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 80;
  });
}
