// Onboarding a fund from a spreadsheet (issue 16): a new fund, the ledger template with one bad row
// → every problem listed and nothing written; fixed → the preview's KPIs → import → the hub shows
// them. With JavaScript and without (the upload is a plain form post either way).
import assert from 'node:assert/strict';
import { api, browserTest, forgiveDocumentStatus, screenshot, url } from './helpers.mjs';

async function newFund(name) {
  const fund = await api('POST', '/api/funds', { name, size: '50000000', effective_at: '2024-01-01T00:00:00Z' });
  return fund.id;
}

async function template(fundId) {
  const res = await fetch(url(`/api/funds/${fundId}/ledger/template.csv`), { headers: { authorization: `Bearer ${process.env.FUNDLENS_TOKEN}` } });
  assert.equal(res.status, 200);
  return res.text();
}

async function upload(page, fundId, name, text) {
  const form = page.locator('[data-test=ledger-upload]');
  await form.locator('input[type=file]').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
  await Promise.all([page.waitForURL(new RegExp(`/funds/${fundId}/import/[0-9a-f-]+$`)), form.locator('button[type=submit]').click()]);
}

async function onboard(page, label) {
  const fundId = await newFund(`E2E Ledger ${label} ${Date.now()}`);
  const good = await template(fundId);
  await page.goto(url(`/funds/${fundId}/import`), { waitUntil: 'load' });
  await page.locator('[data-test=ledger-template]').waitFor();

  // One bad row: its line, column and reason; nothing written.
  const bad = good.replace('Series A,Climate', 'Series Q,Climate');
  await upload(page, fundId, 'fund-ledger.csv', bad);
  const errors = page.locator('[data-test=row-errors] tr[data-line]');
  await errors.first().waitFor();
  assert.equal(await errors.count(), 1);
  assert.equal(await errors.first().getAttribute('data-line'), '6');
  assert.equal(await errors.first().getAttribute('data-column'), 'stage');
  assert.match(await errors.first().innerText(), /Series Q/);
  assert.equal(await page.locator('[data-test=confirm-import]').count(), 0, 'a refused file cannot be imported');
  assert.equal((await api('GET', `/api/funds/${fundId}`)).version, 1, 'nothing written');
  await screenshot(page, `ledger-errors-${label}`);

  // Fixed: the preview, then the import.
  await upload(page, fundId, 'fund-ledger.csv', good);
  const preview = page.locator('[data-test=ledger-preview]');
  await preview.waitFor();
  const nav = await preview.locator('[data-kpi=nav]').getAttribute('data-value');
  const tvpi = await preview.locator('[data-kpi=tvpi]').getAttribute('data-value');
  assert.equal(Number(nav), 6600000);
  assert.equal(Number(tvpi), 0.84);
  assert.match(await preview.innerText(), /Acme Robotics[\s\S]*Bolt Energy/);
  assert.equal((await api('GET', `/api/funds/${fundId}`)).version, 1, 'the preview writes nothing');
  await screenshot(page, `ledger-preview-${label}`);

  await Promise.all([
    page.waitForURL(new RegExp(`/funds/${fundId}/overview`), { timeout: 20_000 }),
    page.locator('[data-test=confirm-import] button[type=submit]').click(),
  ]);
  assert.equal((await api('GET', `/api/funds/${fundId}`)).version, 14);
  // The hub at the file's last date shows what the preview showed.
  await page.goto(url(`/funds/${fundId}/overview?at=2025-04-15`), { waitUntil: 'load' });
  const hubNav = await page.locator('[data-kpi=nav]').first().getAttribute('data-value');
  assert.equal(Number(hubNav), Number(nav));
  assert.equal(Number(await page.locator('[data-kpi=tvpi]').first().getAttribute('data-value')), Number(tvpi));
  return fundId;
}

browserTest('a new fund is onboarded from the ledger template: errors listed, preview, import', {}, async ({ page }) => {
  const fundId = await onboard(page, 'js');
  // The export is the same format: it starts with the header and holds every imported row.
  const res = await fetch(url(`/api/funds/${fundId}/ledger.csv`), { headers: { authorization: `Bearer ${process.env.FUNDLENS_TOKEN}` } });
  const exported = await res.text();
  assert.match(exported, /^type,effective_date,company,/);
  assert.equal(exported.trim().split(/\r?\n/).length, 14);
});

/** The last day of the quarter before today's, YYYY-MM-DD (UTC). */
function lastQuarterEnd() {
  const now = new Date();
  const quarterStartMonth = Math.floor(now.getUTCMonth() / 3) * 3;
  return new Date(Date.UTC(now.getUTCFullYear(), quarterStartMonth, 0)).toISOString().slice(0, 10);
}

async function navAt(fundId, at, knownAt) {
  const q = knownAt ? `at=${at}&known_at=${knownAt}` : `at=${at}`;
  return Number((await api('GET', `/api/funds/${fundId}/state?${q}`)).state.nav);
}

browserTest('a valuation mark dated last quarter through the form changes NAV from that date, not as known before', {}, async ({ page }) => {
  const fundId = await onboard(page, 'mark');
  const markDate = lastQuarterEnd();
  const before = await navAt(fundId, markDate);
  await page.goto(url(`/funds/${fundId}/time-machine`), { waitUntil: 'load' });
  await page.waitForFunction(() => document.documentElement.dataset.hydrated === 'true', null, { timeout: 30_000 });
  const details = page.locator('.event-form[data-kind=valuation]');
  await details.locator('summary').click();
  const form = page.locator('[data-test=record-valuation]');
  await form.locator('[name=effective_date]').fill(markDate);
  await form.locator('[name=company]').selectOption({ label: 'Acme Robotics' });
  // A refused mark names its field and writes nothing.
  await form.locator('[name=post_money]').fill('-5');
  await form.locator('button[type=submit]').click();
  const refusal = page.locator('[data-test=record-valuation] + [data-form-error]');
  await refusal.waitFor({ timeout: 15_000 });
  assert.match(await refusal.innerText(), /post_money/);
  assert.equal((await api('GET', `/api/funds/${fundId}`)).version, 14);
  // Chromium logs the refused post as a console error; that one is expected.
  assert.equal(forgiveDocumentStatus(page, url('/sfn/record_event'), 422), 1);

  await form.locator('[name=effective_date]').fill(markDate);
  await form.locator('[name=company]').selectOption({ label: 'Acme Robotics' });
  await form.locator('[name=post_money]').fill('60000000');
  const knownBefore = new Date().toISOString();
  await form.locator('button[type=submit]').click();
  await page.waitForFunction(() => !document.querySelector('[data-test=record-valuation] + [data-form-error]'), null, { timeout: 15_000 });
  for (let i = 0; i < 60 && (await api('GET', `/api/funds/${fundId}`)).version !== 15; i++) {
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal((await api('GET', `/api/funds/${fundId}`)).version, 15, 'the mark is recorded');
  // 22% of $60M from the mark's date on; as known just before it was recorded (this fund was
  // imported minutes ago), that date still shows the old NAV.
  assert.equal(await navAt(fundId, markDate), 13200000);
  assert.equal(before, 6600000);
  assert.equal(await navAt(fundId, markDate, encodeURIComponent(knownBefore)), before);
  const dayBefore = new Date(Date.parse(markDate) - 86_400_000).toISOString().slice(0, 10);
  assert.equal(await navAt(fundId, dayBefore), before, 'nothing changes before the mark');
  await screenshot(page, 'event-form-valuation');
});

browserTest('the ledger import works without JavaScript', { context: { javaScriptEnabled: false } }, async ({ page }) => {
  await onboard(page, 'nojs');
});

browserTest('a mistaken investment is corrected from the event list: both stay listed, the KPIs are right', {}, async ({ page }) => {
  const fundId = await onboard(page, 'correct');
  const state = async () => (await api('GET', `/api/funds/${fundId}/state`)).state;
  const acme = (await state()).companies.find((c) => c.name === 'Acme Robotics');
  const investedBefore = Number((await state()).total_invested);
  const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
  // $5M typed for $500k.
  const typo = await api('POST', `/api/funds/${fundId}/events`, {
    events: [{ type: 'INVESTMENT_MADE', effective_at: tenDaysAgo, payload: { company_id: acme.id, amount: '5000000', follow_on: true } }],
  });
  assert.equal(typo.version, 15);
  assert.equal(Number((await state()).total_invested), investedBefore + 5_000_000);

  await page.goto(url(`/funds/${fundId}/time-machine`), { waitUntil: 'load' });
  await page.waitForFunction(() => document.documentElement.dataset.hydrated === 'true', null, { timeout: 30_000 });
  const correct = page.locator('[data-test=correct-15]');
  await correct.locator('summary').click();
  await correct.locator('[name=reason]').fill('typed 5,000,000 for 500,000');
  await correct.locator('[name=replace]').check();
  assert.equal(await correct.locator('[name=amount]').inputValue(), '5000000', 'the form starts from the mistaken event');
  assert.equal(await correct.locator('[name=company]').inputValue(), 'Acme Robotics');
  await correct.locator('[name=amount]').fill('500000');
  await correct.locator('button[type=submit]').click();
  for (let i = 0; i < 60 && (await api('GET', `/api/funds/${fundId}`)).version !== 17; i++) {
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal((await api('GET', `/api/funds/${fundId}`)).version, 17, 'the reversal and the corrected investment, in one append');

  // The list refreshes in place: the mistake (struck through, "reversed by version 16"), the
  // reversal with its reason, and the corrected cheque.
  const mistake = page.locator('.events li[data-version="15"]');
  await page.waitForFunction(() => document.querySelector('.events li[data-version="15"]')?.classList.contains('reversed'), null, { timeout: 15_000 });
  assert.match(await mistake.innerText(), /reversed by version 16/);
  assert.match(await page.locator('.events li[data-version="16"]').innerText(), /cancels version 15: typed 5,000,000 for 500,000/);
  assert.match(await page.locator('.events li[data-version="17"]').innerText(), /\$500K/);
  assert.equal(await page.locator('[data-test=correct-15]').count(), 0, 'a reversed event is not offered for correction again');
  assert.equal(Number((await state()).total_invested), investedBefore + 500_000);
  assert.equal(Number(await page.locator('[data-kpi=invested]').first().getAttribute('data-value')), investedBefore + 500_000);
  await screenshot(page, 'event-correction');
});
