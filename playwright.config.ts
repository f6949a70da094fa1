import { defineConfig } from '@playwright/test';

const port = Number(process.env.PORT ?? 5174);
/** E2E_SERVER=preview tests the production build (`vite build && vite preview`) instead of the dev server. */
const preview = process.env.E2E_SERVER === 'preview';
const host = `--host 127.0.0.1 --port ${port} --strictPort`;
/** The production build, served by `vite preview` beside the dev server, for e2e/deploy.spec.ts. */
const builtPort = port + 10;
const built = `http://127.0.0.1:${builtPort}`;
/** A throw-away Orthanc (scripts/orthanc.mjs) that both servers proxy at /pacs/: the archive specs talk to it. */
const pacsPort = Number(process.env.PACS_PORT ?? 8052);
const pacsUrl = `http://127.0.0.1:${pacsPort}`;

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
  projects: [
    { name: 'app', testIgnore: /deploy\.spec\.ts/ },
    { name: 'built', testMatch: /deploy\.spec\.ts/, use: { baseURL: built } },
  ],
  webServer: [
    {
      command: `node scripts/orthanc.mjs --port ${pacsPort}`,
      url: `${pacsUrl}/system`,
      // SIGTERM lets the script stop Orthanc and delete its storage folder.
      gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'pipe',
      stderr: 'pipe',
    },
    {
      command: preview ? `npx vite build && npx vite preview ${host}` : `npx vite ${host}`,
      url: `http://127.0.0.1:${port}/`,
      env: { PORT: String(port), PACS_URL: pacsUrl },
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'pipe',
      stderr: 'pipe',
    },
    {
      command: `npx vite build --outDir dist-e2e --emptyOutDir && npx vite preview --outDir dist-e2e --host 127.0.0.1 --port ${builtPort} --strictPort`,
      url: `${built}/`,
      env: { PORT: String(builtPort), PACS_URL: pacsUrl },
      reuseExistingServer: false,
      timeout: 240_000,
      stdout: 'pipe',
      stderr: 'pipe',
    },
  ],
});
