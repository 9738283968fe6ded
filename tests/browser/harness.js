// Shared set-up of the browser tests: a real `walltrack serve` on a SQLite
// database populated by the simulator (`sim generate` + `import`), and
// Debian's chromium driven by playwright-core with a fresh profile.
// Every page is watched: a console error, an uncaught exception or a
// request to anything but this loopback server fails the test.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { before, after } from 'node:test';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BINARY = process.env.WT_BINARY || join(ROOT, 'build', 'walltrack');
export const CHROMIUM = process.env.WT_CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = process.env.WT_ARTIFACTS || join(ROOT, 'build', 'browser-artifacts');

/** Why the suite cannot run here, or null. */
export function missingPrereq() {
  if (!existsSync(CHROMIUM)) return `no chromium at ${CHROMIUM} (scripts/setup.sh installs it)`;
  if (!existsSync(join(ROOT, 'node_modules', 'playwright-core')))
    return 'node_modules is missing (scripts/setup.sh runs npm ci)';
  if (!existsSync(BINARY)) return `no walltrack binary at ${BINARY}`;
  return null;
}

/** API endpoints the dashboard calls that other branches are building.
 * While this server answers 404 (or 405) on them, the pages say so in place
 * of the data, and chromium logs the failed load: those log lines, and only
 * those, are not errors. Remove a row when its endpoint lands. */
// Endpoints the dashboard may call that this walltrack does not serve;
// their 404s are not console errors. Empty: every endpoint exists.
export const PENDING = [];

function pendingPath(url) {
  const p = new URL(url).pathname;
  return PENDING.some(([prefix]) => p === prefix || (prefix.endsWith('/') && p.startsWith(prefix)) || p.startsWith(`${prefix}/`));
}

/** Starts walltrack serve on a populated database. Returns {url, dir,
 * stop()}. */
export async function startServer({ env = {}, wallets = 300 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'wt-browser-'));
  const run = (args) => execFileSync(BINARY, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  run(['sim', 'generate', '--out', 'sim', '--wallets', String(wallets), '--tokens-per-day', '60', '--seed', '7']);
  run(['import', '--quiet', '--data', 'data', 'sim/transactions.ndjson']);
  // Profiles every wallet and fills the watchlist, as a user would.
  run(['discover', '--data', 'data']);
  // The wallet graph and its clusters, as the scheduler in serve would.
  run(['graph', 'build', '--data', 'data']);
  const portFile = join(dir, 'port');
  const child = spawn(BINARY, ['serve', '--listen', '127.0.0.1:0', '--port-file', portFile, '--data', 'data'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  for (let i = 0; i < 150 && !existsSync(portFile); i++) {
    if (child.exitCode !== null) throw new Error(`walltrack serve exited: ${log}`);
    await sleep(100);
  }
  let port = '';
  for (let i = 0; i < 50 && !(port = readFileSync(portFile, 'utf8').trim()); i++) await sleep(50);
  if (!port) throw new Error(`walltrack serve did not listen: ${log}`);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    dir,
    log: () => log,
    async stop() {
      child.kill('SIGTERM');
      for (let i = 0; i < 100 && child.exitCode === null; i++) await sleep(50);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh chromium profile and context. Returns {context, close()}. */
export async function launchBrowser(viewport = { width: 1280, height: 900 }) {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'wt-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens a page that records every problem: console errors (except failed
 * loads of PENDING endpoints), uncaught exceptions, and any request that is
 * not to the server under test (those are also aborted). */
export async function watchedPage(context, serverUrl) {
  const page = await context.newPage();
  const problems = [];
  const origin = new URL(serverUrl).origin;
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(`${origin}/`) || u.startsWith('data:') || u.startsWith('blob:')) return route.continue();
    problems.push(`request to a foreign host: ${u}`);
    return route.abort();
  });
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const loc = msg.location() && msg.location().url;
    if (/Failed to load resource/.test(msg.text()) && loc && loc.startsWith(origin) && pendingPath(loc)) return;
    problems.push(`console error: ${msg.text()} (${loc || 'no location'})`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('requestfailed', (req) => {
    const u = req.url();
    if (!u.startsWith(origin)) return; // already recorded above
    const why = req.failure() && req.failure().errorText;
    if (why === 'net::ERR_ABORTED') return; // a stream or a fetch cancelled on navigation
    problems.push(`request failed: ${u} ${why}`);
  });
  return { page, problems };
}

export function artifact(name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/** The set-up of a test file: without the prerequisites its tests are
 * skipped, saying why; else one populated server and one browser for the
 * whole file, stopped after it. Returns {opts, server, browser} (the last
 * two filled before the first test). */
export function serverAndBrowser() {
  const why = missingPrereq();
  if (why) console.log(`# SKIP browser tests: ${why}`);
  const env = { opts: why ? { skip: why } : {}, server: null, browser: null };
  before(async () => {
    if (why) return;
    env.server = await startServer();
    env.browser = await launchBrowser();
  });
  after(async () => {
    if (env.browser) await env.browser.close();
    if (env.server) await env.server.stop();
  });
  return env;
}
