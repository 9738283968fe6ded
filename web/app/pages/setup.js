// Setup wizard (first run, until ui.setup_done is true): capital, risk per
// trade, score threshold, breaker limits and mode; the trading wallet's
// public key and balance; whether Helius is delivering; start discovery.
//
// The risk fields are the settings GET /v1/config actually has, found by
// name, so the wizard never invents a setting; their values are saved
// together, with ui.setup_done = true, through PUT /v1/config. The browser
// never sees a secret: the wallet comes from GET /v1/wallet (public key and
// balance only), Helius from GET /v1/status.
// Calls: GET /v1/config, PUT /v1/config, GET /v1/wallet, GET /v1/status,
// POST /v1/discovery/run.
import { useState } from 'preact/hooks';
import { html, useApi, Async, Problem, ActionButton, Fields, sol, when, ago, num } from '../ui.js';
import * as api from '../api.js';
import { saveSettings, parseValue } from './config.js';

// What the wizard asks, and the setting names that can answer it (the
// first one the server has wins).
const QUESTIONS = [
  ['Initial capital (SOL)', /^(risk|trade|sizing)\.capital(_sol)?$|^capital(_sol)?$/],
  ['Risk per trade', /^(risk|sizing)\.(risk_)?per_trade(_pct|_frac)?$|risk_per_trade/],
  ['Score threshold', /^(signal|score|scoring)\.threshold$|score_threshold/],
  ['Breaker: max drawdown', /^breakers?\.(max_)?drawdown/],
  ['Breaker: consecutive losses', /^breakers?\.(max_)?consecutive_loss/],
  ['Breaker: daily loss', /^breakers?\.(max_)?daily_loss/],
  ['Live trading allowed (mode)', /^live\.enabled$/],
];

function RiskForm({ settings, onSaved }) {
  const found = QUESTIONS.map(([label, re]) => [label, settings.find((s) => re.test(s.name))]);
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
        <p class="help">${s.help}${(s.type === 'int' || s.type === 'double') && ` Range ${num(s.min, 6)} … ${num(s.max, 6)}.`}${ro ? ' Set in the config file (not live).' : ''}</p>
      </div>`;
    })}
    <p class="muted">Paper mode is the default; live trading also needs a keypair and <code>walltrack serve --live</code>.</p>
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
      ${(w) => html`<p>Public key: <code class="addr">${w.pubkey || w.public_key || w.address || 'none configured'}</code></p>
        <p>Balance: ${sol(w.balance_sol ?? (typeof w.lamports === 'number' ? w.lamports / 1e9 : undefined))}</p>
        <${Fields} obj=${w} skip=${['pubkey', 'public_key', 'address', 'balance_sol', 'lamports']} />`}
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
        const inputs = s.inputs || {};
        const wh = Array.isArray(inputs) ? inputs.find((i) => /webhook|helius/.test(i.name)) : inputs.webhook || inputs.helius;
        if (!wh) return html`<p class="muted">The status reports no webhook input.</p>`;
        const last = wh.last_event_ms ?? wh.last_event ?? wh.last_ms;
        const ok = wh.ok === true || wh.status === 'ok';
        return html`<p class=${ok ? 'ok' : 'bad'}>${ok ? 'Receiving webhooks' : 'Not receiving'}; last event ${last ? `${when(last)} (${ago(last)})` : 'never'}.</p>`;
      }}
    </${Async}>
  </section>`;
}

function Discovery() {
  const [result, setResult] = useState(null);
  return html`<section class="card wizard-step" aria-labelledby="w4">
    <h2 id="w4">4. Wallet discovery</h2>
    <p>Finds wallets that made money on recent launches and scores them.</p>
    <${ActionButton} label="Start discovery" busyLabel="Starting…" run=${() => api.post('/v1/discovery/run')} onDone=${(r) => setResult(r || {})} />
    ${result && html`<p class="ok" role="status">Discovery started. <a href="#/wallets">See the wallets</a>.</p><${Fields} obj=${result} />`}
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
