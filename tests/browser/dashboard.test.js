// Browser tests of the dashboard: Debian's chromium (playwright-core)
// against a real `walltrack serve` on a simulated, imported database.
// Run: node --test tests/browser/   (ctest -L browser does the same).
// Every endpoint these checks use exists on this server: none is skipped.
// The two the wizard calls that main is adding (GET /v1/wallet, POST
// /v1/discovery/run) are listed in PENDING in harness.js.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { missingPrereq, startServer, launchBrowser, watchedPage, artifact } from './harness.js';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const why = missingPrereq();
if (why) console.log(`# SKIP browser tests: ${why}`);
const opts = why ? { skip: why } : {};

let server;
let browser;

before(async () => {
  if (why) return;
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

const PAGES = [
  ['live', 'Live'],
  ['performance', 'Performance'],
  ['wallets', 'Wallets'],
  ['clusters', 'Clusters'],
  ['alerts', 'Alerts'],
  ['backtest', 'Backtest'],
  ['config', 'Config'],
  ['controls', 'Controls'],
  ['setup', 'Setup'],
];

test('every page renders with no console error and no foreign request', opts, async () => {
  const { page, problems } = await watchedPage(browser.context, server.url);
  for (const [id, title] of PAGES) {
    await page.goto(`${server.url}/#/${id}`);
    await page.locator('h1', { hasText: title }).waitFor({ timeout: 5000 });
    // The event stream (/v1/stream) keeps a request open, so the network
    // never goes idle on pages that subscribe: wait at most the idle budget.
    await page.waitForLoadState('networkidle', { timeout: 1500 }).catch(() => {});
    // Loading placeholders must be gone: each section shows data, an empty
    // state or a clear problem.
    await page.waitForFunction(() => !document.querySelector('[data-loading]'), null, { timeout: 5000 });
    const banner = await page.locator('.banner').innerText();
    assert.match(banner, /PAPER|LIVE/, `${id}: no mode banner`);
    await page.screenshot({ path: artifact(`page-${id}.png`), fullPage: true });
  }
  // An unknown page says so.
  await page.goto(`${server.url}/#/nope`);
  await page.locator('h1', { hasText: 'Not found' }).waitFor();
  assert.deepEqual(problems, []);
  await page.close();
});

test('performance shows the realized and the mark-to-market drawdown, named plainly', opts, async () => {
  const { page, problems } = await watchedPage(browser.context, server.url);
  await page.goto(`${server.url}/#/performance`);
  await page.locator('h1', { hasText: 'Performance' }).waitFor();
  await page.locator('dt', { hasText: 'Max drawdown, realized' }).waitFor({ timeout: 5000 });
  await page.locator('dt', { hasText: 'Max drawdown, mark-to-market' }).waitFor({ timeout: 5000 });
  const text = await page.locator('main').innerText();
  assert.match(text, /open positions at their last price/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the mode banner says PAPER from /healthz', opts, async () => {
  const { page, problems } = await watchedPage(browser.context, server.url);
  await page.goto(`${server.url}/#/live`);
  const b = page.locator('.banner[data-mode]');
  await b.waitFor();
  assert.equal(await b.getAttribute('data-mode'), 'paper');
  assert.match(await b.innerText(), /^PAPER/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('first run lands on the setup wizard', opts, async () => {
  const { page, problems } = await watchedPage(browser.context, server.url);
  await page.goto(`${server.url}/`);
  await page.waitForURL(/#\/setup$/);
  await page.locator('h1', { hasText: 'Setup' }).waitFor();
  assert.deepEqual(problems, []);
  await page.close();
});

test('config: a value that is not a number shows its message next to the field', opts, async () => {
  const { page, problems } = await watchedPage(browser.context, server.url);
  await page.goto(`${server.url}/#/config`);
  // The first live number setting (risk and sizing come first).
  const form = page.locator('form.setting[data-setting] input[inputmode=decimal]').first();
  await form.waitFor();
  await form.fill('not-a-number');
  await form.press('Enter');
  const msg = form.locator('xpath=ancestor::form').locator('.error');
  await msg.waitFor();
  assert.match(await msg.innerText(), /must be a (whole )?number/);
  assert.equal(await form.getAttribute('aria-invalid'), 'true');
  assert.deepEqual(problems, []);
  await page.close();
});

test('config: an out-of-range value shows the server message', opts, async () => {
  const { page, problems } = await watchedPage(browser.context, server.url);
  await page.goto(`${server.url}/#/config`);
  const input = page.locator('form.setting[data-setting] input[inputmode=decimal]').first();
  await input.fill('1e300');
  await input.press('Enter');
  const msg = input.locator('xpath=ancestor::form').locator('.error');
  await msg.waitFor();
  // PUT /v1/config's own message: "<setting>: <value> is out of range [min, max]".
  assert.match(await msg.innerText(), /is out of range \[/);
  assert.deepEqual(problems.filter((p) => !/status of 400/.test(p)), []);
  await page.close();
});

test('config: an exit strategy is created, refused with its message, and made the default', opts, async () => {
  const { page, problems } = await watchedPage(browser.context, server.url);
  await page.goto(`${server.url}/#/config`);
  const sec = page.getByTestId('exit-strategies');
  await sec.locator('table tbody tr', { hasText: 'runner' }).waitFor();
  await sec.getByRole('button', { name: 'New strategy' }).click();
  const ed = page.getByTestId('exit-editor');
  await ed.getByLabel('Name').fill('tight');
  await ed.getByLabel('Stop-loss').fill('150');
  await ed.getByRole('button', { name: 'Save strategy' }).click();
  // The server's message, naming the field, which is marked.
  const msg = ed.getByTestId('exit-error');
  await msg.waitFor();
  assert.match(await msg.innerText(), /^stop_loss: 1\.5 is not a fraction/);
  assert.equal(await ed.getByLabel('Stop-loss').getAttribute('aria-invalid'), 'true');
  // A value that is not a number is caught before it is sent.
  await ed.getByLabel('Maximum hold').fill('soon');
  await ed.getByRole('button', { name: 'Save strategy' }).click();
  await page.getByText('Maximum hold must be a number').waitFor();
  await ed.getByLabel('Maximum hold').fill('6');
  await ed.getByLabel('Stop-loss').fill('12.5');
  await ed.getByRole('button', { name: 'Add a level' }).click();
  await ed.getByLabel('Level 2: at').fill('4');
  await ed.locator('#exit-tp1f').fill('20');
  // 50% + 20% + a 50% moonbag is more than everything: refused, naming it.
  await ed.getByRole('button', { name: 'Save strategy' }).click();
  await page.waitForFunction(() => /sum to 1\.2/.test(document.querySelector('[data-testid=exit-error]')?.textContent || ''));
  assert.match(await msg.innerText(), /^take_profits \+ moonbag: the fractions sum to 1\.2/);
  assert.equal(await ed.locator('#exit-moonbag').getAttribute('aria-invalid'), 'true');
  await ed.locator('#exit-moonbag').fill('30');
  await ed.getByRole('button', { name: 'Save strategy' }).click();
  const row = sec.locator('table tbody tr', { hasText: 'tight' });
  await row.waitFor();
  assert.match(await row.innerText(), /stop 12\.5% · sell 50% at 2× · sell 20% at 4×/);
  let book = await (await fetch(`${server.url}/v1/exits`)).json();
  const tight = book.strategies.find((x) => x.strategy.name === 'tight').strategy;
  assert.equal(tight.stop_loss, 0.125);
  assert.equal(tight.max_hold_ms, 6 * 3600000);
  assert.deepEqual(tight.take_profits, [{ multiple: 2, fraction: 0.5 }, { multiple: 4, fraction: 0.2 }]);

  // Made the default, with an override; then refused removal says why.
  const as = page.getByTestId('exit-assign');
  await as.getByLabel('Default strategy').selectOption('tight');
  await as.getByRole('button', { name: 'Save default and overrides' }).click();
  await as.getByText('Default and overrides saved').waitFor();
  book = await (await fetch(`${server.url}/v1/exits`)).json();
  assert.equal(book.default, 'tight');
  assert.equal(book.overrides_setting, '0.85:runner');
  page.once('dialog', (d) => d.accept());
  await row.getByRole('button', { name: 'Remove tight' }).click();
  await sec.getByText("'tight' is the default strategy").waitFor();
  // Back to the built-in default, so the other tests see the usual book.
  await as.getByLabel('Default strategy').selectOption('default');
  await as.getByRole('button', { name: 'Save default and overrides' }).click();
  for (let i = 0; i < 50 && book.default !== 'default'; i++) {
    await page.waitForTimeout(100);
    book = await (await fetch(`${server.url}/v1/exits`)).json();
  }
  assert.equal(book.default, 'default');
  // The strategy's creation is in the change history.
  await page.locator('section[aria-labelledby=hist-h] table tbody tr', { hasText: 'exits.strategy.tight' }).first().waitFor();
  await page.screenshot({ path: artifact('config-exit-strategies.png'), fullPage: true });
  assert.deepEqual(problems.filter((p) => !/status of (400|409)/.test(p)), []);
  await page.close();
});

test('the wizard saves settings', opts, async () => {
  const { page, problems } = await watchedPage(browser.context, server.url);
  await page.goto(`${server.url}/#/setup`);
  await page.getByRole('button', { name: 'Save and finish setup' }).click();
  await page.getByTestId('setup-saved').waitFor();
  const cfg = await (await fetch(`${server.url}/v1/config`)).json();
  const done = cfg.settings.find((s) => s.name === 'ui.setup_done');
  assert.equal(done.value, true);
  // The change is in the history the Config page shows.
  await page.goto(`${server.url}/#/config`);
  await page.locator('section[aria-labelledby=hist-h] table tbody tr', { hasText: 'ui.setup_done' }).first().waitFor();
  assert.deepEqual(problems, []);
  await page.close();
});

test('an alert is acknowledged from the Alerts page', opts, async () => {
  // A pause is an alert (the operator breaker).
  await fetch(`${server.url}/v1/control/pause`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"reason":"ack test"}' });
  await fetch(`${server.url}/v1/control/resume`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  const { page, problems } = await watchedPage(browser.context, server.url);
  await page.goto(`${server.url}/#/alerts`);
  const buttons = page.getByRole('button', { name: /^Acknowledge alert/ });
  await buttons.first().waitFor();
  const before = await buttons.count();
  await buttons.first().click();
  await page.waitForFunction((n) => document.querySelectorAll('button[aria-label^="Acknowledge alert"]').length === n - 1, before);
  const alerts = await (await fetch(`${server.url}/v1/alerts`)).json();
  assert.ok(alerts.alerts.some((a) => a.acked_ms > 0), 'the API shows an acknowledged alert');
  assert.deepEqual(problems, []);
  await page.close();
});

test('Download CSV saves the alerts as the server exports them', opts, async () => {
  await fetch(`${server.url}/v1/control/pause`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"reason":"csv test"}' });
  await fetch(`${server.url}/v1/control/resume`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  const { page, problems } = await watchedPage(browser.context, server.url);
  await page.goto(`${server.url}/#/alerts`);
  const button = page.getByTestId('download-csv').first();
  await button.waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  assert.equal(download.suggestedFilename(), 'walltrack-alerts.csv');
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(await download.path(), 'utf8');
  const lines = text.trim().split('\r\n');
  assert.match(lines[0], /^id,/);
  assert.ok(lines.some((l) => /csv test/.test(l)), 'the pause alert is a row');
  const json = await (await fetch(`${server.url}/v1/alerts?limit=50`)).json();
  assert.equal(lines.length - 1, json.alerts.length, 'one row per alert of the page');
  assert.deepEqual(problems, []);
  await page.close();
});

test('pause and resume', opts, async () => {
  const { page, problems } = await watchedPage(browser.context, server.url);
  await page.goto(`${server.url}/#/controls`);
  const state = page.getByTestId('engine-state');
  await state.waitFor();
  await page.getByRole('button', { name: 'Pause trading' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=engine-state]')?.textContent === 'PAUSED');
  await page.getByRole('button', { name: 'Resume trading' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=engine-state]')?.textContent === 'RUNNING');
  assert.deepEqual(problems, []);
  await page.close();
});

test('live, controls and alerts show the engine status: breakers, inputs, the pause alert', opts, async () => {
  const { page, problems } = await watchedPage(browser.context, server.url);
  await page.goto(`${server.url}/#/live`);
  // GET /v1/status: the five breakers and the five inputs, by name.
  await page.locator('[data-breaker=operator]').waitFor();
  assert.equal(await page.locator('[data-breaker]').count(), 5);
  assert.match(await page.locator('[data-input=webhook]').innerText(), /Helius webhook/);
  assert.equal(await page.locator('[data-input]').count(), 5);
  assert.match(await page.locator('[data-input=helius_webhook]').innerText(), /Webhook addresses[\s\S]*off/);
  // A pause with a reason: the operator breaker is on, with the reason, and
  // GET /v1/alerts lists the alert that records it.
  await page.goto(`${server.url}/#/controls`);
  await page.getByLabel('Reason for pausing (optional)').fill('browser test');
  await page.getByRole('button', { name: 'Pause trading' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=engine-state]')?.textContent === 'PAUSED');
  assert.match(await page.locator('[data-breaker=operator]').innerText(), /ON[\s\S]*browser test/);
  await page.goto(`${server.url}/#/alerts`);
  await page.locator('table tbody tr', { hasText: 'browser test' }).first().waitFor();
  await page.goto(`${server.url}/#/controls`);
  await page.getByRole('button', { name: 'Resume trading' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=engine-state]')?.textContent === 'RUNNING');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a live update appears without reloading', opts, async () => {
  const { page, problems } = await watchedPage(browser.context, server.url);
  await page.goto(`${server.url}/#/live`);
  await page.locator('.stream-state.ok').waitFor({ timeout: 10000 });
  // An operator command is an event: the stream reports it.
  await fetch(`${server.url}/v1/control/pause`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  await page.getByTestId('live-feed').locator('li').first().waitFor({ timeout: 10000 });
  await fetch(`${server.url}/v1/control/resume`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  await page.screenshot({ path: artifact('live-update.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('"wallets like this one" from the wallet page', opts, async () => {
  // The most active wallet has a behaviour vector (3 round trips or more).
  const list = await (await fetch(`${server.url}/v1/smart-money/wallets?sortBy=trades&limit=1`)).json();
  const address = list.wallets[0].walletAddress;
  const { page, problems } = await watchedPage(browser.context, server.url);
  await page.goto(`${server.url}/#/wallets/${address}`);
  await page.getByTestId('wallet-status').waitFor();
  await page.getByRole('button', { name: 'Find similar wallets' }).click();
  const sim = page.locator('section[aria-labelledby=wd-sim]');
  await sim.getByText('trade most like it').waitFor();
  assert.equal(await sim.locator('table tbody tr').count(), 10);
  assert.equal(await sim.locator(`a[title="${address}"]`).count(), 0); // not itself
  await page.screenshot({ path: artifact('wallet-similar.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('a wallet is blacklisted from its detail page', opts, async () => {
  const { page, problems } = await watchedPage(browser.context, server.url);
  await page.goto(`${server.url}/#/wallets`);
  const first = page.locator('table tbody tr a').first();
  await first.waitFor();
  // the copier expectancy sits beside the wallet's own PnL
  assert.match(await page.locator('table thead').textContent(), /PnL\s*Copier EV/);
  await first.click();
  await page.getByTestId('wallet-status').waitFor();
  // docs/metrics.md: total = realized + unrealized, shown apart; the
  // simulated market is too short for a Sharpe (under metrics.min_days
  // active days), which reads "n/a", not 0.
  const perf = await page.locator('section[aria-labelledby=wd-p]').textContent();
  assert.match(perf, /Realized PnL \(every sell\)/);
  assert.match(perf, /Unrealized PnL \(open positions\)/);
  assert.match(perf, /Sharpe\s*n\/a/);
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Blacklist' }).click();
  await page.waitForFunction(() => /blacklist/.test(document.querySelector('[data-testid=wallet-status]')?.textContent || ''));
  await page.screenshot({ path: artifact('wallet-blacklisted.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('keyboard: the nav is reachable with Tab and shows focus', opts, async () => {
  const { page, problems } = await watchedPage(browser.context, server.url);
  await page.goto(`${server.url}/#/live`);
  await page.locator('h1', { hasText: 'Live' }).waitFor();
  const seen = [];
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    seen.push(await page.evaluate(() => document.activeElement && document.activeElement.textContent.trim()));
  }
  assert.ok(seen.includes('Skip to content'), `tab order: ${seen.join(' | ')}`);
  assert.ok(seen.includes('Performance'), `tab order: ${seen.join(' | ')}`);
  // Enter on a focused nav link navigates.
  await page.getByRole('link', { name: 'Alerts' }).focus();
  await page.keyboard.press('Enter');
  await page.locator('h1', { hasText: 'Alerts' }).waitFor();
  // Every input has a label.
  await page.goto(`${server.url}/#/config`);
  await page.locator('form.setting').first().waitFor();
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select')]
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
      .map((el) => el.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unlabelled, []);
  assert.deepEqual(problems, []);
  await page.close();
});

test('phone width (390x844): no sideways scroll, nav and banner visible', opts, async () => {
  const phone = await launchBrowser({ width: 390, height: 844 });
  try {
    const { page, problems } = await watchedPage(phone.context, server.url);
    for (const [id, title] of PAGES) {
      await page.goto(`${server.url}/#/${id}`);
      await page.locator('h1', { hasText: title }).waitFor();
      // The event stream (/v1/stream) keeps a request open, so the network
    // never goes idle on pages that subscribe: wait at most the idle budget.
    await page.waitForLoadState('networkidle', { timeout: 1500 }).catch(() => {});
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${id} scrolls sideways by ${overflow}px at 390 px`);
      assert.ok(await page.locator('.banner').isVisible());
      assert.ok(await page.getByRole('link', { name: 'Alerts' }).isVisible());
      await page.screenshot({ path: artifact(`phone-${id}.png`), fullPage: true });
    }
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    await phone.close();
  }
});

test('with an API token: the page asks for it, then the API answers', opts, async () => {
  const s = await startServer({ env: { WALLTRACK_API_TOKEN: 'browser-test-token' }, wallets: 100 });
  try {
    const { page, problems } = await watchedPage(browser.context, s.url);
    await page.goto(`${s.url}/#/config`);
    const tok = page.getByLabel('API token');
    await tok.waitFor();
    await tok.fill('browser-test-token');
    await page.getByRole('button', { name: 'Save' }).first().click();
    await page.locator('form.setting[data-setting="ui.setup_done"]').waitFor();
    // The 401s before the token was entered are expected; nothing else.
    assert.deepEqual(problems.filter((p) => !/status of 401/.test(p)), []);
    await page.evaluate(() => localStorage.clear());
    await page.close();
  } finally {
    await s.stop();
  }
});

test('clusters: the list, a cluster drawn by sigma, drill-down to a wallet, the blacklist button', opts, async () => {
  const { page, problems } = await watchedPage(browser.context, server.url);
  await page.goto(`${server.url}/#/clusters`);
  await page.locator('h1', { hasText: 'Clusters' }).waitFor();
  const link = page.getByTestId('cluster-link').first();
  await link.waitFor({ timeout: 5000 });
  await link.click();
  await page.getByTestId('cluster-status').waitFor();
  // sigma drew the members and the edges among them
  const graph = page.getByTestId('cluster-graph');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=cluster-graph]')?.dataset.nodes) >= 2, null, { timeout: 5000 });
  assert.ok(Number(await graph.getAttribute('data-edges')) >= 1);
  assert.ok((await graph.locator('canvas').count()) > 0);
  await page.screenshot({ path: artifact('cluster.png'), fullPage: true });
  // blacklist it
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Blacklist cluster' }).click();
  await page.waitForFunction(() => /^blacklisted/.test(document.querySelector('[data-testid=cluster-status]')?.textContent || ''));
  // drill down: a member's page shows its cluster and its relationships
  await page.locator('table tbody tr', { hasText: 'follower' }).first().locator('a').click();
  await page.getByTestId('wallet-status').waitFor();
  await page.locator('p', { hasText: 'In cluster' }).waitFor();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=cluster-graph]')?.dataset.nodes) >= 2, null, { timeout: 5000 });
  await page.screenshot({ path: artifact('wallet-neighbourhood.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('the vendored libraries load by name, and sigma draws a graph', opts, async () => {
  const { page, problems } = await watchedPage(browser.context, server.url);
  await page.goto(`${server.url}/#/config`);
  await page.locator('h1', { hasText: 'Config' }).waitFor();
  const r = await page.evaluate(async () => {
    const [{ default: Graph }, { default: Sigma }, { default: uPlot }] = await Promise.all([
      import('graphology'), import('sigma'), import('uplot'),
    ]);
    const el = document.createElement('div');
    el.style.cssText = 'width:300px;height:200px';
    document.body.appendChild(el);
    const g = new Graph();
    g.addNode('a', { x: 0, y: 0, size: 5, label: 'a' });
    g.addNode('b', { x: 1, y: 1, size: 5, label: 'b' });
    g.addEdge('a', 'b');
    const s = new Sigma(g, el);
    const out = { nodes: s.getGraph().order, canvases: el.querySelectorAll('canvas').length, uplot: typeof uPlot.paths.bars };
    s.kill();
    el.remove();
    return out;
  });
  assert.equal(r.nodes, 2);
  assert.ok(r.canvases > 0);
  assert.equal(r.uplot, 'function');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the harness catches console errors and foreign requests', opts, async () => {
  const { page, problems } = await watchedPage(browser.context, server.url);
  await page.goto(`${server.url}/#/config`);
  await page.evaluate(() => {
    console.error('planted error');
    fetch('http://192.0.2.1/x').catch(() => {});
  });
  await page.waitForTimeout(300);
  assert.ok(problems.some((p) => /planted error/.test(p)), problems.join('\n'));
  // The page's Content-Security-Policy (connect-src 'self') blocks the
  // request before the network sees it; the violation is a console error.
  assert.ok(problems.some((p) => /foreign host: http:\/\/192\.0\.2\.1\/x|192\.0\.2\.1\/x' violates the following Content Security Policy/.test(p)), problems.join('\n'));
  await page.close();
});

// Last, because it breaks the shared server's store for good: with the
// database file deleted under the daemon, /healthz answers 503, and the
// banner keeps the mode and says that database writes are failing
// (instead of claiming walltrack is not answering).
test('a deleted database shows in the banner, with the mode kept', opts, async () => {
  rmSync(join(server.dir, 'data', 'walltrack.db'));
  const page = await browser.context.newPage();
  await page.goto(`${server.url}/#/live`);
  const failing = page.locator('.banner[data-mode] .store-failing');
  await failing.waitFor({ timeout: 10000 });
  assert.match(await failing.innerText(), /database writes are failing: .*was deleted/);
  assert.match(await page.locator('.banner[data-mode]').innerText(), /^PAPER/);
  await page.screenshot({ path: artifact('store-failing.png') });
  await page.close();
});
