import { defineConfig } from '@playwright/test';

const port = Number(process.env.PORT ?? 5174);
/** E2E_SERVER=preview tests the production build (`vite build && vite preview`) instead of the dev server. */
const preview = process.env.E2E_SERVER === 'preview';
const host = `--host 127.0.0.1 --port ${port} --strictPort`;

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  workers: 1,
  retries: 0,
  timeout: 240_000,
  expect: { timeout: 30_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    screenshot: 'on',
    trace: 'retain-on-failure',
    viewport: { width: 1400, height: 900 },
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-blink-features=ForceEagerMeasureMemory'],
    },
  },
  webServer: {
    command: preview ? `npx vite build && npx vite preview ${host}` : `npx vite ${host}`,
    url: `http://127.0.0.1:${port}/`,
    env: { PORT: String(port) },
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
