// Accounts in a real browser: signing in and out, pages closed to anonymous visitors, and share
// links (a read-only report that opens without an account, with JavaScript disabled, and stops
// opening once revoked or altered).
import assert from 'node:assert/strict';
import {
  DEMO_EMAIL,
  HYDRATED,
  api,
  apiRaw,
  assertNoProblems,
  browserTest,
  forgiveDocumentStatus,
  newPage,
  openContext,
  screenshot,
  signIn,
  url,
} from './helpers.mjs';

const TABS = ['overview', 'time-machine', 'variance', 'reserves'];
/** KPI cards compared between the hub and the share page (all that the KpiCards component draws). */
const KPIS = ['committed', 'called', 'invested', 'distributed', 'nav', 'tvpi', 'dpi', 'rvpi', 'irr'];
/** The issue names these; they must be on both pages. */
const REQUIRED_KPIS = ['nav', 'tvpi', 'called', 'distributed'];

async function demoFundId() {
  const funds = await api('GET', '/api/funds');
  const demo = funds.find((f) => f.name.includes('Demo'));
  assert.ok(demo, `the seeded demo fund is listed for the demo user: ${JSON.stringify(funds)}`);
  return demo.id;
}

/** A fresh fund (the demo user is its admin, since the token created it): no other share links. */
async function freshFund(label) {
  const start = new Date(Date.now() - 400 * 86400e3).toISOString().slice(0, 10);
  const fund = await api('POST', '/api/funds', { name: `E2E ${label} ${Date.now()}`, size: '25000000', effective_at: start });
  return fund.id;
}

/** `{ key: data-value }` for the KPI cards under `scope` (a page or a locator). */
async function kpiValues(scope) {
  const values = {};
  for (const key of KPIS) {
    const card = scope.locator(`[data-kpi=${key}]`);
    const n = await card.count();
    assert.ok(n <= 1, `${n} cards [data-kpi=${key}]`);
    if (n === 1) values[key] = await card.getAttribute('data-value');
  }
  for (const key of REQUIRED_KPIS) assert.ok(key in values, `no [data-kpi=${key}] card with a data-value`);
  return values;
}

/** The path and query the login redirect should carry back in `next`. */
function pathOf(u) {
  const parsed = new URL(u);
  return parsed.pathname + parsed.search;
}

/**
 * Checks that `response` (of a goto to a signed-in page) was a 303 to `/login?next=<path>` and
 * that the form carries `next` along.
 */
async function expectLoginRedirect(page, response, wanted) {
  const first = response.request().redirectedFrom();
  assert.ok(first, `GET ${wanted} was not redirected (status ${response.status()}, at ${page.url()})`);
  assert.equal((await first.response()).status(), 303, `GET ${wanted}: expected a 303 to the login form`);
  const landed = new URL(page.url());
  assert.equal(landed.pathname, '/login', `GET ${wanted} went to ${page.url()}`);
  assert.equal(landed.searchParams.get('next'), wanted, `the redirect's next= for ${wanted}`);
  assert.equal(response.status(), 200, 'the login form answers 200');
  await page.locator('form[data-test=login-form]').waitFor();
  assert.equal(await page.locator('form[data-test=login-form] input[name=next]').inputValue(), wanted, 'hidden next field');
}

/**
 * On a signed-in hub page (JavaScript on): opens the share panel, checks its hidden fields and
 * creates a link. Returns the link's absolute URL.
 */
async function createShareLink(page, { fundId, tab, at }) {
  const share = page.locator('details[data-test=share]');
  await share.waitFor({ state: 'attached' });
  if (!(await share.evaluate((d) => d.open))) await share.locator('summary').first().click();
  const form = share.locator('form[data-test=share-form]');
  await form.waitFor();
  assert.equal(await form.locator('input[name=fund_id]').inputValue(), fundId, 'share form fund_id');
  assert.equal(await form.locator('input[name=tab]').inputValue(), tab, 'share form tab');
  if (at) assert.equal(await form.locator('input[name=at]').inputValue(), at, 'share form at');
  await form.locator('input[name=known_at]').waitFor({ state: 'attached' });
  const expiry = form.locator('select[name=expires_in_days]');
  assert.ok((await expiry.locator('option').count()) >= 1, 'the expiry select offers choices');

  const before = await page.locator('a[data-test=share-link]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  await form.locator('button[type=submit]').click();
  const handle = await page.waitForFunction(
    (known) => {
      const fresh = [...document.querySelectorAll('a[data-test=share-link]')]
        .map((a) => a.getAttribute('href'))
        .find((h) => h && !known.includes(h));
      return fresh ?? false;
    },
    before,
    { timeout: 15_000 },
  );
  const href = await handle.jsonValue();
  const shareUrl = new URL(href, page.url());
  assert.equal(shareUrl.origin, new URL(url('/')).origin, `the share link ${href} points at this server`);
  assert.match(shareUrl.pathname, /^\/share\/[^/]+$/, `share link href ${href}`);
  return shareUrl.toString();
}

/**
 * Runs `fn(page)` in a fresh, anonymous browser context with JavaScript disabled, the way someone
 * without an account opens a link they were sent; the page must report no problems.
 */
async function asAnonymousWithoutJs(t, name, fn) {
  const browser = await openContext({ javaScriptEnabled: false });
  const page = await newPage(browser.context);
  try {
    await fn(page);
    assertNoProblems(page);
  } catch (err) {
    const shot = await screenshot(page, `${name}-failure`).catch(() => null);
    if (shot) t.diagnostic(`screenshot: ${shot}`);
    for (const line of page.consoleLog) t.diagnostic(`[${name}] ${line}`);
    throw err;
  } finally {
    await browser.close();
  }
}

/**
 * A share URL that the server refuses: a 403 page with [data-test=share-refused] and no report.
 * Chromium logs "Failed to load resource: … status of 403 (Forbidden)" for the document itself;
 * that one console error is expected here, so it is forgiven (only for this URL and status).
 */
async function expectShareRefused(page, shareUrl, shotName, reason) {
  const res = await page.goto(shareUrl, { waitUntil: 'load' });
  assert.equal(res.status(), 403, `${reason}: GET ${pathOf(shareUrl)} answered ${res.status()}`);
  const refused = page.locator('[data-test=share-refused]');
  await refused.waitFor();
  assert.ok((await refused.innerText()).trim().length > 0, 'the refusal says why');
  assert.equal(await page.locator('[data-test=shared-report]').count(), 0, `${reason}: the report must not be shown`);
  assert.equal(await page.locator('[data-kpi]').count(), 0, `${reason}: no figures leak`);
  await screenshot(page, shotName);
  forgiveDocumentStatus(page, shareUrl, 403);
}

browserTest(
  'anonymous visitors are sent to the login form with next; the API answers 401',
  { signedIn: false, context: { javaScriptEnabled: false } },
  async ({ page }) => {
    const fund = await demoFundId();

    const home = await page.goto(url('/'), { waitUntil: 'load' });
    await expectLoginRedirect(page, home, '/');
    for (const tab of TABS) {
      const wanted = `/funds/${fund}/${tab}?at=2024-06-30`;
      const res = await page.goto(url(wanted), { waitUntil: 'load' });
      await expectLoginRedirect(page, res, wanted);
    }
    assert.equal(await page.locator('[data-test=signed-in-as]').count(), 0, 'nobody is signed in');
    await screenshot(page, 'login');

    for (const path of ['/api/funds', `/api/funds/${fund}/state?at=2024-06-30`]) {
      const { status, json } = await apiRaw('GET', path, { token: null });
      assert.equal(status, 401, `anonymous GET ${path}`);
      assert.equal(typeof json?.error, 'string', `GET ${path}: 401 body ${JSON.stringify(json)} has an error message`);
    }
    const badToken = await apiRaw('GET', '/api/funds', { token: 'not-a-real-token' });
    assert.equal(badToken.status, 401, 'a made-up bearer token is refused');
  },
);

browserTest('a wrong password shows the error and signs nobody in', { signedIn: false }, async ({ page }) => {
  const fund = await demoFundId();
  const next = `/funds/${fund}/overview`;
  const res = await page.goto(url(`/login?${new URLSearchParams({ next })}`), { waitUntil: 'load' });
  assert.equal(res.status(), 200);
  await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
  const form = page.locator('form[data-test=login-form]');
  assert.equal((await form.getAttribute('method'))?.toLowerCase(), 'post', 'the login form posts');
  assert.equal(new URL(await form.getAttribute('action'), page.url()).pathname, '/login', 'the login form posts to /login');
  await form.locator('input[name=email]').fill(DEMO_EMAIL);
  await form.locator('input[name=password]').fill('definitely-not-the-password');
  await Promise.all([page.waitForURL(/\/login\?.*error=/, { waitUntil: 'load' }), form.locator('button[type=submit]').click()]);
  const error = page.locator('[data-test=login-error]');
  await error.waitFor();
  assert.match(await error.innerText(), /Wrong e-mail or password/);
  assert.equal(await page.locator('form[data-test=login-form] input[name=next]').inputValue(), next, 'next survives the failed attempt');
  assert.equal(await page.locator('[data-test=signed-in-as]').count(), 0, 'nobody is signed in');
  await screenshot(page, 'login-wrong-password');

  // Still anonymous: the fund page sends us back to the form.
  const again = await page.goto(url(next), { waitUntil: 'load' });
  await expectLoginRedirect(page, again, next);
  await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
});

browserTest(
  'log in, open a fund, share it: the link shows the same numbers without an account or JavaScript; log out closes the fund pages',
  { signedIn: false, timeout: 120_000 },
  async ({ t, page }) => {
    const fund = await demoFundId();
    const at = '2024-06-30';
    const hubPath = `/funds/${fund}/overview?at=${at}`;

    // Log in: the fund page sends us to the form, which brings us back.
    const first = await page.goto(url(hubPath), { waitUntil: 'load' });
    await expectLoginRedirect(page, first, hubPath);
    await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
    await signIn(page, { goto: false, next: hubPath });
    assert.equal(pathOf(page.url()), hubPath, 'back on the page we asked for');
    await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
    assert.match(await page.locator('[data-test=signed-in-as]').innerText(), new RegExp(DEMO_EMAIL.replace(/[.]/g, '\\.')));

    // The hub's figures, which also match the REST API.
    const hub = await kpiValues(page);
    const rest = (await api('GET', `/api/funds/${fund}/state?at=${at}`)).state;
    assert.equal(hub.nav, rest.nav, 'hub NAV = REST NAV');

    // Share it.
    const shareUrl = await createShareLink(page, { fundId: fund, tab: 'overview', at });
    t.diagnostic(`share link: ${pathOf(shareUrl).replace(/\.[0-9a-f]+$/, '.<signature>')}`);
    await screenshot(page, 'share-panel');

    // Open it where nobody is signed in and JavaScript is off: the same numbers.
    await asAnonymousWithoutJs(t, 'share-page', async (anon) => {
      const res = await anon.goto(shareUrl, { waitUntil: 'load' });
      assert.equal(res.status(), 200, `GET share link answered ${res.status()}`);
      assert.equal(new URL(anon.url()).pathname, new URL(shareUrl).pathname, 'the share page is public (no login redirect)');
      const report = anon.locator('[data-test=shared-report]');
      await report.waitFor();
      const shared = await kpiValues(report);
      assert.deepEqual(shared, hub, 'the share page shows the hub figures');
      assert.equal(await anon.locator('[data-test=signed-in-as]').count(), 0, 'the reader is not signed in');
      assert.equal(await anon.locator('details[data-test=share]').count(), 0, 'readers cannot share');
      await screenshot(anon, 'share-page');
    });

    // Log out: the form, and the fund pages are closed again.
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('signed_out') === '1', { waitUntil: 'load' }),
      page.locator('form[data-test=logout-form] button[type=submit]').click(),
    ]);
    assert.equal(await page.locator('[data-test=signed-in-as]').count(), 0, 'signed out');
    await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
    await screenshot(page, 'signed-out');
    for (const tab of TABS) {
      const wanted = `/funds/${fund}/${tab}?at=${at}`;
      const res = await page.goto(url(wanted), { waitUntil: 'load' });
      await expectLoginRedirect(page, res, wanted);
    }
    await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
  },
);

browserTest('a revoked share link is refused with 403', {}, async ({ t, page }) => {
  const fund = await freshFund('Revoke');
  await page.goto(url(`/funds/${fund}/overview`), { waitUntil: 'load' });
  await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
  const shareUrl = await createShareLink(page, { fundId: fund, tab: 'overview' });

  await asAnonymousWithoutJs(t, 'share-before-revoke', async (anon) => {
    const res = await anon.goto(shareUrl, { waitUntil: 'load' });
    assert.equal(res.status(), 200, 'the link works before it is revoked');
    await anon.locator('[data-test=shared-report]').waitFor();
  });

  // The fund is new, so its list holds exactly the link we made.
  const items = page.locator('[data-test=share-links] li');
  await items.first().waitFor({ timeout: 15_000 });
  assert.equal(await items.count(), 1, 'the new fund lists one share link');
  // Should the app ask "are you sure?" with a native dialog, say yes (Playwright would dismiss it).
  page.on('dialog', (dialog) => dialog.accept().catch(() => {}));
  await items.first().locator('button[data-test=revoke-link]').click();
  // The app confirms it in its own way; the server is the judge: wait until the link is refused.
  const deadline = Date.now() + 15_000;
  let status;
  for (;;) {
    status = (await fetch(shareUrl, { redirect: 'manual' })).status;
    if (status === 403 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal(status, 403, 'after revoking, the share link answers 403');
  await screenshot(page, 'share-revoked-list');

  await asAnonymousWithoutJs(t, 'share-refused-revoked', (anon) => expectShareRefused(anon, shareUrl, 'share-refused-revoked', 'revoked link'));
});

browserTest('a share link with an altered signature is refused with 403', {}, async ({ t, page }) => {
  const fund = await demoFundId();
  await page.goto(url(`/funds/${fund}/time-machine?at=2024-06-30`), { waitUntil: 'load' });
  await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
  const shareUrl = await createShareLink(page, { fundId: fund, tab: 'time-machine', at: '2024-06-30' });

  // Change one character of the signature (the last dot-separated part of the token).
  const u = new URL(shareUrl);
  const token = decodeURIComponent(u.pathname.slice('/share/'.length));
  const dot = token.lastIndexOf('.');
  assert.ok(dot > 0 && dot < token.length - 1, `the token ${token.slice(0, 12)}… has a signature part`);
  const i = dot + 1 + Math.floor((token.length - dot - 1) / 2);
  const swapped = token[i] === 'a' ? 'b' : 'a';
  const tampered = `${token.slice(0, i)}${swapped}${token.slice(i + 1)}`;
  assert.notEqual(tampered, token);
  u.pathname = `/share/${tampered}`;
  const tamperedUrl = u.toString();

  await asAnonymousWithoutJs(t, 'share-tampered', async (anon) => {
    // The genuine link works; the altered one does not.
    const ok = await anon.goto(shareUrl, { waitUntil: 'load' });
    assert.equal(ok.status(), 200, 'the genuine link works');
    await anon.locator('[data-test=shared-report]').waitFor();
    await expectShareRefused(anon, tamperedUrl, 'share-refused-tampered', 'altered signature');
  });
});
