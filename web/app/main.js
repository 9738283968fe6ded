// The dashboard's shell: the PAPER / LIVE banner (from /healthz), the nav,
// a hash router (#/live, #/wallets/<address>, …) so the server only ever
// serves index.html, the API token form, and the one /v1/stream connection
// whose events every page can follow.
import { render } from 'preact';
import { useState, useEffect } from 'preact/hooks';
import { html, live, ago } from './ui.js';
import * as api from './api.js';
import { SetupPage } from './pages/setup.js';
import { LivePage } from './pages/live.js';
import { PerformancePage } from './pages/performance.js';
import { WalletsPage, WalletPage } from './pages/wallets.js';
import { ClustersPage } from './pages/clusters.js';
import { AlertsPage } from './pages/alerts.js';
import { ConfigPage } from './pages/config.js';
import { ControlsPage } from './pages/controls.js';
import { BacktestPage } from './pages/backtest.js';

const PAGES = [
  ['live', 'Live', LivePage],
  ['performance', 'Performance', PerformancePage],
  ['wallets', 'Wallets', WalletsPage],
  ['clusters', 'Clusters', ClustersPage],
  ['alerts', 'Alerts', AlertsPage],
  ['backtest', 'Backtest', BacktestPage],
  ['config', 'Config', ConfigPage],
  ['controls', 'Controls', ControlsPage],
  ['setup', 'Setup', SetupPage],
];

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  return { page: parts[0] || '', args: parts.slice(1) };
}

function useHash() {
  const [route, setRoute] = useState(parseHash());
  useEffect(() => {
    const fn = () => setRoute(parseHash());
    addEventListener('hashchange', fn);
    return () => removeEventListener('hashchange', fn);
  }, []);
  return route;
}

function Banner({ health, error }) {
  if (error)
    return html`<div class="banner down" role="alert">walltrack is not answering: ${error.message}</div>`;
  if (!health) return html`<div class="banner">…</div>`;
  const isLive = health.mode === 'live';
  return html`<div class=${`banner ${isLive ? 'live' : 'paper'}`} data-mode=${health.mode}>
    <strong>${isLive ? 'LIVE' : 'PAPER'}</strong>
    <span>${isLive ? 'real trades with real SOL' : 'simulated trades, no real money'}</span>
    <span class="muted">v${health.version} · up ${health.uptime_s} s</span>
    ${health.status === 'unhealthy' &&
    html`<span role="alert" class="store-failing">database writes are failing: ${(health.store && health.store.error) || 'see the log'}</span>`}
  </div>`;
}

function TokenForm({ onClose }) {
  const [val, setVal] = useState(api.getToken());
  function save(e) {
    e.preventDefault();
    api.setToken(val.trim());
    onClose();
  }
  return html`<form class="token-form" onSubmit=${save}>
    <label for="api-token">API token</label>
    <input id="api-token" type="password" autocomplete="off" value=${val} onInput=${(e) => setVal(e.target.value)} />
    <button type="submit">Save</button>
    <button type="button" onClick=${() => { api.setToken(''); onClose(); }}>Forget</button>
    <span class="muted">Kept in this browser only (localStorage).</span>
  </form>`;
}

function StreamState({ state }) {
  let text = 'live updates: connecting';
  let cls = 'pending';
  if (state === 'open') [text, cls] = ['live updates: on', 'ok'];
  else if (state === 'closed') [text, cls] = ['live updates: reconnecting', 'pending'];
  else if (state instanceof api.ApiError)
    [text, cls] = [state.missing ? 'live updates: not served by this walltrack' : `live updates: ${state.message}`, 'bad'];
  return html`<span class=${`stream-state ${cls}`} role="status">${text}</span>`;
}

function App() {
  const route = useHash();
  const [health, setHealth] = useState(null);
  const [healthErr, setHealthErr] = useState(null);
  const [showToken, setShowToken] = useState(false);
  const [streamState, setStreamState] = useState('connecting');
  const [authTick, setAuthTick] = useState(0);
  const [setupDone, setSetupDone] = useState(null);

  useEffect(() => {
    let t;
    const poll = () =>
      api
        .get('/healthz')
        .then((h) => { setHealth(h); setHealthErr(null); })
        // 503 is an answer too: the daemon is up but its store is failing.
        .catch((e) => {
          if (e.status === 503 && e.body && e.body.mode) { setHealth(e.body); setHealthErr(null); }
          else setHealthErr(e);
        })
        .finally(() => { t = setTimeout(poll, 15000); });
    poll();
    return () => clearTimeout(t);
  }, []);

  useEffect(
    () =>
      api.onAuthChange((refused) => {
        if (refused) setShowToken(true);
        else setAuthTick((n) => n + 1);
      }),
    [],
  );

  useEffect(() => api.stream((ev) => live.push(ev), setStreamState), [authTick]);

  // First run: no ui.setup_done yet sends the operator to the wizard.
  useEffect(() => {
    api
      .get('/v1/config')
      .then((c) => {
        const s = (c.settings || []).find((x) => x.name === 'ui.setup_done');
        const done = !!(s && s.value === true);
        setSetupDone(done);
        if (!done && !route.page) location.hash = '#/setup';
      })
      .catch(() => setSetupDone(null));
  }, [authTick]);

  useEffect(() => {
    if (!route.page && setupDone === true) location.hash = '#/live';
  }, [route.page, setupDone]);

  const page = PAGES.find((p) => p[0] === route.page) || (route.page ? null : PAGES[0]);
  const Page = page ? page[2] : null;
  useEffect(() => {
    document.title = `${page ? page[1] : 'Not found'} · walltrack${health && health.mode === 'live' ? ' · LIVE' : ''}`;
    const main = document.getElementById('main');
    if (main && route.page) main.focus({ preventScroll: true });
  }, [route.page, route.args.join('/'), health && health.mode]);

  return html`
    <a class="skip" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById('main').focus(); }}>Skip to content</a>
    <${Banner} health=${health} error=${healthErr} />
    <header class="top">
      <span class="brand">walltrack</span>
      <nav aria-label="Pages">
        <ul>
          ${PAGES.map(
            ([id, label]) => html`<li>
              <a href=${`#/${id}`} aria-current=${page && page[0] === id ? 'page' : undefined}>${label}</a>
            </li>`,
          )}
        </ul>
      </nav>
      <div class="tools">
        <${StreamState} state=${streamState} />
        <button class="small" aria-expanded=${showToken} onClick=${() => setShowToken(!showToken)}>Token</button>
      </div>
    </header>
    ${showToken && html`<${TokenForm} onClose=${() => setShowToken(false)} />`}
    <main id="main" tabindex="-1" key=${`${authTick}`}>
      ${Page
        ? html`<${Page} args=${route.args} health=${health} onSetupDone=${() => setSetupDone(true)} />`
        : html`<h1>Not found</h1><p>No page “${route.page}”. <a href="#/live">Go to Live</a>.</p>`}
    </main>
    <footer class="muted">Last live event: ${live.events.length ? ago(live.events[0].at) : 'none yet'}</footer>
  `;
}

const root = document.getElementById('root');
root.textContent = ''; // the boot message
render(html`<${App} />`, root);
