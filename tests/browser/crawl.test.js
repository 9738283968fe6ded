// Browser test of the chain crawl's progress on the Setup page: a real
// `walltrack serve`, a simulated chain (`walltrack sim chain`) standing in
// for Helius, and `walltrack discover --chain` crawling it into the
// daemon's database from another process. The page shows the crawl while
// it runs (phase, tokens, requests against the budget) without a reload,
// then its end: stopped at the budget, with exactly the requests the
// simulated chain answered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BINARY, missingPrereq, startServer, launchBrowser, watchedPage, artifact } from './harness.js';

const why = missingPrereq();
if (why) console.log(`# SKIP browser tests: ${why}`);
const opts = why ? { skip: why } : {};

const BUDGET = 60;
let server;
let browser;
let chain;
let chainUrl;

before(async () => {
  if (why) return;
  server = await startServer({ wallets: 150 });
  browser = await launchBrowser();
  const portFile = join(server.dir, 'chain.port');
  chain = spawn(BINARY, ['sim', 'chain', '--seed', '11', '--preset', 'bull', '--days', '1', '--wallets', '600', '--tokens-per-day', '120',
    '--listen', '127.0.0.1:0', '--port-file', portFile, '--api-key', 'crawl-key'], { cwd: server.dir, stdio: 'ignore' });
  let port = '';
  for (let i = 0; i < 600 && !port; i++) {
    if (existsSync(portFile)) port = readFileSync(portFile, 'utf8').trim();
    if (!port) await sleep(50);
  }
  if (!port) throw new Error('walltrack sim chain did not listen');
  chainUrl = `http://127.0.0.1:${port}`;
});

after(async () => {
  if (chain) chain.kill('SIGTERM');
  if (browser) await browser.close();
  if (server) await server.stop();
});

async function chainHistoryRequests() {
  const s = await (await fetch(`${chainUrl}/sim/stats`)).json();
  return s.requests.helius_history;
}

test('setup: the chain crawl\'s progress while it runs and when it stops at its budget', opts, async () => {
  const { page, problems } = await watchedPage(browser.context, server.url);
  await page.goto(`${server.url}/#/setup`);
  const state = page.getByTestId('crawl-state');
  await state.waitFor();
  assert.equal(await state.getAttribute('data-state'), 'idle');

  // The simulated market's ten best launches, as an operator's list
  // (about 235 requests to crawl whole: the budget stops it first).
  const truth = await (await fetch(`${chainUrl}/sim/truth`)).json();
  const mints = truth.tokens.sort((a, b) => b.peak_multiple - a.peak_multiple).slice(0, 10).map((t) => t.mint);
  assert.equal(mints.length, 10);
  writeFileSync(join(server.dir, 'tokens.txt'), `${mints.join('\n')}\n`);

  // 10 requests a second: the 60 of the budget take at least 6 s.
  const crawl = spawn(BINARY, ['discover', '--data', 'data', '--tokens', 'tokens.txt', '--chain', '--budget', String(BUDGET),
    '--set', 'helius.requests_per_second=10', '--set', 'discovery.graduation_hours=0'], {
    cwd: server.dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, WALLTRACK_HELIUS_API_KEY: 'crawl-key', WALLTRACK_HELIUS_API_URL: chainUrl },
  });
  let log = '';
  crawl.stderr.on('data', (d) => (log += d));
  const exited = new Promise((resolve) => crawl.on('exit', resolve));

  // Seen running, with requests spent against the budget, no reload.
  await page.waitForFunction(() => {
    const s = document.querySelector('[data-testid=crawl-state]');
    const r = document.querySelector('[data-testid=crawl-requests]');
    return s && s.dataset.state === 'running' && r && /^[1-9]\d* of a budget of 60$/.test(r.textContent);
  }, null, { timeout: 30000 });
  assert.match(await page.getByTestId('crawl-phase').textContent(), /^(tokens|candidates|wallets)$/);
  assert.match(await page.getByTestId('crawl-tokens').textContent(), /^\d+ of 10$/);
  assert.match(await page.getByTestId('crawl-eta').textContent(), /^(\d+ s|unknown)$/);
  await page.screenshot({ path: artifact('setup-crawl-running.png'), fullPage: true });

  // Then stopped at the budget: every request the chain answered, shown.
  assert.equal(await exited, 0, log);
  await page.waitForFunction(() => document.querySelector('[data-testid=crawl-state]')?.dataset.state === 'budget', null, { timeout: 15000 });
  const answered = await chainHistoryRequests();
  assert.equal(answered, BUDGET);
  assert.equal(await page.getByTestId('crawl-requests').textContent(), `${BUDGET} of a budget of ${BUDGET}`);
  assert.equal(await page.getByTestId('crawl-requests-all').textContent(), String(answered));
  assert.equal(await page.getByTestId('crawl-eta').textContent(), '—');
  await page.screenshot({ path: artifact('setup-crawl-budget.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});
