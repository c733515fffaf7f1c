import { defineConfig, devices } from '@playwright/test'

// End-to-end tests in Debian's Chromium (no browser download) against the whole local system:
// `make run`'s server with the built pages, on its own port, started and stopped by Playwright.
const port = Number(process.env.E2E_PORT ?? 3197)
const baseURL = process.env.E2E_BASE_URL ?? `http://127.0.0.1:${port}`

const chromium = {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  // Without the background-networking flags Chromium keeps dialling Google's hosts, which
  // this closed network refuses; the sandbox needs user namespaces a CI runner may not give.
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
}

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/output',
  // The journeys share one server and its outbox; each test uses its own document numbers
  // and mobiles, but running them one at a time keeps a 2-core machine's timings sane.
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  retries: 0,
  reporter: [['list'], ['html', { outputFolder: 'test-results/report', open: 'never' }]],
  use: {
    baseURL,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: chromium,
  },
  projects: [
    { name: 'phone', use: { ...devices['Pixel 7'], launchOptions: chromium }, testIgnore: /reviewer-only/ },
    { name: 'desktop', use: { ...devices['Desktop Chrome'], launchOptions: chromium } },
  ],
  webServer: process.env.E2E_BASE_URL
    ? undefined
    : {
        command: `go run ./infra/local`,
        cwd: '..',
        url: `${baseURL}/v1/ethnicities`,
        // Every test comes from 127.0.0.1: the per-address allowances (30 SMS an hour, 60
        // sliders a minute) are for a real network, so the suite raises them as a load run
        // from one machine would (README's settings); each mobile's 3 a day still hold.
        env: { PORT: String(port), WEB_DIR: 'web/dist', SMS_PER_ADDRESS_HOUR: '100000', SLIDERS_PER_ADDRESS_MINUTE: '100000' },
        timeout: 180_000,
        reuseExistingServer: false,
        stdout: 'ignore',
        stderr: 'pipe',
      },
})
