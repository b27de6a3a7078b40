// Every hub tab passes axe-core's WCAG 2 A/AA rules, and the header fits a phone: no horizontal
// scroll at 390 px, one row at 1400 px (screenshots of both).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { HYDRATED, api, browserTest, screenshot, url } from './helpers.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const TABS = ['overview', 'time-machine', 'variance', 'reserves', 'alerts'];

async function demoFundId() {
  const funds = await api('GET', '/api/funds');
  return (funds.find((f) => f.name.includes('Demo')) ?? funds[0]).id;
}

async function open(page, path) {
  const res = await page.goto(url(path), { waitUntil: 'load' });
  assert.equal(res.status(), 200, path);
  await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
}

// bypassCSP: axe is injected as an inline script, which the pages' Content-Security-Policy refuses.
browserTest('accessibility: axe-core finds no WCAG 2 A/AA violation on the home page and any hub tab', { timeout: 180_000, context: { bypassCSP: true } }, async ({ page }) => {
  const fund = await demoFundId();
  for (const path of ['/', ...TABS.map((t) => `/funds/${fund}/${t}?at=2026-06-30`)]) {
    await open(page, path);
    if (path.includes('/reserves')) await page.locator('[data-test=ranking-table]').waitFor({ timeout: 60_000 });
    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async () => {
      const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
      return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    });
    assert.deepEqual(violations, [], `${path} has accessibility violations`);
  }
});

browserTest('the hub header is one row on a desktop and nothing scrolls sideways on a phone', { timeout: 120_000 }, async ({ page }) => {
  const fund = await demoFundId();
  await page.setViewportSize({ width: 1400, height: 900 });
  await open(page, `/funds/${fund}/overview`);
  const rows = await page.evaluate(() => {
    const top = (sel) => document.querySelector(sel)?.getBoundingClientRect().top ?? NaN;
    const bottom = (sel) => document.querySelector(sel)?.getBoundingClientRect().bottom ?? NaN;
    return { tabs: [top('.hub-header .tabs'), bottom('.hub-header .tabs')], share: [top('.hub-header .share'), bottom('.hub-header .share')] };
  });
  assert.ok(rows.share[0] < rows.tabs[1] && rows.share[1] > rows.tabs[0], `Share sits on the tabs' row: ${JSON.stringify(rows)}`);
  await screenshot(page, 'header-1400');
  await page.setViewportSize({ width: 390, height: 844 });
  for (const tab of TABS) {
    await open(page, `/funds/${fund}/${tab}`);
    if (tab === 'reserves') await page.locator('[data-test=ranking-table]').waitFor({ timeout: 60_000 });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `${tab} is ${width} px wide at 390 px`);
    if (tab === 'overview' || tab === 'reserves') await screenshot(page, `${tab}-390`);
  }
});
