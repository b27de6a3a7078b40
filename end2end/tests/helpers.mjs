// Shared plumbing for the browser tests: Debian's Chromium driven by playwright-core, one fresh
// profile per test, and a page that fails its test on console errors, hydration warnings and
// uncaught page errors; signing in (pages need a signed-in user) and the REST API with a token.
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

/**
 * The demo user the server seeds. The runner (scripts/test.sh, /tmp/e2e.sh) starts the server with
 * DEMO_PASSWORD and mints FUNDLENS_TOKEN, an API token capped at admin, for this user.
 */
export const DEMO_EMAIL = process.env.DEMO_EMAIL || 'demo@fundlens.local';
export const DEMO_PASSWORD = process.env.DEMO_PASSWORD || 'e2e-demo-password';
export const TOKEN = process.env.FUNDLENS_TOKEN || '';

/** Marks the loaded document, so a test can tell an update in place from a new page load. */
export async function markDocument(page) {
  await page.evaluate(() => { window.__fundlensSameDocument = true; });
}

/** Fails when the document marked by `markDocument` was replaced by a page load. */
export async function assertSameDocument(page, what) {
  const same = await page.evaluate(() => window.__fundlensSameDocument === true);
  assert.equal(same, true, `${what} should update the page in place, without loading a new page`);
}

/**
 * Waits until the live regions show the current URL: after the slider or back/forward changed it
 * in place, the old figures stay on screen until the page's fetch of the new URL is swapped in.
 */
export async function waitForLiveRegions(page, timeout = 15_000) {
  await page.waitForFunction(
    () => document.documentElement.dataset.liveHref === location.href && !document.querySelector('[data-live][aria-busy]'),
    null,
    { timeout },
  );
}

/** What `<html data-hydrated>` says once the Leptos app has hydrated. */
export const HYDRATED = () => document.documentElement.dataset.hydrated === 'true';

export const SCREENSHOT_DIR = fileURLToPath(new URL('../screenshots/', import.meta.url));

/** Absolute URL for a path on the server under test. */
export function url(pathname = '/') {
  return new URL(pathname, `${BASE_URL}/`).toString();
}

/**
 * A REST call as the demo user (`Authorization: Bearer $FUNDLENS_TOKEN`). Fails the test unless
 * the answer is 2xx; returns the JSON body (null when there is none).
 */
export async function api(method, pathname, body) {
  const { status, json } = await apiRaw(method, pathname, { body });
  assert.ok(status >= 200 && status < 300, `${method} ${pathname} → ${status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * A REST call that returns `{ status, json }` whatever the status. `token` defaults to TOKEN;
 * pass `token: null` to call anonymously.
 */
export async function apiRaw(method, pathname, { body, token = TOKEN } = {}) {
  if (token !== null) {
    assert.ok(token, 'FUNDLENS_TOKEN is not set: the runner mints it with `server admin mint-token`');
  }
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url(pathname), {
    method,
    headers,
    body: body !== undefined ? JSON.stringify(body) : undefined,
    redirect: 'manual',
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { unparsed: text.slice(0, 500) };
  }
  return { status: res.status, json };
}

/**
 * Signs `page` in with the login form: opens `/login?next=<next>` (unless `goto: false`, for a
 * form already on screen, e.g. after a redirect), fills e-mail and password, submits and waits
 * until the server has redirected away from /login. Works with JavaScript disabled: the form is a
 * plain form post. Fails with the form's error message when the server sent us back to it.
 */
export async function signIn(page, { email = DEMO_EMAIL, password = DEMO_PASSWORD, next = '/', goto = true } = {}) {
  if (goto) {
    const res = await page.goto(url(`/login?${new URLSearchParams({ next })}`), { waitUntil: 'load' });
    assert.equal(res?.status(), 200, `GET /login answered ${res?.status()}`);
  }
  const form = page.locator('form[data-test=login-form]');
  await form.waitFor();
  await form.locator('input[name=email]').fill(email);
  await form.locator('input[name=password]').fill(password);
  await Promise.all([
    page.waitForURL((u) => u.pathname !== '/login' || u.searchParams.has('error'), { waitUntil: 'load' }),
    form.locator('button[type=submit]').click(),
  ]);
  const landed = new URL(page.url());
  if (landed.pathname === '/login') {
    const shown = await page.locator('[data-test=login-error]').innerText().catch(() => '(no [data-test=login-error])');
    assert.fail(`signing in as ${email} failed: ${landed.searchParams.get('error') ?? ''} / ${shown}`);
  }
  const expected = new URL(next, `${BASE_URL}/`);
  assert.equal(landed.pathname, expected.pathname, `after signing in we should be at ${next}, not ${page.url()}`);
  return page;
}

/**
 * Forgets the console error Chromium logs for a document or request that legitimately answered
 * with an error status (e.g. a refused share link is a 403 page, a refused form post a 422):
 * "Failed to load resource: the server responded with a status of 403 (Forbidden)" for exactly
 * `documentUrl`. Any other problem stays. Returns how many were forgiven.
 */
export function forgiveDocumentStatus(page, documentUrl, status) {
  const wanted = new URL(documentUrl).toString();
  const matches = (text) => new RegExp(`^Failed to load resource: the server responded with a status of ${status}\\b`).test(text);
  const forgiven = page.consoleEntries.filter((e) => e.type === 'error' && e.url === wanted && matches(e.text));
  for (const entry of forgiven) {
    const i = page.problems.indexOf(entry.line);
    if (i >= 0) page.problems.splice(i, 1);
  }
  return forgiven.length;
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
  page.consoleEntries = [];
  page.problems = [];
  page.on('console', (msg) => {
    const where = msg.location()?.url ?? '';
    // Chromium's "Failed to load resource" does not say which resource; the location does.
    const line = `console.${msg.type()}: ${msg.text()}${where && /^Failed to load resource/.test(msg.text()) ? ` <${where}>` : ''}`;
    page.consoleLog.push(line);
    page.consoleEntries.push({ type: msg.type(), text: msg.text(), url: where, line });
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
 * A node:test test with a fresh browser context and a recorded page. With `signedIn` (the
 * default) the context is first signed in as the demo user through the login form (`/login?next=/`;
 * with JavaScript on we also let the home page hydrate before handing the page over), so `fn`
 * starts on the home page; `signedIn: false` leaves it anonymous on about:blank. After `fn` the
 * page must have reported no problems; on failure a screenshot `<name>-failure.png` is saved.
 */
export function browserTest(name, { context: contextOptions = {}, timeout = 90_000, signedIn = true } = {}, fn) {
  return test(name, { timeout }, async (t) => {
    const browser = await openContext(contextOptions);
    try {
      const page = await newPage(browser.context);
      try {
        if (signedIn) {
          await signIn(page, { next: '/' });
          if (contextOptions.javaScriptEnabled !== false) {
            await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
          }
        }
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
