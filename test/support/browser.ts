// Debian's Chromium through playwright-core, as every browser test launches it, and the page
// helpers they share: a page that records its script errors, and trimmed text of a selector. Under
// `npm test` the browser tests share one Chromium that the runner starts (launchBrowserServer): each
// launch cost ~2 s of CPU; a file run alone launches its own.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type BrowserServer,
  type Page,
} from 'playwright-core';
import { ROOT, startAgent, type RunningAgent } from './agent.ts';

export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots for a human to look at. */
export const RESULTS = path.join(ROOT, 'test-results');

/** A reason to skip browser tests, or false. */
export const skipBrowser =
  !existsSync(CHROMIUM) && `Debian's Chromium is not installed (apt-get install chromium)`;

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Names the runner's shared Chromium (its WebSocket endpoint) in the test files' environment. */
export const SHARED_BROWSER_ENV = 'BOSUN_TEST_BROWSER';

/** The Chromium that scripts/test.ts starts once for the browser test files of a run. */
export function launchBrowserServer(): Promise<BrowserServer> {
  return chromium.launchServer({ executablePath: CHROMIUM, args: ARGS });
}

/**
 * The runner's shared Chromium when there is one, else a Chromium of this file's own; `extraArgs`
 * (more Chromium flags, e.g. `--host-resolver-rules=…` to point a name at loopback) always get their
 * own. Closing a shared one closes this file's contexts and leaves the browser to the others.
 */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  assert.ok(
    existsSync(path.join(ROOT, 'web', 'dist', 'index.html')),
    'web/dist is not built: run "npm run build" (npm test does it first)',
  );
  mkdirSync(RESULTS, { recursive: true });
  const shared = process.env[SHARED_BROWSER_ENV];
  if (shared !== undefined && shared !== '' && extraArgs.length === 0) {
    return chromium.connect(shared);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: [...ARGS, ...extraArgs] });
}

/**
 * A browser context as the tests use them: the page asks for reduced motion (unless `options` says
 * otherwise), so nothing on it pulses or blinks. Headless Chromium without a GPU repaints each frame
 * of an animation in software: the live badge's pulse and the terminal's blinking cursor cost it 15-20 %
 * of a core per open page, which the tests pay beside every other file and do not look at.
 */
export function newContext(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  return browser.newContext({ reducedMotion: 'reduce', ...options });
}

/** A browser and a fresh agent for the tests of the describe block it is called in, closed after them. */
export function browserWithAgent(): { readonly browser: Browser; readonly agent: RunningAgent } {
  const shared = {} as { browser: Browser; agent: RunningAgent };
  before(async () => {
    shared.browser = await launchBrowser();
    shared.agent = await startAgent();
  });
  after(async () => {
    await shared.browser?.close();
    await shared.agent?.stop();
  });
  return shared;
}

const pageErrors = new WeakMap<Page, string[]>();

/**
 * A new page that records uncaught errors and console errors; `expected` matches the console errors
 * a test causes on purpose (a refused request logs a failed resource).
 */
export async function openPage(context: BrowserContext, expected?: RegExp): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  pageErrors.set(page, errors);
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !expected?.test(msg.text())) errors.push(msg.text());
  });
  return page;
}

export function errorsOf(page: Page): string[] {
  return pageErrors.get(page) ?? [];
}

export async function text(page: Page, selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').trim();
}

/** An xterm.js terminal's visible text, one line per row, trailing blanks dropped. */
export async function terminalText(page: Page, terminal: string): Promise<string> {
  const rows = await page.$$eval(`${terminal} .xterm-rows > div`, (divs) =>
    divs.map((row) => (row.textContent ?? '').replace(/\s+$/, '')).join('\n'),
  );
  return rows.replace(/\s+$/, '');
}

/** Waits until the terminal shows `pattern`; fails naming `what` and the screen it saw. */
export async function waitForTerminal(
  page: Page,
  terminal: string,
  pattern: RegExp,
  what: string,
  timeoutMs = 20_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const screen = await terminalText(page, terminal);
    if (pattern.test(screen)) return screen;
    if (Date.now() > deadline) assert.fail(`${what}: never saw ${pattern} on\n${screen}`);
    await page.waitForTimeout(100);
  }
}
