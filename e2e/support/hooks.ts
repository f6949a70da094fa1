/** The page's `window.__fine` test hooks (src/app/testHooks.ts), typed from the app's own declaration. */
import type { Page } from '@playwright/test';
import type { FineTestHooks } from '../../src/app/testHooks';

export type Hooks = FineTestHooks;

/** Calls one of the page's `window.__fine` test hooks (a hook that returns a promise is awaited). */
export function fine<K extends keyof Hooks>(page: Page, key: K): Promise<Awaited<ReturnType<Hooks[K]>>> {
  return page.evaluate((k) => (window as unknown as { __fine: Hooks }).__fine[k]() as Promise<Awaited<ReturnType<Hooks[K]>>>, key);
}
