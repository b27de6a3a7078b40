// Members (issue 16): an admin adds an existing account as viewer on the fund's members page; that
// user then sees the fund, read-only: no form that writes, no import, only the export.
import assert from 'node:assert/strict';
import { api, browserTest, HYDRATED, newPage, openContext, screenshot, signIn, TOKEN, url } from './helpers.mjs';

browserTest('an admin adds a viewer, who sees the fund without any write control', { timeout: 150_000 }, async ({ page }) => {
  const viewerEmail = process.env.VIEWER_EMAIL;
  assert.ok(viewerEmail, 'the runner creates a second user (VIEWER_EMAIL, VIEWER_PASSWORD)');
  const fund = (await api('POST', '/api/funds', { name: `E2E Members ${Date.now()}`, size: '50000000', effective_at: '2024-01-01T00:00:00Z' })).id;
  const template = await (await fetch(url(`/api/funds/${fund}/ledger/template.csv`), { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  const imported = await fetch(url(`/api/funds/${fund}/ledger/import`), {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/csv' },
    body: template,
  });
  assert.equal(imported.status, 201);

  await page.goto(url(`/funds/${fund}/members`), { waitUntil: 'load' });
  await page.waitForFunction(HYDRATED, null, { timeout: 30_000 });
  const form = page.locator('form.add-member');
  await form.locator('[name=email]').fill(viewerEmail);
  await form.locator('[name=role]').selectOption('viewer');
  await form.locator('[data-test=add-member]').click();
  await page.locator('[data-test=members] tr', { hasText: viewerEmail }).waitFor({ timeout: 15_000 });
  const members = await api('GET', `/api/funds/${fund}/members`);
  assert.equal(members.find((m) => m.email === viewerEmail)?.role, 'viewer');
  await screenshot(page, 'members-added-viewer');

  const viewer = await openContext();
  try {
    const vpage = await newPage(viewer.context);
    await signIn(vpage, { email: viewerEmail, password: process.env.VIEWER_PASSWORD, next: `/funds/${fund}/overview` });
    for (const tab of ['overview', 'time-machine', 'variance']) {
      await vpage.goto(url(`/funds/${fund}/${tab}?at=2025-04-15`), { waitUntil: 'load' });
      await vpage.waitForFunction(HYDRATED, null, { timeout: 30_000 });
      await vpage.locator('[data-kpi=nav], [data-test=variance-table], table').first().waitFor();
      const writes = await vpage.locator('form[method=post]:not([data-test=logout-form])').evaluateAll((forms) => forms.map((f) => f.getAttribute('action')));
      assert.deepEqual(writes, [], `${tab}: a viewer sees no form that writes`);
      assert.equal(await vpage.locator('[data-test=event-forms]').count(), 0, `${tab}: no event forms`);
      assert.equal(await vpage.locator('[data-test=import-link]').count(), 0, `${tab}: no import`);
      assert.equal(await vpage.locator('details[data-test=share]').count(), 0, `${tab}: no share`);
      assert.equal(await vpage.locator('[data-test=export-link]').count(), 1, `${tab}: the export is a read`);
    }
    await screenshot(vpage, 'viewer-read-only');
    // The import page offers only the export; the server refuses the viewer's writes.
    await vpage.goto(url(`/funds/${fund}/import`), { waitUntil: 'load' });
    assert.equal(await vpage.locator('[data-test=ledger-upload]').count(), 0);
    assert.equal(await vpage.locator('[data-test=ledger-export]').count(), 1);
  } finally {
    await viewer.close();
  }
});
