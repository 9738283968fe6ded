// Live: is the engine running or paused, the health of each input, the
// circuit breakers, open positions (PnL and exit strategy, editable) and
// pending and recent signals with their factors and the reason for each
// decision. Refreshes when /v1/stream reports something.
// Calls: GET /v1/status, GET /v1/positions, PUT /v1/positions/<id>,
// GET /v1/signals, GET /v1/config (the exit strategy names), /v1/stream.
import { useState, useRef } from 'preact/hooks';
import {
  html, useApi, Async, Table, Fields, Empty, ActionButton, useLive, rowsOf,
  sol, pct, num, signed, when, short, isNum,
} from '../ui.js';
import * as api from '../api.js';

function StatusCard({ status }) {
  const paused = status.paused === true || status.state === 'paused';
  const state = status.state || (paused ? 'paused' : 'running');
  return html`<section class="card" aria-labelledby="st-h">
    <h2 id="st-h">Engine</h2>
    <p class=${`state ${paused ? 'bad' : 'ok'}`} data-testid="engine-state">${state.toUpperCase()}</p>
    ${status.pause_reason && html`<p>Paused because: ${status.pause_reason}</p>`}
    <${Fields} obj=${status} skip=${['state', 'paused', 'pause_reason', 'mode']} />
  </section>`;
}

function Inputs({ inputs }) {
  const list = Array.isArray(inputs)
    ? inputs
    : Object.entries(inputs || {}).map(([name, v]) => ({ name, ...(typeof v === 'object' ? v : { ok: v }) }));
  return html`<section class="card" aria-labelledby="in-h">
    <h2 id="in-h">Inputs</h2>
    ${list.length
      ? html`<ul class="health">
          ${list.map((i) => {
            const ok = i.ok === true || i.status === 'ok' || i.healthy === true;
            return html`<li class=${ok ? 'ok' : 'bad'}>
              <strong>${i.name}</strong> <span>${ok ? 'OK' : i.status || 'DOWN'}</span>
              <${Fields} obj=${i} skip=${['name', 'ok', 'status', 'healthy']} />
            </li>`;
          })}
        </ul>`
      : html`<${Empty}>The status reports no inputs.</${Empty}>`}
  </section>`;
}

function Breakers({ breakers }) {
  const list = Array.isArray(breakers)
    ? breakers
    : Object.entries(breakers || {}).map(([name, v]) => ({ name, ...(typeof v === 'object' ? v : { tripped: v }) }));
  return html`<section class="card" aria-labelledby="br-h">
    <h2 id="br-h">Circuit breakers</h2>
    ${list.length
      ? html`<ul class="health">
          ${list.map((b) => {
            const tripped = b.tripped === true || b.state === 'tripped' || b.triggered === true;
            return html`<li class=${tripped ? 'bad' : 'ok'}>
              <strong>${b.name}</strong> <span>${tripped ? 'TRIPPED' : 'armed'}</span>
              <${Fields} obj=${b} skip=${['name', 'tripped', 'state', 'triggered']} />
            </li>`;
          })}
        </ul>`
      : html`<${Empty}>No breaker is reported.</${Empty}>`}
  </section>`;
}

function ExitEditor({ pos, strategies, onSaved }) {
  const current = pos.exit_strategy || pos.strategy || '';
  const [val, setVal] = useState(current);
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const id = pos.id ?? pos.position_id;
  async function save() {
    setBusy(true);
    setErr(null);
    try {
      await api.put(`/v1/positions/${encodeURIComponent(id)}`, { exit_strategy: val });
      onSaved();
    } catch (e) {
      setErr(e);
    } finally {
      setBusy(false);
    }
  }
  const options = [...new Set([current, ...strategies].filter(Boolean))];
  return html`<span class="exit-edit">
    <label class="sr-only" for=${`exit-${id}`}>Exit strategy of position ${id}</label>
    ${options.length > 1
      ? html`<select id=${`exit-${id}`} value=${val} onChange=${(e) => setVal(e.target.value)}>
          ${options.map((o) => html`<option value=${o}>${o}</option>`)}
        </select>`
      : html`<input id=${`exit-${id}`} value=${val} size="10" onInput=${(e) => setVal(e.target.value)} />`}
    <button class="small" disabled=${busy || val === current} onClick=${save}>Set</button>
    ${err && html`<span class="error inline" role="alert">${err.message}</span>`}
  </span>`;
}

function Positions({ res, strategies }) {
  return html`<section aria-labelledby="pos-h">
    <h2 id="pos-h">Open positions</h2>
    <${Async} res=${res} what="Positions">
      ${(data) => html`<${Table}
        caption="Open positions"
        rows=${rowsOf(data, 'positions')}
        empty="No open position."
        rowKey=${(p) => p.id ?? p.position_id}
        columns=${[
          { label: 'Token', render: (p) => html`<span title=${p.mint}>${p.symbol || short(p.mint)}</span>` },
          { label: 'Opened', render: (p) => when(p.opened_at ?? p.open_time ?? p.entry_time) },
          { label: 'Size', num: true, render: (p) => sol(p.size_sol ?? p.cost_sol ?? p.entry_sol) },
          { label: 'Entry', num: true, render: (p) => num(p.entry_price, 10) },
          { label: 'Price', num: true, render: (p) => num(p.price ?? p.last_price, 10) },
          { label: 'PnL', num: true, render: (p) => signed(p.pnl_sol ?? p.unrealized_pnl_sol, (x) => sol(x)) },
          { label: 'PnL %', num: true, render: (p) => (isNum(p.pnl_pct) ? pct(p.pnl_pct) : '—') },
          { label: 'Exit strategy', render: (p) => html`<${ExitEditor} pos=${p} strategies=${strategies} onSaved=${res.reload} />` },
        ]}
      />`}
    </${Async}>
  </section>`;
}

function Factors({ f }) {
  if (!f || typeof f !== 'object') return '—';
  return html`<ul class="factors">
    ${Object.entries(f).map(([k, v]) => html`<li><span>${k}</span> ${isNum(v) ? num(v, 3) : String(v)}</li>`)}
  </ul>`;
}

function Signals({ res }) {
  return html`<section aria-labelledby="sig-h">
    <h2 id="sig-h">Signals</h2>
    <${Async} res=${res} what="Signals">
      ${(data) => html`<${Table}
        caption="Pending and recent signals"
        rows=${rowsOf(data, 'signals')}
        empty="No signal yet."
        columns=${[
          { label: 'Time', render: (s) => when(s.time ?? s.ts_ms ?? s.created_at) },
          { label: 'Token', render: (s) => html`<span title=${s.mint}>${s.symbol || short(s.mint)}</span>` },
          { label: 'Wallet', render: (s) => (s.wallet ? html`<a href=${`#/wallets/${s.wallet}`}>${short(s.wallet)}</a>` : '—') },
          { label: 'Score', num: true, render: (s) => num(s.score, 3) },
          { label: 'Factors', render: (s) => html`<${Factors} f=${s.factors} />` },
          { label: 'Decision', render: (s) => html`<span class=${`decision ${s.decision || ''}`}>${s.decision || s.status || '—'}</span>` },
          { label: 'Reason', render: (s) => s.reason || '—' },
        ]}
      />`}
    </${Async}>
  </section>`;
}

function LiveFeed() {
  const events = useLive();
  return html`<section aria-labelledby="feed-h">
    <h2 id="feed-h">Live events</h2>
    ${events.length
      ? html`<ol class="feed" aria-live="polite" data-testid="live-feed">
          ${events.slice(0, 15).map(
            (e) => html`<li><time>${when(e.at)}</time> <strong>${e.type}</strong>
              <code>${typeof e.data === 'string' ? e.data : JSON.stringify(e.data).slice(0, 200)}</code></li>`,
          )}
        </ol>`
      : html`<${Empty}>No live event since this page opened.</${Empty}>`}
  </section>`;
}

export function LivePage() {
  const status = useApi('/v1/status');
  const positions = useApi('/v1/positions', { status: 'open', limit: 100 });
  const signals = useApi('/v1/signals', { limit: 50 });
  const config = useApi('/v1/config');
  const pending = useRef(null);
  // Debounced: a burst of events reloads once.
  useLive(() => {
    clearTimeout(pending.current);
    pending.current = setTimeout(() => {
      status.reload();
      positions.reload();
      signals.reload();
    }, 300);
  });
  const strategies = (config.data?.settings || [])
    .filter((s) => /^exit\.strateg/.test(s.name) && typeof s.value === 'string')
    .flatMap((s) => s.value.split(/[,\s]+/))
    .filter(Boolean);
  return html`<h1>Live</h1>
    <div class="grid">
      <${Async} res=${status} what="Engine status (GET /v1/status)">
        ${(s) => html`<${StatusCard} status=${s} /><${Inputs} inputs=${s.inputs} /><${Breakers} breakers=${s.breakers} />`}
      </${Async}>
    </div>
    <${Positions} res=${positions} strategies=${strategies} />
    <${Signals} res=${signals} />
    <${LiveFeed} />`;
}
