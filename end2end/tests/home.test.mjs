// The home page: server-rendered fund list, hydration, and one interactive control. Every test
// starts signed in as the demo user (browserTest signs the fresh context in through the login form,
// also with JavaScript disabled: the form is a plain form post).
import assert from 'node:assert/strict';
import { HYDRATED, browserTest, screenshot, url } from './helpers.mjs';

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
