// The home page: server-rendered fund list, hydration, and one interactive control. Every test
// starts signed in as the demo user (browserTest signs the fresh context in through the login form,
// also with JavaScript disabled: the form is a plain form post).
import assert from 'node:assert/strict';
import { HYDRATED, assertSameDocument, browserTest, forgiveDocumentStatus, markDocument, screenshot, url } from './helpers.mjs';

async function expectHomeContent(page) {
  const response = await page.goto(url('/'), { waitUntil: 'load' });
  assert.ok(response, 'no response for /');
  assert.equal(response.status(), 200, `GET / answered ${response.status()}`);

  const h1 = page.locator('h1').first();
  await h1.waitFor();
  assert.match(await h1.innerText(), /Fundlens/);

  const fundLinks = page.locator('[data-test=fund-list] a');
  await fundLinks.first().waitFor();
  assert.ok((await fundLinks.count()) >= 1, 'expected at least one fund link in [data-test=fund-list]');
  const href = await fundLinks.first().getAttribute('href');
  assert.ok(href, 'the first fund link has no href');
}

browserTest('home page lists funds, hydrates and the theme toggle switches the theme', {}, async ({ page }) => {
  await expectHomeContent(page);

  await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
  await screenshot(page, 'home');

  const before = await page.evaluate(() => document.documentElement.dataset.theme ?? null);
  await page.locator('[data-test=theme-toggle]').click();
  await page.waitForFunction(
    (previous) => (document.documentElement.dataset.theme ?? null) !== previous,
    before,
    { timeout: 10_000 },
  );
  const after = await page.evaluate(() => document.documentElement.dataset.theme ?? null);
  assert.notEqual(after, before);
  assert.ok(after, 'the theme toggle removed data-theme instead of setting a theme');
  await screenshot(page, 'home-theme-toggled');
});

browserTest(
  'home page lists funds without JavaScript (server-side rendering)',
  { context: { javaScriptEnabled: false } },
  async ({ page }) => {
    await expectHomeContent(page);
    assert.equal(
      await page.evaluate(() => document.documentElement.dataset.hydrated ?? null).catch(() => null),
      null,
      'the page claims to be hydrated with JavaScript disabled',
    );
    await screenshot(page, 'home-no-js');
  },
);

browserTest('"New fund" creates a fund in place; bad input is named under the form and creates nothing', {}, async ({ page }) => {
  await page.goto(url('/'), { waitUntil: 'load' });
  await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
  await markDocument(page);
  const form = page.locator('[data-test=new-fund]');
  const links = page.locator('[data-test=fund-list] a');
  const before = await links.count();

  await form.locator('[name=name]').fill('Refused Fund');
  await form.locator('[name=size]').fill('0');
  await form.locator('button[type=submit]').click();
  const refusal = page.locator('[data-test=new-fund] + [data-form-error]');
  await refusal.waitFor({ timeout: 15_000 });
  assert.match(await refusal.innerText(), /size/);
  assert.equal(await links.count(), before, 'a refused fund is not listed');
  // Chromium logs the refused post as a console error; that one is expected.
  assert.equal(forgiveDocumentStatus(page, url('/sfn/create_fund'), 422), 1);

  const name = `E2E Growth Fund ${Date.now()}`;
  await form.locator('[name=name]').fill(name);
  await form.locator('[name=size]').fill('75000000');
  await form.locator('[name=vintage]').fill('2025');
  await form.locator('[name=first_close]').fill('2025-03-01');
  await form.locator('button[type=submit]').click();
  await page.locator('[data-test=fund-list] a', { hasText: name }).waitFor({ timeout: 15_000 });
  await assertSameDocument(page, 'creating a fund');
  assert.equal(await page.locator('[data-test=new-fund] + [data-form-error]').count(), 0, 'the error line is cleared');
  assert.equal(await form.locator('[name=name]').inputValue(), '', 'the form is reset');
  await screenshot(page, 'home-new-fund');

  // The creator is its admin: the hub offers the members page, and the import (the next step).
  await page.locator('[data-test=fund-list] a', { hasText: name }).click();
  await page.waitForURL(/\/funds\/[0-9a-f-]+\/overview/);
  await page.locator('a.audit-link[href$="/members"]').waitFor();
  await page.locator('[data-test=import-link]').waitFor();
});

browserTest('"New fund" works without JavaScript (a plain form post)', { context: { javaScriptEnabled: false } }, async ({ page }) => {
  await page.goto(url('/'), { waitUntil: 'load' });
  const name = `E2E No-JS Fund ${Date.now()}`;
  const form = page.locator('[data-test=new-fund]');
  await form.locator('[name=name]').fill(name);
  await form.locator('[name=size]').fill('20000000');
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), form.locator('button[type=submit]').click()]);
  await page.goto(url('/'), { waitUntil: 'load' });
  await page.locator('[data-test=fund-list] a', { hasText: name }).waitFor();
});
