// The Reserves tab in a real browser against the real server: the ranking at once, Calculate with
// live progress, Cancel, the slider, scenarios, one-click rebalancing, a share link read without
// JavaScript, and a viewer without write controls.
import assert from 'node:assert/strict';
import {
  BASE_URL, HYDRATED, TOKEN, api, assertNoProblems, assertSameDocument, browserTest, markDocument, newPage, openContext, screenshot, signIn, url,
  waitForLiveRegions,
} from './helpers.mjs';

async function demoFundId() {
  const funds = await api('GET', '/api/funds');
  return (funds.find((f) => f.name.includes('Demo')) ?? funds[0]).id;
}

/** A fund of its own (the demo fund is shared with other test files): six companies with plans. */
async function portfolioFund(name) {
  const start = new Date(Date.now() - 900 * 86400e3).toISOString();
  const fund = await api('POST', '/api/funds', { name, size: '100000000', effective_at: start });
  const stages = ['seed', 'Series A', 'series_b', 'Seed', 'C', 'series a'];
  const events = [{ type: 'CAPITAL_CALLED', effective_at: start, payload: { amount: '40000000' } }];
  const ids = stages.map(() => crypto.randomUUID());
  stages.forEach((stage, i) => {
    events.push({ type: 'COMPANY_ADDED', effective_at: start, payload: { company_id: ids[i], name: `Portfolio Co ${i + 1}`, stage } });
    const cheque = 600000 + 150000 * i;
    events.push({ type: 'INVESTMENT_MADE', effective_at: start,
      payload: { company_id: ids[i], amount: String(cheque), ownership: `0.${String(6 + i).padStart(2, '0')}`, post_money: String(cheque * 9) } });
    events.push({ type: 'RESERVE_ALLOCATED', effective_at: start, payload: { company_id: ids[i], amount: String(cheque * (i % 3)) } });
  });
  await api('POST', `/api/funds/${fund.id}/events`, { events });
  return fund.id;
}

/** The app's compact money format ($79M, $62.9M, $950K), as the Time Machine's table shows it. */
function money(decimal) {
  const v = Number(decimal);
  const trim = (x, places) => { const t = x.toFixed(places); return t.includes('.') ? t.replace(/0+$/, '').replace(/\.$/, '') : t; };
  if (v >= 1e9) return `$${trim(v / 1e9, 2)}B`;
  if (v >= 1e6) return `$${trim(v / 1e6, 1)}M`;
  if (v >= 1e3) return `$${trim(v / 1e3, 1)}K`;
  return `$${trim(v, 0)}`;
}

/** Records every value the progress bar shows, from before the click until the test reads them. */
async function recordProgress(page) {
  await page.evaluate(() => {
    window.__progressValues = [];
    const read = () => {
      const bar = document.querySelector('[data-test=run-progress] progress');
      if (!bar) return;
      const v = bar.value;
      const seen = window.__progressValues;
      if (seen[seen.length - 1] !== v) seen.push(v);
    };
    new MutationObserver(read).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

browserTest('reserves: a ranking at once, Calculate shows live progress and updates in place, Cancel stops a run', { timeout: 150_000 }, async ({ page }) => {
  const fund = await demoFundId();
  await page.goto(url(`/funds/${fund}/reserves`), { waitUntil: 'load' });
  await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
  await page.locator('[data-test=ranking-table]').waitFor({ timeout: 30_000 });
  assert.ok((await page.locator('[data-test=ranking-table] tbody tr').count()) >= 5, 'the demo fund is ranked');
  await page.locator('[data-test=insights]').waitFor();
  await screenshot(page, 'reserves-tab');

  // Calculate with 200,000 iterations and a seed nobody used: a new run, followed live. (20,000
  // finished within one progress interval on a quiet machine: the bar went from 0 to done.)
  await markDocument(page);
  const before = await page.locator('[data-test=reproduce]').getAttribute('data-run');
  await recordProgress(page);
  const form = page.locator('[data-test=calculate-form]');
  await form.locator('input[name=iterations]').fill('200000');
  await form.locator('input[name=seed]').fill(String(100000 + Math.floor(Math.random() * 1e9)));
  await form.locator('button[type=submit]').click();
  await page.locator('[data-test=run-done]').waitFor({ timeout: 60_000 });
  await waitForLiveRegions(page);
  await page.waitForFunction((old) => document.querySelector('[data-test=reproduce]')?.dataset.run !== old, before, { timeout: 15_000 });
  const values = await page.evaluate(() => window.__progressValues);
  assert.ok(new Set(values).size >= 3, `the progress bar took at least three values: ${JSON.stringify(values)}`);
  assert.match(await page.locator('[data-test=reproduce]').innerText(), /200000 iterations/);
  await assertSameDocument(page, 'a finished calculation');

  // A long run, cancelled: the page says so and keeps the ranking it had.
  await form.locator('input[name=iterations]').fill('1000000');
  await form.locator('input[name=seed]').fill(String(200000 + Math.floor(Math.random() * 1e9)));
  await form.locator('button[type=submit]').click();
  await page.locator('[data-test=run-progress]').waitFor({ timeout: 30_000 });
  await screenshot(page, 'reserves-calculating');
  await page.locator('[data-test=cancel-run] button').click();
  await page.locator('[data-test=run-cancelled]').waitFor({ timeout: 10_000 });
  await assertSameDocument(page, 'cancelling a run');
});

browserTest('reserves: the slider shows the ranking for the date it moves to', { timeout: 120_000 }, async ({ page }) => {
  const fund = await demoFundId();
  await page.goto(url(`/funds/${fund}/reserves?at=2025-06-30`), { waitUntil: 'load' });
  await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
  await page.locator('[data-test=ranking-table]').waitFor({ timeout: 60_000 });
  assert.match(await page.locator('[data-test=reproduce]').innerText(), /as of 30 Jun 2025/);
  await markDocument(page);
  const slider = page.locator('#tm-slider');
  await slider.focus();
  for (let i = 0; i < 5; i += 1) await page.keyboard.press('ArrowLeft');
  await page.waitForURL(/at=2025-06-25/, { timeout: 10_000 });
  await waitForLiveRegions(page);
  // The date had no ranking yet: it is calculated and swapped in without a page load.
  await page.waitForFunction(() => /as of 25 Jun 2025/.test(document.querySelector('[data-test=reproduce]')?.textContent ?? ''), null, { timeout: 60_000 });
  await assertSameDocument(page, 'the slider');
});

browserTest('reserves: save two scenarios and compare them; apply the recommendation for two companies', { timeout: 150_000 }, async ({ page }) => {
  const fund = await portfolioFund(`Reserves E2E ${Date.now()}`);
  await page.goto(url(`/funds/${fund}/reserves`), { waitUntil: 'load' });
  await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
  await page.locator('[data-test=ranking-table]').waitFor({ timeout: 60_000 });

  for (const [name, seed] of [['Base case', '11'], ['Second look', '12']]) {
    const form = page.locator('[data-test=calculate-form]');
    await form.locator('input[name=iterations]').fill('5000');
    await form.locator('input[name=seed]').fill(seed);
    await form.locator('button[type=submit]').click();
    await page.locator('[data-test=run-done]').waitFor({ timeout: 60_000 });
    await page.waitForFunction((s) => document.querySelector('[data-test=reproduce]')?.textContent.includes(`seed ${s} `), seed, { timeout: 30_000 });
    const save = page.locator('[data-test=save-scenario]');
    await save.locator('input[name=name]').fill(name);
    await save.locator('button[type=submit]').click();
    await page.locator(`[data-scenario="${name}"]`).waitFor({ timeout: 15_000 });
  }
  const compare = page.locator('[data-test=compare-form]');
  await compare.locator('select[name=compare_scenario]').selectOption({ label: 'Base case' });
  await compare.locator('select[name=with]').selectOption({ label: 'Second look' });
  await Promise.all([page.waitForURL(/compare_scenario=/), compare.locator('button[type=submit]').click()]);
  await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
  const table = page.locator('[data-test=comparison]');
  await table.waitFor();
  assert.match(await table.locator('caption').innerText(), /Base case compared with Second look/);
  assert.equal(await table.locator('tbody tr').count(), 6);
  await screenshot(page, 'reserves-compare');

  // Apply the recommendation for two companies whose plan changes.
  await page.goto(url(`/funds/${fund}/reserves`), { waitUntil: 'load' });
  await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
  const runId = await page.locator('[data-test=reproduce]').getAttribute('data-run');
  const run = await api('GET', `/api/funds/${fund}/reserves/runs/${runId}`);
  const changing = run.result.companies.filter((c) => c.change !== '0').slice(0, 2);
  assert.equal(changing.length, 2, 'two companies with a new plan');
  for (const c of changing) await page.locator(`tr[data-company="${c.name}"] input[type=checkbox]`).check();
  await page.locator('[data-test=apply-selected] button').click();
  await page.waitForFunction(() => !document.querySelector('[data-test=apply-selected][aria-busy]'), null, { timeout: 15_000 });
  assert.equal(await page.locator('[data-test=apply-selected] + [data-form-error]').count(), 0, 'no error after applying');

  await page.goto(url(`/funds/${fund}/time-machine`), { waitUntil: 'load' });
  await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
  const state = (await api('GET', `/api/funds/${fund}/state`)).state;
  for (const c of changing) {
    const company = state.companies.find((x) => x.id === c.id);
    assert.equal(Number(company.reserves_planned), Number(c.deployed) + Number(c.recommended_allocation), c.name);
    const planned = Number(c.deployed) + Number(c.recommended_allocation);
    const row = page.locator(`[data-test=company-table] tr[data-company="${c.name}"]`);
    assert.ok((await row.innerText()).includes(money(planned)), `${c.name}'s new plan ${money(planned)} is on the Time Machine tab: ${await row.innerText()}`);
  }
});

browserTest('reserves: a share link renders the same table without JavaScript; a viewer gets no write controls', { timeout: 120_000 }, async ({ page }) => {
  const fund = await portfolioFund(`Reserves share ${Date.now()}`);
  await page.goto(url(`/funds/${fund}/reserves`), { waitUntil: 'load' });
  await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
  await page.locator('[data-test=ranking-table]').waitFor({ timeout: 60_000 });
  const rows = await page.locator('[data-test=ranking-table] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.company));

  const created = await fetch(url('/sfn/create_share_link'), {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ fund_id: fund, tab: 'reserves', expires_in_days: '7' }),
  });
  assert.equal(created.status, 200);
  const link = await created.json();
  const anonymous = await openContext({ javaScriptEnabled: false });
  try {
    const reader = await newPage(anonymous.context);
    const res = await reader.goto(url(link.path), { waitUntil: 'load' });
    assert.equal(res.status(), 200);
    const shared = await reader.locator('[data-test=ranking-table] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.company));
    assert.deepEqual(shared, rows, 'the shared report shows the same ranking');
    assert.equal(await reader.locator('form').count(), 0, 'read-only');
    await screenshot(reader, 'reserves-shared-no-js');
  } finally {
    await anonymous.close();
  }

  // A viewer: the ranking, but no Calculate or Apply; the server refuses the calls (403).
  const viewerEmail = process.env.VIEWER_EMAIL;
  assert.ok(viewerEmail, 'the runner creates a second user (VIEWER_EMAIL, VIEWER_PASSWORD)');
  await api('PUT', `/api/funds/${fund}/members`, { email: viewerEmail, role: 'viewer' });
  const viewer = await openContext();
  try {
    const vpage = await newPage(viewer.context);
    await signIn(vpage, { email: viewerEmail, password: process.env.VIEWER_PASSWORD, next: `/funds/${fund}/reserves` });
    await vpage.waitForFunction(HYDRATED, null, { timeout: 30_000 });
    await vpage.locator('[data-test=ranking-table]').waitFor({ timeout: 30_000 });
    assert.equal(await vpage.locator('[data-test=calculate-form]').count(), 0);
    assert.equal(await vpage.locator('[data-test=apply]').count(), 0);
    const status = await vpage.evaluate(async (f) => {
      const r = await fetch('/sfn/start_reserve_run', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `fund_id=${f}` });
      return r.status;
    }, fund);
    assert.equal(status, 403);
    vpage.problems = vpage.problems.filter((p) => !/status of 403/.test(p));
    await screenshot(vpage, 'reserves-viewer');
    assertNoProblems(vpage);
  } finally {
    await viewer.close();
  }
  assert.ok(BASE_URL);
});
