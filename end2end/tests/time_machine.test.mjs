// The Time Machine in a real browser against the real server and database (demo fund seeded).
// Browser contexts are signed in as the demo user (browserTest), REST calls carry its token.
import assert from 'node:assert/strict';
import { HYDRATED, api, assertSameDocument, browserTest, markDocument, screenshot, url, waitForLiveRegions } from './helpers.mjs';

async function demoFundId() {
  const funds = await api('GET', '/api/funds');
  assert.ok(funds.length >= 1, 'the demo fund is seeded');
  // Other test files create funds in parallel; the seeded demo fund is the one to read.
  return (funds.find((f) => f.name.includes('Demo')) ?? funds[0]).id;
}

async function restState(fundId, at, knownAt) {
  const q = new URLSearchParams({ at });
  if (knownAt) q.set('known_at', knownAt);
  return (await api('GET', `/api/funds/${fundId}/state?${q}`)).state;
}

/** The app's compact money format ($79M, $62.9M, $950K), mirrored here to check what users read. */
function money(decimalString) {
  const v = Number(decimalString);
  const sign = v < 0 ? '−' : '';
  const a = Math.abs(v);
  const trim = (x, places) => {
    const s = x.toFixed(places);
    return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
  };
  if (a >= 1e9) return `${sign}$${trim(a / 1e9, 2)}B`;
  if (a >= 1e6) return `${sign}$${trim(a / 1e6, 1)}M`;
  if (a >= 1e3) return `${sign}$${trim(a / 1e3, 1)}K`;
  return `${sign}$${trim(a, 0)}`;
}

async function kpi(page, key) {
  const card = page.locator(`[data-kpi=${key}]`);
  return { exact: await card.getAttribute('data-value'), text: (await card.locator('.kpi-value').innerText()).trim() };
}

browserTest('time machine: keyboard moves the date, KPIs match REST, URL follows and survives reload', {}, async ({ page }) => {
  const fund = await demoFundId();
  await page.goto(url(`/funds/${fund}/time-machine?at=2024-06-30`), { waitUntil: 'load' });
  await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
  const slider = page.locator('#tm-slider');
  assert.equal(await slider.getAttribute('aria-valuetext'), '30 June 2024');
  await markDocument(page);

  await slider.focus();
  for (let i = 0; i < 10; i += 1) await page.keyboard.press('ArrowRight');
  await page.waitForURL(/at=2024-07-10/, { timeout: 10_000 });
  assert.equal(await slider.getAttribute('aria-valuetext'), '10 July 2024');
  // The NAV may be the same on both dates: wait for the regions to show the new URL, not for a
  // figure to change.
  await waitForLiveRegions(page);

  const expected = await restState(fund, '2024-07-10');
  const nav = await kpi(page, 'nav');
  assert.equal(nav.exact, expected.nav);
  assert.equal(nav.text, money(expected.nav));
  const invested = await kpi(page, 'invested');
  assert.equal(invested.exact, expected.total_invested);
  assert.equal(invested.text, money(expected.total_invested));
  // The tabs follow the slider's date too.
  assert.match(decodeURIComponent(await page.locator('.tab[data-tab=overview]').getAttribute('href')), /at=2024-07-10/);
  await assertSameDocument(page, 'moving the slider');
  await screenshot(page, 'tab-time-machine');

  const copied = page.url();
  await page.goto(copied, { waitUntil: 'load' });
  await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
  assert.equal((await kpi(page, 'nav')).exact, expected.nav);
  assert.equal(await page.locator('#tm-slider').getAttribute('aria-valuetext'), '10 July 2024');

  // Back goes to the previous date: the slider's URL changes are history entries.
  await page.goBack();
  await page.waitForURL(/at=2024-06-30/, { timeout: 10_000 });
  await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
  await waitForLiveRegions(page);
  assert.equal((await kpi(page, 'nav')).exact, (await restState(fund, '2024-06-30')).nav);
});

browserTest('time machine without JavaScript shows the same numbers and a date form', { context: { javaScriptEnabled: false } }, async ({ page }) => {
  const fund = await demoFundId();
  const expected = await restState(fund, '2024-07-10');
  await page.goto(url(`/funds/${fund}/time-machine?at=2024-07-10`), { waitUntil: 'load' });
  const nav = await kpi(page, 'nav');
  assert.equal(nav.exact, expected.nav);
  assert.equal(nav.text, money(expected.nav));
  assert.equal((await kpi(page, 'tvpi')).exact, expected.tvpi ?? '');
  // Change the date with a plain form submit.
  await page.fill('[data-test=date-form] input[name=at]', '2023-12-31');
  await Promise.all([page.waitForURL(/at=2023-12-31/), page.click('[data-test=date-form] button[type=submit]')]);
  const later = await restState(fund, '2023-12-31');
  assert.equal((await kpi(page, 'nav')).exact, later.nav);
  await screenshot(page, 'tab-time-machine-no-js');
});

browserTest('known-at shows the past as we knew it and marks what was revised', {}, async ({ page }) => {
  const fund = await demoFundId();
  // Find a quarter end whose marks were recorded late, so the past was revised.
  const timeline = await api('GET', `/api/funds/${fund}/timeline?types=VALUATION_UPDATED&limit=1000`);
  const late = timeline.events.find((e) => new Date(e.recorded_at) - new Date(e.effective_at) > 20 * 86400e3);
  assert.ok(late, 'the demo fund has late valuations');
  const at = late.effective_at.slice(0, 10);
  const knownAt = at; // we did not know it on the day it took effect
  const then = await restState(fund, at, knownAt);
  const now = await restState(fund, at);
  assert.notEqual(then.nav, now.nav, 'a late mark changes the NAV of the past');
  await page.goto(url(`/funds/${fund}/time-machine?at=${at}&known_at=${knownAt}`), { waitUntil: 'load' });
  await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
  assert.equal((await kpi(page, 'nav')).exact, then.nav);
  await page.locator('[data-test=known-at-note]').waitFor();
  assert.ok((await page.locator('[data-test=company-table] tr.differs').count()) >= 1, 'revised rows are marked');
  assert.match(await page.locator('[data-kpi=nav] .kpi-now').innerText(), /Known now/);
  await screenshot(page, 'tab-time-machine-known-at');
});

browserTest('every hub tab renders, the Reserves tab with a ranking for the date', {}, async ({ page }) => {
  const fund = await demoFundId();
  for (const tab of ['overview', 'time-machine', 'variance', 'reserves']) {
    const res = await page.goto(url(`/funds/${fund}/${tab}?at=2025-03-31`), { waitUntil: 'load' });
    assert.equal(res.status(), 200, tab);
    await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
    assert.equal(await page.locator('.tab.active').getAttribute('data-tab'), tab);
    if (tab === 'reserves') {
      // A past date without a ranking yet is calculated on opening and shown in place.
      await page.locator('[data-test=ranking-table]').waitFor({ timeout: 60_000 });
    } else if (tab === 'variance') {
      await page.locator('[data-test=variance-table]').waitFor();
    } else {
      await page.locator('[data-kpi=nav]').waitFor();
    }
    await screenshot(page, `tab-${tab}`);
  }
});

browserTest('compare shows the changes between two dates; a snapshot can be taken and opened', {}, async ({ page }) => {
  const fund = await demoFundId();
  await page.goto(url(`/funds/${fund}/time-machine?at=2024-06-30&compare=2023-12-31`), { waitUntil: 'load' });
  await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
  const diff = page.locator('[data-test=diff]');
  await diff.waitFor();
  assert.match(await diff.locator('h3').first().innerText(), /Changes from 31 Dec 2023 to 30 Jun 2024/);
  const rest = await api('GET', `/api/funds/${fund}/diff?from=2023-12-31&to=2024-06-30`);
  const navChange = rest.kpis.find((k) => k.kpi === 'nav');
  assert.ok(navChange, 'NAV changed over the half year');
  assert.match(await diff.innerText(), new RegExp(money(navChange.to).replace('$', '\\$')));

  const description = `e2e snapshot ${Date.now()}`;
  await page.fill('[data-test=snapshots] input[name=description]', description);
  await page.click('[data-test=snapshots] button[type=submit]');
  const link = page.locator('[data-test=snapshots] a', { hasText: description });
  await link.waitFor({ timeout: 15_000 });
  await link.click();
  await page.waitForURL(/known_at=/, { timeout: 10_000 });
  await page.locator('[data-test=known-at-note]').waitFor();
  await screenshot(page, 'tab-time-machine-compare-snapshot');
});
