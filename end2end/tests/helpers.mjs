// Shared plumbing for the browser tests: Debian's Chromium driven by playwright-core, one fresh
// profile per test, and a page that fails its test on console errors, hydration warnings and
// uncaught page errors.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** Where the server under test listens; scripts/test.sh sets it, scripts/run.sh serves the default. */
export const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:3000').replace(/\/+$/, '');

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// `npx playwright install` cannot download here, so we drive the distribution's Chromium.
// Background networking, component updates and sync are off so the browser talks only to BASE_URL.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const SCREENSHOT_DIR = fileURLToPath(new URL('../screenshots/', import.meta.url));

/** Absolute URL for a path on the server under test. */
export function url(pathname = '/') {
  return new URL(pathname, `${BASE_URL}/`).toString();
}

/**
 * A browser context in its own Chromium with a fresh temporary profile (user-data-dir), removed
 * by `close()`. `options` are Playwright context options, e.g. `{ javaScriptEnabled: false }`.
 */
export async function openContext(options = {}) {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'fundlens-e2e-profile-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 800 },
      locale: 'en-US',
      timezoneId: 'UTC',
      ...options,
    });
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw err;
  }
  context.setDefaultTimeout(30_000);
  context.setDefaultNavigationTimeout(30_000);
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A new page that records every console message. `page.problems` collects console errors, any
 * message mentioning hydration (case-insensitive; Leptos reports hydration mismatches that way)
 * and uncaught page errors; `assertNoProblems(page)` fails the test when there are any.
 */
export async function newPage(context) {
  const page = await context.newPage();
  page.consoleLog = [];
  page.problems = [];
  page.on('console', (msg) => {
    const line = `console.${msg.type()}: ${msg.text()}`;
    page.consoleLog.push(line);
    if (msg.type() === 'error' || /hydration/i.test(msg.text())) {
      page.problems.push(line);
    }
  });
  page.on('pageerror', (err) => {
    page.problems.push(`pageerror: ${err.stack || err.message}`);
  });
  page.on('crash', () => page.problems.push('page crashed'));
  return page;
}

export function assertNoProblems(page) {
  assert.deepEqual(
    page.problems,
    [],
    `the page reported problems:\n  ${page.problems.join('\n  ')}\nfull console:\n  ${page.consoleLog.join('\n  ')}`,
  );
}

/** Saves a full-page screenshot as end2end/screenshots/<name>.png and returns its path. */
export async function screenshot(page, name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * A node:test test with a fresh browser context and a recorded page. After `fn` the page must
 * have reported no problems; on failure a screenshot `<name>-failure.png` is saved.
 */
export function browserTest(name, { context: contextOptions = {}, timeout = 90_000 } = {}, fn) {
  return test(name, { timeout }, async (t) => {
    const browser = await openContext(contextOptions);
    try {
      const page = await newPage(browser.context);
      try {
        await fn({ t, page, context: browser.context });
        assertNoProblems(page);
      } catch (err) {
        const shot = await screenshot(page, `${name.slice(0, 60)}-failure`).catch(() => null);
        if (shot) t.diagnostic(`screenshot: ${shot}`);
        for (const line of page.consoleLog) t.diagnostic(line);
        for (const line of page.problems.filter((p) => p.startsWith('pageerror'))) t.diagnostic(line);
        throw err;
      }
    } finally {
      await browser.close();
    }
  });
}
