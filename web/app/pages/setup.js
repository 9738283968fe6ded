// Setup wizard (first run, until ui.setup_done is true): capital, risk per
// trade, score threshold, breaker limits and mode; the trading wallet's
// public key and balance; whether Helius is delivering; start discovery.
//
// The risk fields are the settings GET /v1/config actually has, found by
// name, so the wizard never invents a setting; their values are saved
// together, with ui.setup_done = true, through PUT /v1/config. The browser
// never sees a secret: the wallet comes from GET /v1/wallet ({configured,
// pubkey, balance_sol, mode, detail}), Helius from GET /v1/status
// (inputs.webhook); POST /v1/discovery/run runs discovery and answers
// {watchlist, candidates, added, ms}.
// Calls: GET /v1/config, PUT /v1/config, GET /v1/wallet, GET /v1/status,
// POST /v1/discovery/run, GET /v1/discovery (the chain crawl's progress).
import { useState, useEffect } from 'preact/hooks';
import { html, useApi, Async, Problem, ActionButton, Dl, sol, when, ago, num } from '../ui.js';
import * as api from '../api.js';
import { saveSettings, parseValue } from './config.js';

// What the wizard asks, and the setting that answers it (docs/config.md).
// Settings that are not live-editable (the paper capital, live.enabled)
// are shown with their value and where to change them.
const QUESTIONS = [
  ['Paper capital (SOL)', 'trade.paper_capital_sol'],
  ['Risk per trade (fraction of equity)', 'trade.risk_per_trade'],
  ['Score threshold (0–1)', 'signal.threshold'],
  ['Breaker: max drawdown from peak (fraction)', 'breakers.max_drawdown'],
  ['Breaker: losses in a row', 'breakers.max_loss_streak'],
  ['Breaker: min profit factor over the last trades (0: off)', 'breakers.min_profit_factor'],
  ['Breaker: min win rate (fraction; 0: off)', 'breakers.min_win_rate'],
  ['Breaker: hours without a signal', 'breakers.silence_hours'],
  ['Live trading allowed (mode)', 'live.enabled'],
];

function RiskForm({ settings, onSaved }) {
  const found = QUESTIONS.map(([label, name]) => [label, settings.find((s) => s.name === name)]);
  const [vals, setVals] = useState(Object.fromEntries(found.filter(([, s]) => s).map(([, s]) => [s.name, s.value])));
  const [err, setErr] = useState(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  async function submit(e) {
    e.preventDefault();
    setErr(null);
    const out = { 'ui.setup_done': true };
    for (const [, s] of found) {
      if (!s || !s.live) continue;
      const v = parseValue(s, vals[s.name]);
      if (v instanceof Error) return setErr(v);
      out[s.name] = v;
    }
    setBusy(true);
    try {
      await saveSettings(out);
      setSaved(true);
      onSaved();
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  }
  return html`<form class="card wizard-step" noValidate onSubmit=${submit} aria-labelledby="w1">
    <h2 id="w1">1. Capital, risk and mode</h2>
    ${found.map(([label, s]) => {
      if (!s) return html`<p class="muted">${label}: this walltrack has no such setting yet.</p>`;
      const id = `w-${s.name.replace(/\W/g, '-')}`;
      const ro = !s.live;
      return html`<div class="setting">
        <label for=${id}>${label} <code>${s.name}</code></label>
        <div class="control">
          ${s.type === 'bool'
            ? html`<input id=${id} type="checkbox" disabled=${ro} checked=${vals[s.name] === true} onChange=${(e) => setVals({ ...vals, [s.name]: e.target.checked })} />`
            : html`<input id=${id} disabled=${ro} inputmode="decimal" value=${vals[s.name]} onInput=${(e) => setVals({ ...vals, [s.name]: e.target.value })} />`}
        </div>
        <p class="help">${s.help}${(s.type === 'int' || s.type === 'double') && ` Range ${num(s.min, 6)} … ${num(s.max, 6)}.`}${ro ? ` Not changeable while running: set it in the configuration file or with --set ${s.name}=… and restart.` : ''}</p>
      </div>`;
    })}
    <p class="muted">Paper mode is the default; live trading also needs <code>live.enabled</code>, a keypair and <code>walltrack serve --live</code>.</p>
    <div class="buttons"><button type="submit" disabled=${busy}>${busy ? 'Saving…' : 'Save and finish setup'}</button></div>
    ${err && html`<${Problem} error=${err} what="Saving" />`}
    ${saved && html`<p class="ok" role="status" data-testid="setup-saved">Saved. <a href="#/live">Go to Live</a>.</p>`}
  </form>`;
}

function Wallet() {
  const res = useApi('/v1/wallet');
  return html`<section class="card wizard-step" aria-labelledby="w2">
    <h2 id="w2">2. Trading wallet</h2>
    <${Async} res=${res} what="The trading wallet (GET /v1/wallet)">
      ${(w) => html`<p class=${w.configured ? 'ok' : 'bad'} data-testid="wallet-configured">${w.configured ? 'A trading keypair is configured.' : 'No trading keypair is configured.'}</p>
        <${Dl} items=${[
          ['Public key', w.pubkey ? html`<code class="addr">${w.pubkey}</code>` : 'none'],
          ['Balance', w.balance_sol === null ? 'unknown' : sol(w.balance_sol)],
          ['Mode', w.mode === 'live' ? 'LIVE' : 'PAPER'],
        ]} />
        ${w.detail && html`<p class="help">${w.detail}</p>`}`}
    </${Async}>
    <p class="muted">The keypair itself stays on the server (a 0600 file); the dashboard only sees the public key.</p>
  </section>`;
}

function Helius() {
  const res = useApi('/v1/status');
  return html`<section class="card wizard-step" aria-labelledby="w3">
    <h2 id="w3">3. Helius</h2>
    <${Async} res=${res} what="Input health (GET /v1/status)">
      ${(s) => {
        const wh = s.inputs && s.inputs.webhook;
        if (!wh) return html`<p class="muted">The status reports no webhook input.</p>`;
        const ok = wh.status === 'ok';
        return html`<p class=${ok ? 'ok' : 'bad'} data-testid="helius-status">Webhook: ${wh.status}${ok ? ' (receiving)' : ''}.</p>
          <${Dl} items=${[
            ['Last delivery', wh.last_received_ms ? `${when(wh.last_received_ms)} (${ago(wh.last_received_ms)})` : 'never'],
            ['Last event (block time)', when(wh.last_event_ms)],
            ['Events received', num(wh.events, 0)],
            ['Webhook secret', wh.secret_configured ? 'configured' : 'not configured: set WALLTRACK_WEBHOOK_SECRET, deliveries are refused until then'],
          ]} />`;
      }}
    </${Async}>
    <p class="muted">Create the webhook with <code>walltrack helius webhook create</code>; it delivers to <code>/webhooks/helius</code>.</p>
  </section>`;
}

// The chain crawl's progress (GET /v1/discovery): the newest run's state,
// phase, tokens and wallets done, requests against its budget and ETA,
// whichever process runs it (`serve`'s schedule or `walltrack discover
// --chain`), refreshed every second while it runs and every 5 s otherwise
// (so a crawl started elsewhere shows up).
const CRAWL_STATES = {
  idle: 'No chain crawl has run on this database.',
  running: 'A chain crawl is running.',
  done: 'The last chain crawl finished.',
  budget: 'The last chain crawl stopped at its request budget; the next run goes on.',
  failed: 'The last chain crawl stopped on an error (see the log).',
  interrupted: 'The last chain crawl stopped without finishing (its process ended); the next run resumes it.',
};

function CrawlProgress() {
  const res = useApi('/v1/discovery');
  const running = res.data && res.data.crawl && res.data.crawl.run && res.data.crawl.run.state === 'running';
  useEffect(() => {
    const t = setInterval(res.reload, running ? 1000 : 5000);
    return () => clearInterval(t);
  }, [res.reload, running]);
  return html`<div class="crawl" aria-live="polite" data-testid="crawl-progress">
    <h3>Chain crawl</h3>
    <${Async} res=${res} what="The chain crawl (GET /v1/discovery)">
      ${(d) => {
        const c = d.crawl || {};
        const r = c.run || { state: 'idle' };
        const t = c.tokens || {};
        const w = c.wallets || {};
        const pct = (a, b) => (b > 0 ? html` <progress max=${b} value=${a}>${num((100 * a) / b, 0)}%</progress>` : '');
        return html`<p class=${r.state === 'failed' || r.state === 'interrupted' ? 'bad' : r.state === 'running' ? '' : 'ok'} data-testid="crawl-state" data-state=${r.state}>${CRAWL_STATES[r.state] || r.state}</p>
          ${r.state !== 'idle' && html`<${Dl} items=${[
            ['Phase', html`<span data-testid="crawl-phase">${r.phase || '—'}</span>`],
            ['Tokens', html`<span data-testid="crawl-tokens">${num(r.tokens_done, 0)} of ${num(r.tokens, 0)}</span>${pct(r.tokens_done, r.tokens)}`],
            ['Wallets', html`<span data-testid="crawl-wallets">${num(r.wallets_done, 0)} of ${num(r.wallets, 0)}</span>${pct(r.wallets_done, r.wallets)}`],
            ['Requests', html`<span data-testid="crawl-requests">${num(r.requests, 0)}${r.budget > 0 ? ` of a budget of ${num(r.budget, 0)}` : ' (no budget)'}</span>`],
            ['ETA', html`<span data-testid="crawl-eta">${r.state !== 'running' ? '—' : r.eta_s === null ? 'unknown' : `${num(r.eta_s, 0)} s`}</span>`],
            ['Started', `${when(r.started_ms)} (${ago(r.started_ms)})`],
            ['Last progress', `${when(r.updated_ms)} (${ago(r.updated_ms)})`],
          ]} />`}
          <p class="help">In all: tokens ${num(t.done, 0)} done, ${num(t.pending, 0)} pending, ${num(t.skipped, 0)} skipped; wallets ${num(w.done, 0)} done, ${num(w.pending, 0)} pending, ${num(w.skipped, 0)} skipped; <span data-testid="crawl-requests-all">${num(c.requests, 0)}</span> requests.</p>`;
      }}
    </${Async}>
    <p class="muted">The crawl collects launches and their early buyers from Helius before discovery (<code>walltrack discover --chain</code>, or <code>serve</code> with <code>discovery.chain_crawl</code>).</p>
  </div>`;
}

function Discovery() {
  const [result, setResult] = useState(null);
  return html`<section class="card wizard-step" aria-labelledby="w4">
    <h2 id="w4">4. Wallet discovery</h2>
    <p>Profiles every wallet in the database, scores it and fills the watchlist. It runs on a schedule too (<code>discovery.interval_min</code>); this runs it now and waits for it.</p>
    <${ActionButton} label="Run discovery now" busyLabel="Running discovery…" run=${() => api.post('/v1/discovery/run')} onDone=${setResult} />
    <${CrawlProgress} />
    ${result && html`<p class="ok" role="status" data-testid="discovery-done">Discovery ran in ${num(result.ms, 0)} ms: ${num(result.candidates, 0)} candidates, ${num(result.added, 0)} added; the watchlist now has ${num(result.watchlist, 0)} wallets. <a href="#/wallets">See the wallets</a>.</p>`}
  </section>`;
}

export function SetupPage({ onSetupDone }) {
  const cfg = useApi('/v1/config');
  return html`<h1>Setup</h1>
    <p>Four steps to a running walltrack. You can come back here any time from the nav.</p>
    <${Async} res=${cfg} what="Settings (GET /v1/config)">
      ${(c) => html`<${RiskForm} settings=${c.settings || []} onSaved=${() => { cfg.reload(); onSetupDone && onSetupDone(); }} />`}
    </${Async}>
    <${Wallet} />
    <${Helius} />
    <${Discovery} />`;
}
