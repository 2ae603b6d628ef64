// End-to-end test of the dashboard's jobs pages: the real agent (in this process, but for the
// read-only restart, a process), Debian's Chromium driven by playwright-core. Creates jobs through the API, starts and stops runs from the pages, watches a log
// arrive line by line, and leaves screenshots (light and dark) in test-results/ for a human to look at.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
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
import { startAgent, type RunningAgent } from './support/agent.ts';
import { startInProcessAgent } from './support/in-process-agent.ts';
import { SUITE_TIMEOUT_MS } from './support/timeouts.ts';

// The run prints its first line and holds the rest until the test has seen that line on the page
// (the gate file appears), so "the log streams while the run runs" holds however slow the machine is.
const GATE = path.join(mkdtempSync(path.join(os.tmpdir(), 'bosun-gate-')), 'open');
const LINES_CMD = `echo line 1; while [ ! -e ${GATE} ]; do sleep 0.05; done; echo line 2; echo line 3`;

describe('dashboard jobs pages', { skip: skipBrowser, timeout: SUITE_TIMEOUT_MS }, () => {
  let browser: Browser;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    rmSync(path.dirname(GATE), { recursive: true, force: true });
  });

  test('lists a job created through the API, runs it from its page and streams its log', async () => {
    const agent = await startInProcessAgent();
    const context = await newContext(browser, { viewport: { width: 1440, height: 900 } });
    try {
      const page = await openPage(context, /409/);
      await page.goto(`${agent.url}/#/jobs`);
      await page.waitForSelector('[data-testid="jobs-empty"]:not([hidden])');
      assert.match(await text(page, '[data-testid="jobs-empty"]'), /bosun jobs add -f job\.yaml/);
      assert.equal(await page.getAttribute('[data-nav="jobs"]', 'aria-current'), 'page');
      await page.screenshot({ path: path.join(RESULTS, 'jobs-empty.png'), fullPage: true });

      // Created while the page is open: the job event brings the row in without a reload.
      const job = await api<Job>(agent, 'POST', '/api/v1/jobs', {
        name: 'lines',
        cmd: LINES_CMD,
        schedules: [
          { kind: 'cron', expr: '30 2 * * *', tz: 'Europe/Berlin' },
          { kind: 'every', everySec: 3600 },
        ],
      });
      const row = page.locator(`#jobs-table tr[data-job-id="${job.id}"]`);
      await row.waitFor();
      const rowText = await row.innerText();
      for (const s of job.schedules) assert.ok(rowText.includes(s.description), s.description);
      assert.match(rowText, /every hour/);
      assert.match(rowText, /in \d+[smhd]/, 'next run, relative');
      assert.match(rowText, /never/, 'no run yet');
      assert.match(
        (await row.locator('td').nth(2).locator('span').getAttribute('title')) ?? '',
        /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d local/,
        'next run, exact, in the title',
      );

      // A row opens the job page.
      await row.locator('td.schedule').click();
      await page.waitForURL(`**/#/jobs/${job.id}`);
      await page.waitForSelector('.page[data-ready="true"]');
      assert.equal(await text(page, '[data-testid="job-name"]'), 'lines');
      assert.equal(await text(page, '[data-testid="job-cmd"]'), LINES_CMD);
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid="next-times"] li').length === 5,
      );
      assert.match(await text(page, '[data-testid="job-schedules"]'), /Europe\/Berlin/);

      // Run now lands on the run page; the log arrives line by line while the run runs.
      await page.click('[data-testid="run-now"]');
      await page.waitForURL(/#\/runs\/\d+$/);
      const runId = page.url().split('/').pop() as string;
      await page.waitForFunction(() =>
        document.querySelector('[data-testid="run-log"]')?.textContent?.includes('line 1'),
      );
      const early = await text(page, '[data-testid="run-log"]');
      assert.equal(early, 'line 1', 'the log streams before the run ends');
      assert.equal(await text(page, '[data-testid="run-state"]'), 'running');
      writeFileSync(GATE, '');
      await page.waitForFunction(
        () =>
          document.querySelector('[data-testid="run-log"]')?.textContent?.includes('line 3') &&
          document.querySelector('[data-testid="run-state"]')?.getAttribute('data-state') ===
            'succeeded',
        undefined,
        { timeout: 15_000 },
      );
      assert.equal(await text(page, '[data-testid="run-log"]'), 'line 1\nline 2\nline 3');
      assert.equal(await text(page, '[data-testid="run-state"]'), 'succeeded');
      assert.equal(await text(page, '[data-testid="run-exit"]'), 'exit 0');
      await page.waitForFunction(
        () => document.querySelector('[data-testid="log-state"]')?.textContent === 'complete',
      );
      assert.equal(await page.isVisible('[data-testid="stop-run"]'), false, 'no Stop once ended');
      await screenshots(page, 'run');

      // Back on the job page, the run is listed, newest first, linking to its page.
      await page.click('.crumbs a[href^="#/jobs/"]');
      await page.waitForSelector(`#runs-table tr[data-run-id="${runId}"][data-state="succeeded"]`);
      assert.equal(
        await page.getAttribute(`#runs-table tr[data-run-id="${runId}"] a`, 'href'),
        `#/runs/${runId}`,
      );
      await screenshots(page, 'job');

      // And the list shows the last result with its colour.
      await page.click('[data-testid="nav-jobs"]');
      const badge = page.locator(`#jobs-table tr[data-job-id="${job.id}"] .run-state`);
      await badge.waitFor();
      assert.equal(await badge.getAttribute('data-state'), 'succeeded');
      assert.equal(await badge.getAttribute('data-tone'), 'ok');
      await screenshots(page, 'jobs-list');

      // The host view is still the default and still there.
      await page.click('[data-testid="nav-host"]');
      await page.waitForSelector('#host-view:not([hidden])');
      assert.equal(await page.isVisible('#jobs-view'), false);
      assert.deepEqual(errorsOf(page), [], 'no script errors');
    } finally {
      await context.close();
      await agent.stop();
    }
  });

  test('stops a running run from its page and shows a refused start', async () => {
    const agent = await startInProcessAgent();
    const context = await newContext(browser, { viewport: { width: 1280, height: 800 } });
    try {
      const job = await api<Job>(agent, 'POST', '/api/v1/jobs', {
        name: 'sleeper',
        cmd: 'sleep 30',
      });
      const page = await openPage(context, /409/);
      await page.goto(`${agent.url}/#/jobs/${job.id}`);
      await page.waitForSelector('.page[data-ready="true"]');
      assert.match(await text(page, '.schedules'), /runs only when started by hand/);
      await page.click('[data-testid="run-now"]');
      await page.waitForURL(/#\/runs\/\d+$/);
      const runUrl = page.url();
      await page.waitForSelector('[data-testid="run-state"][data-state="running"]');

      // A second start is refused by the overlap policy: the page shows the agent's message.
      await page.goBack();
      await page.waitForSelector('.page[data-ready="true"]');
      await page.click('[data-testid="run-now"]');
      await page.waitForSelector('[data-testid="job-error"]:not([hidden])');
      assert.match(await text(page, '[data-testid="job-error"]'), /overlap policy is forbid/);
      assert.ok(page.url().includes(`#/jobs/${job.id}`), 'stays on the job page');

      await page.goto(runUrl);
      await page.waitForSelector('[data-testid="stop-run"]:visible');
      await page.screenshot({ path: path.join(RESULTS, 'run-running.png'), fullPage: true });
      await page.click('[data-testid="stop-run"]');
      await page.waitForSelector('[data-testid="run-state"][data-state="canceled"]', {
        timeout: 15_000,
      });
      assert.equal(await page.isVisible('[data-testid="stop-run"]'), false);
      assert.equal(await page.getAttribute('[data-testid="run-state"]', 'data-tone'), 'warn');
      assert.ok((await text(page, '[data-testid="run-failure"]')).length > 0, 'says why');
      await page.screenshot({ path: path.join(RESULTS, 'run-canceled.png'), fullPage: true });
      assert.deepEqual(errorsOf(page), [], 'no script errors');
    } finally {
      await context.close();
      await agent.stop();
    }
  });

  test('hides the start and stop buttons of a read-only agent', async (t) => {
    // Jobs cannot be created on a read-only agent: create one, then restart read-only.
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bosun-test-'));
    const writable = await startAgent({ dataDir });
    let agent: RunningAgent | undefined;
    const context = await newContext(browser, { viewport: { width: 1280, height: 800 } });
    try {
      const job = await api<Job>(writable, 'POST', '/api/v1/jobs', { name: 'ro', cmd: 'true' });
      const run = await api<Run>(writable, 'POST', `/api/v1/jobs/${job.id}/run`);
      await waitRunEnded(writable, run.id);
      await writable.stop();
      agent = await startAgent({ dataDir, args: ['--read-only'] });

      const page = await openPage(context, /409/);
      await page.goto(`${agent.url}/#/jobs/${job.id}`);
      await page.waitForSelector('.page[data-ready="true"]');
      const answer = await fetch(`${agent.url}/api/v1/jobs`);
      if (answer.headers.get('x-bosun-read-only') === 'true') {
        assert.equal(await page.isVisible('[data-testid="run-now"]'), false);
      } else {
        // An agent without the header: the first refused request teaches the page.
        t.diagnostic('the agent does not send x-bosun-read-only; learning from 403 READ_ONLY');
        await page.click('[data-testid="run-now"]');
        await page.waitForSelector('[data-testid="job-error"]:not([hidden])');
        assert.match(await text(page, '[data-testid="job-error"]'), /read-only/);
        await page.waitForSelector('[data-testid="run-now"]', { state: 'hidden' });
      }
      assert.equal(await page.isVisible('.read-only-note'), true);
      await page.goto(`${agent.url}/#/runs/${run.id}`);
      await page.waitForSelector('.page[data-ready="true"]');
      assert.equal(await page.isVisible('[data-testid="stop-run"]'), false);
      assert.deepEqual(
        errorsOf(page).filter((e) => !/403/.test(e)),
        [],
        'no script errors',
      );
    } finally {
      await context.close();
      await agent?.stop();
      await writable.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('lists jobs a page at a time in name order, filtered by a name prefix', async () => {
    const agent = await startInProcessAgent();
    const context = await newContext(browser, { viewport: { width: 1280, height: 800 } });
    try {
      // 101 jobs: a page of 100 and one more behind "More jobs".
      for (let i = 0; i < 100; i++) {
        await api<Job>(agent, 'POST', '/api/v1/jobs', {
          name: `bulk-${String(i).padStart(3, '0')}`,
          cmd: 'true',
        });
      }
      await api<Job>(agent, 'POST', '/api/v1/jobs', { name: 'zz-last', cmd: 'true' });
      const page = await openPage(context);
      await page.goto(`${agent.url}/#/jobs`);
      await page.waitForSelector('[data-testid="jobs-more"]:not([hidden])');
      const rows = page.locator('#jobs-table tbody tr');
      assert.equal(await rows.count(), 100);
      assert.equal(await text(page, '[data-testid="jobs-count"]'), '100 jobs of 101');
      assert.equal(await page.isVisible('text=zz-last'), false);
      await page.click('[data-testid="jobs-more"]');
      await page.waitForSelector('#jobs-table .job-name:text("zz-last")');
      assert.equal(await rows.count(), 101);
      assert.equal(await page.isVisible('[data-testid="jobs-more"]'), false);

      await page.fill('[data-testid="jobs-filter"]', 'bulk-09');
      await page.waitForFunction(
        () => document.querySelectorAll('#jobs-table tbody tr').length === 10,
      );
      assert.deepEqual(
        await page.locator('#jobs-table .job-name').allTextContents(),
        Array.from({ length: 10 }, (_, i) => `bulk-09${i}`),
      );
      assert.equal(await text(page, '[data-testid="jobs-count"]'), '10 jobs of 101');
      await page.fill('[data-testid="jobs-filter"]', 'nothing-');
      await page.waitForSelector('[data-testid="jobs-no-match"]:not([hidden])');
      assert.match(await text(page, '[data-testid="jobs-no-match"]'), /No job name starts with/);
      assert.equal(await page.isVisible('[data-testid="jobs-empty"]'), false);
      await screenshots(page, 'jobs-filter');
      assert.deepEqual(errorsOf(page), [], 'no script errors');
    } finally {
      await context.close();
      await agent.stop();
    }
  });

  test('in token mode, works from the session cookie', async () => {
    const agent = await startInProcessAgent({ token: 'secret123' });
    const context = await newContext(browser, { viewport: { width: 1280, height: 800 } });
    try {
      const page = await openPage(context, /409/);
      await page.goto(`${agent.url}/?token=secret123`);
      await page.goto(`${agent.url}/#/jobs`);
      await page.waitForSelector('[data-testid="jobs-empty"]:not([hidden])');
      const job = await api<Job>(
        agent,
        'POST',
        '/api/v1/jobs',
        { name: 'tokened', cmd: 'echo ok' },
        'secret123',
      );
      // Arrives over the events socket, authenticated by the cookie.
      await page.waitForSelector(`#jobs-table tr[data-job-id="${job.id}"]`);
      assert.equal(await page.isVisible('#auth-required'), false);
      assert.deepEqual(errorsOf(page), [], 'no script errors');
    } finally {
      await context.close();
      await agent.stop();
    }
  });
});

interface Job {
  id: string;
  schedules: { description: string }[];
}

interface Run {
  id: string;
  state: string;
}

async function api<T>(
  agent: { url: string },
  method: string,
  pathname: string,
  body?: unknown,
  token?: string,
): Promise<T> {
  const response = await fetch(`${agent.url}${pathname}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as T;
  assert.ok(response.ok, `${method} ${pathname}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function waitRunEnded(agent: { url: string }, runId: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const run = await api<Run>(agent, 'GET', `/api/v1/runs/${runId}`);
    if (run.state !== 'queued' && run.state !== 'running') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`run ${runId} did not end`);
}

/** `<name>.png` in the light theme and `<name>-dark.png` in the dark one. */
async function screenshots(page: Page, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: path.join(RESULTS, `${name}.png`), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: path.join(RESULTS, `${name}-dark.png`), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
}
