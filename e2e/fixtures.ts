/**
 * Shared e2e fixtures: every request the page makes is recorded and the test fails if one leaves
 * the page's origin (the product promise: nothing leaves the browser); page errors are collected.
 */
import { test as base, expect, type Page } from '@playwright/test';

export interface Recorder {
  requests: string[];
  pageErrors: string[];
  consoleErrors: string[];
}

export const test = base.extend<{ recorder: Recorder }>({
  recorder: async ({ page, baseURL }, use) => {
    const rec: Recorder = { requests: [], pageErrors: [], consoleErrors: [] };
    const origin = new URL(baseURL ?? 'http://127.0.0.1').origin;
    page.context().on('request', (r) => rec.requests.push(r.url()));
    page.on('pageerror', (e) => rec.pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') rec.consoleErrors.push(m.text());
    });
    await use(rec);
    const foreign = rec.requests.filter((u) => {
      if (u.startsWith('blob:') || u.startsWith('data:')) return false;
      return new URL(u).origin !== origin;
    });
    expect(foreign, `requests that left ${origin}`).toEqual([]);
  },
});

export { expect };

/** Opens the app and waits until the bundled sample is shown. */
export async function openApp(page: Page, query = ''): Promise<void> {
  await page.goto(`/${query}`);
  await expect(page.getByTestId('dims')).toHaveText('96 × 80 × 48');
  await expect(page.getByTestId('status')).toHaveText('idle');
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/${name}.png` });
}
