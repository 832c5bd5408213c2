// Playwright runs the specs against the real partnerdesk binary (built by
// `make build` into ../bin/partnerdesk with the UI embedded) and Debian's
// Chromium. It never downloads browsers: install with
// PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig, devices } from '@playwright/test';
import { STEP_UP_MAX_AGE_SECONDS } from './pages/servers';

const port = Number(process.env.E2E_PORT ?? 18080);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  throw new Error(`E2E_PORT must be a TCP port, got "${process.env.E2E_PORT}"`);
}
const baseURL = `http://127.0.0.1:${port}`;

// One fresh data directory per run, unless E2E_DATA_DIR names one (it should
// be empty or absent). The config is evaluated again in every worker; the
// environment variable makes them all agree on the first one. The directory is
// left behind for inspection: the server still runs during globalTeardown, so
// removing it there would pull the database out from under it.
if (!process.env.E2E_DATA_DIR) {
  process.env.E2E_DATA_DIR = mkdtempSync(path.join(tmpdir(), 'partnerdesk-e2e-'));
  console.log(`e2e: partnerdesk data dir ${process.env.E2E_DATA_DIR}`);
}
const dataDir = process.env.E2E_DATA_DIR;

const binary = path.resolve(import.meta.dirname, '..', 'bin', 'partnerdesk');

// A second server, only for tests/step-up.spec.ts and tests/products.spec.ts: its logins count as
// "recent" for a few seconds only, so step-up can be exercised without
// waiting ten minutes. The main server keeps the default.
const stepUpPort = port + 2;
const stepUpURL = `http://127.0.0.1:${stepUpPort}`;

const stepUpDataDir = path.join(dataDir, 'step-up-server');
mkdirSync(stepUpDataDir, { recursive: true, mode: 0o755 });

// A third server, only for tests/real-idp.spec.ts: `partnerdesk serve` (not
// dev) on an external PostgreSQL cluster that idp/serve-on-postgres.mjs
// creates and removes, logging in at a real, independent OpenID Provider
// (idp/real-idp.mjs, npm's oidc-provider) that releases its claims at
// UserInfo only. Both listen on free ports, chosen once per run (the
// environment makes the workers agree).
if (!process.env.E2E_REAL_IDP_PORT || !process.env.E2E_REAL_IDP_APP_PORT) {
  const free = execFileSync(
    process.execPath,
    [
      '-e',
      `const net = require('node:net');
       const a = net.createServer().listen(0, '127.0.0.1', () => {
         const b = net.createServer().listen(0, '127.0.0.1', () => {
           console.log(a.address().port, b.address().port); a.close(); b.close();
         });
       });`,
    ],
    { encoding: 'utf8' },
  )
    .trim()
    .split(' ');
  [process.env.E2E_REAL_IDP_PORT, process.env.E2E_REAL_IDP_APP_PORT] = free;
}
const realIdPPort = Number(process.env.E2E_REAL_IDP_PORT);
const realIdPURL = `http://127.0.0.1:${realIdPPort}`;
const realIdPAppPort = Number(process.env.E2E_REAL_IDP_APP_PORT);
const realIdPAppURL = `http://127.0.0.1:${realIdPAppPort}`;
const realIdPClient = { id: 'partnerdesk-e2e', secret: 'e2e-real-idp-client-secret-0123456789' };

const chromium = {
  ...devices['Desktop Chrome'],
  launchOptions: {
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  },
};

function server(addrPort: number, dir: string, env: Record<string, string>) {
  return {
    command: `"${binary}" dev --addr 127.0.0.1:${addrPort} --data-dir "${dir}"`,
    url: `http://127.0.0.1:${addrPort}/healthz`,
    timeout: 120_000,
    reuseExistingServer: false,
    // SIGTERM lets partnerdesk stop its private PostgreSQL before exiting.
    gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 15_000 },
    env: {
      ...(process.env as Record<string, string>),
      // The development IdP listens next to the app, so runs on other ports never collide;
      // the Klarna simulator four ports above (port+4 for the main server, port+6 for the step-up one).
      PARTNERDESK_DEV_IDP_ADDR: `127.0.0.1:${addrPort + 1}`,
      PARTNERDESK_KLARNA_SIM_ADDR: `127.0.0.1:${addrPort + 4}`,
      PARTNERDESK_LOG_LEVEL: 'warn',
      // The suite signs in some sixty times a minute from one address; the limit itself is tested in Go
      // (internal/httpapi/identity_test.go), not here.
      PARTNERDESK_LOGIN_RATE_LIMIT: '600',
      ...env,
    },
    stdout: 'pipe' as const,
    stderr: 'pipe' as const,
  };
}

const realIdP = {
  command: `node idp/real-idp.mjs`,
  url: `${realIdPURL}/.well-known/openid-configuration`,
  timeout: 30_000,
  reuseExistingServer: false,
  gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 5_000 },
  env: {
    ...(process.env as Record<string, string>),
    REAL_IDP_PORT: String(realIdPPort),
    REAL_IDP_REDIRECT_URI: `${realIdPAppURL}/auth/callback`,
    REAL_IDP_CLIENT_ID: realIdPClient.id,
    REAL_IDP_CLIENT_SECRET: realIdPClient.secret,
  },
  stdout: 'pipe' as const,
  stderr: 'pipe' as const,
};

// The settings an operator gives serve for such a provider (README, production).
const realIdPServe = {
  command: `node idp/serve-on-postgres.mjs "${binary}"`,
  url: `${realIdPAppURL}/healthz`,
  timeout: 120_000,
  reuseExistingServer: false,
  // The wrapper stops serve, then the cluster, then removes its directory.
  gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 20_000 },
  env: {
    ...(process.env as Record<string, string>),
    PARTNERDESK_HTTP_ADDR: `127.0.0.1:${realIdPAppPort}`,
    PARTNERDESK_PUBLIC_URL: realIdPAppURL,
    PARTNERDESK_OIDC_ISSUER: realIdPURL,
    PARTNERDESK_OIDC_CLIENT_ID: realIdPClient.id,
    PARTNERDESK_OIDC_CLIENT_SECRET: realIdPClient.secret,
    PARTNERDESK_OIDC_GROUP_ROLES: 'pd-admins=acquirer:acquirer-admin',
    PARTNERDESK_ENCRYPTION_KEY: Buffer.from('e2e-real-idp-encryption-key-32b!').toString('base64'),
    PARTNERDESK_LOG_LEVEL: 'warn',
  },
  stdout: 'pipe' as const,
  stderr: 'pipe' as const,
};

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : [['list']],
  use: {
    baseURL,
    headless: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    { name: 'chromium', testIgnore: /(step-up|products|real-idp)\.spec\.ts$/, use: chromium },
    { name: 'chromium-step-up', testMatch: /(step-up|products)\.spec\.ts$/, use: { ...chromium, baseURL: stepUpURL } },
    { name: 'chromium-real-idp', testMatch: /real-idp\.spec\.ts$/, use: { ...chromium, baseURL: realIdPAppURL } },
  ],
  webServer: [
    server(port, dataDir, {}),
    server(stepUpPort, stepUpDataDir, { PARTNERDESK_STEP_UP_MAX_AGE: `${STEP_UP_MAX_AGE_SECONDS}s` }),
    realIdP,
    realIdPServe,
  ],
});
