// Dashboard page-load benchmark: the issue's goal is "each dashboard page
// loads in under 2 s with 10k wallets and 10k trades in the database".
//
//   node bench/dashboard/page_load.js [--runs N] [--data DIR] [--json FILE]
//                                     [--pages live,wallet-detail,...]
//
// Fills a fresh data folder with bench_populate (unless --data names one
// already filled), starts the release `walltrack serve` on it, and drives
// Debian's chromium headless (playwright-core, launched as
// tests/browser/harness.js does). For each page it measures the time from
// navigation start until the page's main content is on screen WITH its
// data: a per-page condition on the DOM (a table with rows, the charts
// drawn, the engine state shown), checked by a MutationObserver installed
// before the app's first script runs, so the time is the page's own
// performance.now(), not the polling of the driver.
//
// Three ways in, N runs each:
//   cold  a new browser context (empty cache) opening <url>/#/<page>
//   warm  the page reloaded in that context (the server sends no cache
//         headers, so files are fetched again; the server and V8 are warm)
//   nav   in the loaded app, the hash changed from a blank route to the
//         page (what clicking the nav does)
// Prints median and max per page and way, and for cold loads the API
// requests the page made with their median duration (Resource Timing),
// slowest first. Exit status 1 when a page's median misses the goal; the
// numbers are a benchmark, not a test (docs/performance.md).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUILD = process.env.WT_BUILD || join(ROOT, 'build-release');
const BINARY = process.env.WT_BINARY || join(BUILD, 'walltrack');
const POPULATE = process.env.WT_POPULATE || join(BUILD, 'bench_populate');
const CHROMIUM = process.env.WT_CHROMIUM || '/usr/bin/chromium';
const GOAL_MS = 2000;

function args() {
  const a = { runs: 5, data: '', json: '', wallets: 10000, trades: 10000, pages: '' };
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i++) {
    const k = v[i].replace(/^--/, '');
    if (!(k in a)) throw new Error(`unknown argument ${v[i]}`);
    a[k] = typeof a[k] === 'number' ? Number(v[++i]) : v[++i];
    if (typeof a[k] === 'number' && !(a[k] > 0)) throw new Error(`${v[i - 1]}: expected a positive number`);
  }
  return a;
}

// When each page counts as loaded: its main content rendered from the
// API's answers. `q(sel)` is document.querySelector, `n(sel)` counts.
const PAGES = [
  ['setup', `q('form.wizard-step .setting input') && q('[data-testid=wallet-configured]') && q('[data-testid=helius-status]')`],
  ['live', `q('[data-testid=engine-state]') && q('li[data-breaker]') && n('section[aria-labelledby=pos-h] tbody tr') > 0 && n('section[aria-labelledby=sig-h] tbody tr') >= 50`],
  ['performance', `q('dl.stats') && q('section[aria-labelledby=pd-h] .uplot canvas') && n('.uplot canvas') >= 4 && n('section[aria-labelledby=th-h] tbody tr') >= 50`],
  ['wallets', `n('[aria-label="Smart-money wallets"] tbody tr') >= 50`],
  ['alerts', `n('[aria-label="Alerts, newest first"] tbody tr') >= 50`],
  ['config', `n('form.setting[data-setting]') > 20 && n('[data-testid=exit-strategies] tbody tr') > 1 && n('section[aria-labelledby=hist-h] tbody tr') > 0`],
  ['controls', `q('[data-testid=engine-state]') && q('li[data-breaker]')`],
];
// The wallet detail view (filled in once a wallet's address is known).
const DETAIL = `q('[data-testid=wallet-status]') && n('section[aria-labelledby=wd-tr] tbody tr') > 0 && q('section[aria-labelledby=wd-snap] .uplot canvas') && q('section[aria-labelledby=wd-pat] tbody tr, section[aria-labelledby=wd-pat] .empty') && q('section[aria-labelledby=wd-tr] .graph canvas')`;

// Installed before any script of the page: records performance.now() the
// first time the page's condition holds.
function probe() {
  const q = (s) => document.querySelector(s);
  const n = (s) => document.querySelectorAll(s).length;
  window.__wt = { cond: null, at: null, q, n };
  const check = () => {
    const w = window.__wt;
    if (w.at === null && w.cond && w.cond(q, n)) w.at = performance.now();
  };
  window.__wtCheck = check;
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
}

const setCond = (src) => `window.__wt.cond = new Function('q', 'n', 'return !!(' + ${JSON.stringify(src)} + ')'); window.__wt.at = null;`;

async function startServer(dataDir) {
  const dir = mkdtempSync(join(tmpdir(), 'wt-pageload-'));
  const portFile = join(dir, 'port');
  const child = spawn(BINARY, ['serve', '--listen', '127.0.0.1:0', '--port-file', portFile, '--data', dataDir], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  let port = '';
  for (let i = 0; i < 600 && !port; i++) {
    if (child.exitCode !== null) throw new Error(`walltrack serve exited: ${log}`);
    if (existsSync(portFile)) port = readFileSync(portFile, 'utf8').trim();
    if (!port) await sleep(100);
  }
  if (!port) throw new Error(`walltrack serve did not listen: ${log}`);
  return {
    url: `http://127.0.0.1:${port}`,
    log: () => log,
    async stop() {
      child.kill('SIGTERM');
      for (let i = 0; i < 100 && child.exitCode === null; i++) await sleep(50);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitReady(page, what) {
  try {
    await page.waitForFunction(() => window.__wt && window.__wt.at !== null, null, { timeout: 30000, polling: 50 });
  } catch (e) {
    const shot = join(tmpdir(), `wt-pageload-${what.replace(/\W+/g, '_')}.png`);
    await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
    throw new Error(`${what}: not ready after 30 s (screenshot ${shot})`);
  }
  return page.evaluate(() => window.__wt.at);
}

// The API requests of the current document that started before `until`
// (ms since navigation start): [{path, ms, bytes}].
function apiTimings(page, until) {
  return page.evaluate((until) => performance.getEntriesByType('resource')
    .filter((e) => e.startTime <= until && /\/(v1|healthz)/.test(new URL(e.name).pathname) && !e.name.includes('/v1/stream'))
    .map((e) => {
      const u = new URL(e.name);
      const path = (u.pathname + u.search).replace(/[1-9A-HJ-NP-Za-km-z]{32,44}/, '{address}').replace(/=\d{7,}/g, '=N');
      return { path, ms: e.duration, bytes: e.encodedBodySize };
    }), until);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x) => `${Math.round(x)}`.padStart(6);

async function measure(browser, url, name, hash, cond, runs) {
  const out = { page: name, cold: [], warm: [], nav: [], api: new Map() };
  for (let r = 0; r < runs; r++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // cold
    await page.addInitScript(`(${probe.toString()})(); ${setCond(cond)}`);
    await page.goto(`${url}/#/${hash}`, { waitUntil: 'commit' });
    const cold = await waitReady(page, `${name} cold`);
    out.cold.push(cold);
    for (const t of await apiTimings(page, cold)) {
      if (!out.api.has(t.path)) out.api.set(t.path, { ms: [], bytes: t.bytes });
      out.api.get(t.path).ms.push(t.ms);
    }
    // warm: the same document reloaded in the same context
    await page.reload({ waitUntil: 'commit' });
    out.warm.push(await waitReady(page, `${name} warm`));
    // nav: from a blank route to the page inside the running app
    await page.evaluate(() => { location.hash = '#/bench-blank'; });
    await page.waitForSelector('main h1:has-text("Not found")');
    const nav = await page.evaluate(([src, h]) => {
      window.__wt.cond = new Function('q', 'n', `return !!(${src})`);
      window.__wt.at = null;
      const t0 = performance.now();
      location.hash = `#/${h}`;
      return t0;
    }, [cond, hash]);
    const at = await waitReady(page, `${name} nav`);
    out.nav.push(at - nav);
    if (errors.length) throw new Error(`${name}: ${errors.join('; ')}`);
    await context.close();
  }
  return out;
}

async function main() {
  const a = args();
  for (const [what, p] of [['walltrack', BINARY], ['bench_populate', POPULATE], ['chromium', CHROMIUM]])
    if (!existsSync(p)) throw new Error(`no ${what} at ${p} (make release; scripts/setup.sh)`);
  let data = a.data;
  let tmpData = '';
  if (!data) {
    tmpData = mkdtempSync(join(tmpdir(), 'wt-pageload-data-'));
    data = join(tmpData, 'data');
    const t0 = Date.now();
    process.stdout.write(execFileSync(POPULATE, [data, '--wallets', String(a.wallets), '--trades', String(a.trades)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    console.log(`(populate took ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
  const { chromium } = await import('playwright-core');
  const server = await startServer(data);
  let browser = null;
  const results = [];
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const list = await (await fetch(`${server.url}/v1/smart-money/wallets?limit=1`)).json();
    const address = list.wallets[0].walletAddress;
    let pages = [...PAGES.map(([n, c]) => [n, n, c]), ['wallet detail', `wallets/${address}`, DETAIL]];
    if (a.pages) pages = pages.filter(([n]) => a.pages.split(',').includes(n.replace(' ', '-')));
    for (const [name, hash, cond] of pages) {
      const r = await measure(browser, server.url, name, hash, cond, a.runs);
      results.push(r);
      console.log(`${name.padEnd(14)} cold ${fmt(median(r.cold))} / ${fmt(Math.max(...r.cold))}   warm ${fmt(median(r.warm))} / ${fmt(Math.max(...r.warm))}   nav ${fmt(median(r.nav))} / ${fmt(Math.max(...r.nav))}  ms (median / max)`);
    }
  } finally {
    if (browser) await browser.close();
    await server.stop();
    if (tmpData) rmSync(tmpData, { recursive: true, force: true });
  }

  console.log(`\nPage load, ${a.runs} runs each, ms from navigation start to the content with its data (goal < ${GOAL_MS}):`);
  console.log('| page | cold median | cold max | warm median | warm max | nav median | nav max |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of results)
    console.log(`| ${r.page} | ${Math.round(median(r.cold))} | ${Math.round(Math.max(...r.cold))} | ${Math.round(median(r.warm))} | ${Math.round(Math.max(...r.warm))} | ${Math.round(median(r.nav))} | ${Math.round(Math.max(...r.nav))} |`);
  console.log('\nAPI requests of the cold loads (median duration in the browser, response size), slowest first:');
  for (const r of results) {
    const rows = [...r.api.entries()].map(([p, v]) => [p, median(v.ms), v.bytes]).sort((x, y) => y[1] - x[1]);
    console.log(`  ${r.page}: ${rows.map(([p, ms, b]) => `${p} ${Math.round(ms)} ms ${Math.round(b / 1024)} KiB`).join(' · ')}`);
  }
  if (a.json)
    writeFileSync(a.json, JSON.stringify(results.map((r) => ({ ...r, api: Object.fromEntries(r.api) })), null, 1));
  const missed = results.filter((r) => median(r.cold) >= GOAL_MS || median(r.warm) >= GOAL_MS || median(r.nav) >= GOAL_MS);
  if (missed.length) {
    console.log(`\nMISSED the ${GOAL_MS} ms goal: ${missed.map((r) => r.page).join(', ')}`);
    process.exitCode = 1;
  } else {
    console.log(`\nEvery page met the ${GOAL_MS} ms goal.`);
  }
}

main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(2);
});
