// Live: is the engine running or paused, its equity, the health of each
// input, the circuit breakers, the open positions (PnL and exit strategy,
// which can be changed) and the recent signals with their factors and the
// reason for each decision. Shapes: docs/api.md, "Operator API" (times are
// Unix ms, amounts lamports or SOL as the field name says).
// Calls: GET /v1/status, GET /v1/positions, GET /v1/exits (the strategy
// names), PUT /v1/positions/<id>/strategy,
// POST /v1/positions/<id>/close, GET /v1/signals, /v1/stream (through
// main.js). Reloads on stream events, and polls status and positions every
// 10 s for prices (position events mark openings, sales and closings only).
import { useState, useRef, useEffect } from 'preact/hooks';
import {
  html, useApi, Async, Table, Empty, Dl, ActionButton, CursorPager, useCursor, useLive,
  sol, lsol, lamports, num, pctPoints, signed, when, ago, short, isNum,
} from '../ui.js';
import * as api from '../api.js';

/** The names of the exit book's strategies (GET /v1/exits), for the
 * positions' strategy choice; the built-in two until it has loaded. */
function useStrategyNames() {
  const res = useApi('/v1/exits');
  return res.data ? res.data.strategies.map((x) => x.strategy.name) : ['default', 'runner'];
}

/** Engine event types of /v1/stream that change what this page shows. */
const RELOAD_ON = new Set(['signal', 'order', 'fill', 'position', 'trade', 'alert']);

function StatusCard({ s }) {
  const paused = s.state === 'paused';
  const e = s.equity || {};
  const c = s.counters || {};
  return html`<section class="card" aria-labelledby="st-h">
    <h2 id="st-h">Engine</h2>
    <p class=${`state ${paused ? 'bad' : 'ok'}`} data-testid="engine-state">${paused ? 'PAUSED' : 'RUNNING'}</p>
    ${!s.entries_allowed && html`<p class="bad">New entries are stopped (a tripped breaker or the operator pause).</p>`}
    ${s.size_reduced && html`<p class="bad">Sizes are halved (loss-streak breaker).</p>`}
    <${Dl} items=${[
      ['Equity', sol(lamports(e.equity_lamports))],
      ['Peak equity', sol(lamports(e.peak_equity_lamports))],
      ['Cash', sol(lamports(e.cash_lamports))],
      ['Open positions value', sol(lamports(e.open_value_lamports))],
      ['Realized PnL', signed(lamports(e.realized_pnl_lamports), (x) => sol(x))],
      ['Capital', sol(lamports(e.capital_lamports))],
      ['Positions', s.positions ? `${s.positions.open} of ${s.positions.max} · ${s.positions.pending_orders} orders pending` : null],
      ['Watchlist', s.watchlist ? `${num(s.watchlist.watched, 0)} watched · ${num(s.watchlist.blacklisted, 0)} blacklisted` : null],
      ['Score threshold', s.scoring ? num(s.scoring.threshold, 3) : null],
      ['Signals', `${num(c.signals, 0)} · ${num(c.traded, 0)} traded`],
      ['Last signal', c.last_signal_ms ? ago(c.last_signal_ms) : 'none yet'],
      ['Orders', `${num(c.orders, 0)} · ${num(c.fills_failed, 0)} failed`],
      ['Closed', `${num(c.positions_closed, 0)} · ${num(c.wins, 0)} won, ${num(c.losses, 0)} lost`],
      ['Version', `${s.version} · up ${num(s.uptime_s, 0)} s`],
    ]} />
  </section>`;
}

function Inputs({ inputs }) {
  const list = Object.entries(inputs || {});
  const names = { webhook: 'Helius webhook', helius_webhook: 'Webhook addresses', rpc: 'Solana RPC', dexscreener: 'DexScreener', jupiter: 'Jupiter' };
  return html`<section class="card" aria-labelledby="in-h">
    <h2 id="in-h">Inputs</h2>
    ${list.length
      ? html`<ul class="health">
          ${list.map(([name, i]) => {
            const cls = ['ok', 'configured', 'in_sync'].includes(i.status) ? 'ok' : ['not configured', 'not used', 'disabled', 'off', 'standby'].includes(i.status) ? 'off' : 'bad';
            return html`<li class=${cls} data-input=${name}>
              <strong>${names[name] || name}</strong> <span class="input-status">${i.status}</span>
              ${name === 'webhook'
                ? html`<${Dl} items=${[
                    ['Last event (block time)', when(i.last_event_ms)],
                    ['Last delivery', i.last_received_ms ? `${when(i.last_received_ms)} (${ago(i.last_received_ms)})` : 'never'],
                    ['Events', num(i.events, 0)],
                    ['Re-deliveries', num(i.duplicates, 0)],
                    ['Secret', i.secret_configured ? 'configured' : 'not configured: deliveries are refused'],
                  ]} />`
                : name === 'helius_webhook' && i.status === 'standby'
                ? html`<p class="help">This node is a standby: the leader keeps the webhook's addresses.</p>`
                : name === 'helius_webhook' && i.status !== 'off'
                ? html`<p class="help">${num(i.registered, 0)} registered of ${num(i.watched, 0)} watched${i.error ? ` · ${i.error}` : ''}</p>`
                : i.detail && html`<p class="help">${i.detail}</p>`}
            </li>`;
          })}
        </ul>`
      : html`<${Empty}>The status reports no inputs.</${Empty}>`}
  </section>`;
}

const BREAKER_NAMES = {
  drawdown: 'Drawdown',
  win_rate: 'Win rate',
  loss_streak: 'Loss streak',
  signal_silence: 'Signal silence',
  operator: 'Operator pause',
};

export function Breakers({ breakers, children }) {
  const list = Object.entries(breakers || {});
  return html`<section class="card" aria-labelledby="br-h">
    <h2 id="br-h">Circuit breakers</h2>
    ${list.length
      ? html`<ul class="health">
          ${list.map(([name, b]) => html`<li class=${b.active ? 'bad' : 'ok'} data-breaker=${name}>
            <strong>${BREAKER_NAMES[name] || name}</strong>${' '}
            <span class="input-status">${b.active ? (name === 'operator' ? 'ON' : 'TRIPPED') : name === 'operator' ? 'off' : 'armed'}</span>
            ${b.active && html`<span class="muted"> since ${when(b.since_ms)}</span>`}
            ${b.reason && html`<p class="help">${b.reason}</p>`}
            ${children && children(name, b)}
          </li>`)}
        </ul>`
      : html`<${Empty}>No breaker is reported.</${Empty}>`}
  </section>`;
}

function StrategyEditor({ pos, names, onSaved }) {
  const [val, setVal] = useState(pos.strategy);
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  async function save() {
    setBusy(true);
    setErr(null);
    try {
      await api.put(`/v1/positions/${pos.id}/strategy`, { strategy: val });
      onSaved();
    } catch (e) {
      setErr(e);
    } finally {
      setBusy(false);
    }
  }
  const options = [...new Set([pos.strategy, ...names])];
  return html`<span class="exit-edit">
    <label class="sr-only" for=${`exit-${pos.id}`}>Exit strategy of position ${pos.id}</label>
    <select id=${`exit-${pos.id}`} value=${val} onChange=${(e) => setVal(e.target.value)}>
      ${options.map((o) => html`<option value=${o}>${o}</option>`)}
    </select>
    <button class="small" disabled=${busy || val === pos.strategy} onClick=${save}>Set</button>
    ${err && html`<span class="error inline" role="alert">${err.message}</span>`}
  </span>`;
}

function Positions({ res }) {
  const names = useStrategyNames();
  return html`<section aria-labelledby="pos-h">
    <h2 id="pos-h">Open positions</h2>
    <${Async} res=${res} what="Positions (GET /v1/positions)">
      ${(data) => html`<${Table}
        caption="Open positions"
        rows=${data.positions}
        empty="No open position."
        rowKey=${(p) => p.id}
        columns=${[
          { label: 'Token', render: (p) => html`<span title=${p.mint}>${short(p.mint)}</span>` },
          { label: 'Copied wallet', render: (p) => html`<a href=${`#/wallets/${p.wallet}`} title=${p.wallet}>${short(p.wallet)}</a>` },
          { label: 'Opened', render: (p) => when(p.entry_ts_ms) },
          { label: 'Cost', num: true, render: (p) => lsol(p.cost_lamports) },
          { label: 'Value', num: true, render: (p) => lsol(p.value_lamports) },
          { label: 'Entry price', num: true, render: (p) => `${num(p.entry_price, 12)}` },
          { label: 'Last price', num: true, render: (p) => html`<span title=${`at ${when(p.last_ts_ms)}`}>${num(p.last_price, 12)}</span>` },
          { label: 'Unrealized', num: true, render: (p) => signed(lamports(p.unrealized_pnl_lamports), (x) => sol(x)) },
          { label: 'Realized', num: true, render: (p) => signed(lamports(p.realized_pnl_lamports), (x) => sol(x)) },
          {
            label: 'PnL %',
            num: true,
            render: (p) =>
              p.cost_lamports > 0
                ? signed((100 * (p.unrealized_pnl_lamports + p.realized_pnl_lamports)) / p.cost_lamports, (x) => pctPoints(x))
                : '—',
          },
          { label: 'Sales', render: (p) => (p.n_sales ? `${p.n_sales} · last ${p.last_exit}` : 'none') },
          { label: 'State', render: (p) => p.status },
          { label: 'Exit strategy', render: (p) => html`<${StrategyEditor} key=${`${p.id}-${p.strategy}`} pos=${p} names=${names} onSaved=${res.reload} />` },
          {
            label: 'Close',
            render: (p) => html`<${ActionButton} label="Sell all" busyLabel="Selling…" danger
              confirm=${`Sell all of position ${p.id} (${short(p.mint)}) now?`}
              run=${() => api.post(`/v1/positions/${p.id}/close`)} onDone=${res.reload} />`,
          },
        ]}
      />`}
    </${Async}>
  </section>`;
}

function Factors({ f }) {
  if (!f || typeof f !== 'object') return '—';
  return html`<ul class="factors">
    ${['wallet', 'cluster', 'token', 'context'].map((k) => html`<li><span>${k}</span> ${num(f[k], 3)}</li>`)}
  </ul>`;
}

const DECISIONS = [['', 'all'], ['trade', 'traded'], ['skip', 'skipped'], ['blocked', 'blocked']];

function Signals({ res, cursor, decision, setDecision }) {
  return html`<section aria-labelledby="sig-h">
    <h2 id="sig-h">Signals</h2>
    <div class="filters">
      <label>Decision <select value=${decision} onChange=${(e) => { setDecision(e.target.value); cursor.reset(); }}>
        ${DECISIONS.map(([v, l]) => html`<option value=${v}>${l}</option>`)}
      </select></label>
    </div>
    <${Async} res=${res} what="Signals (GET /v1/signals)">
      ${(data) => html`<${Table}
          caption="Recent signals, newest first"
          rows=${data.signals}
          rowKey=${(s) => s.id}
          empty="No signal yet: signals come from swaps of watched wallets."
          columns=${[
            { label: 'Time', render: (s) => when(s.ts_ms) },
            { label: 'Token', render: (s) => html`<span title=${s.mint}>${short(s.mint)}</span>` },
            { label: 'Wallet', render: (s) => html`<a href=${`#/wallets/${s.wallet}`} title=${s.wallet}>${short(s.wallet)}</a>` },
            { label: 'Score', num: true, render: (s) => num(s.score, 3) },
            { label: 'Factors', render: (s) => html`<${Factors} f=${s.factors} />` },
            { label: 'Decision', render: (s) => html`<span class=${`decision decision-${s.decision}`}>${s.decision}</span>` },
            {
              label: 'Reason',
              render: (s) => html`${s.reason}${s.details && s.details.detail ? html`<br /><span class="help">${s.details.detail}</span>` : ''}`,
            },
            { label: 'Size', num: true, render: (s) => (s.details && s.details.size_lamports ? lsol(s.details.size_lamports) : '—') },
          ]}
        />
        <${CursorPager} cursor=${cursor} nextBefore=${data.next_before} label="Signal pages" />`}
    </${Async}>
  </section>`;
}

/** One line of the live feed: what the event says, by its type. */
function describe(ev) {
  const d = ev.data || {};
  switch (ev.type) {
    case 'signal':
      return `${d.decision} (${d.reason}) · ${short(d.mint)} from ${short(d.wallet)}${d.size_lamports ? ` · ${lsol(d.size_lamports)}` : ''}`;
    case 'order':
      return `${d.side} ${d.status} · ${d.reason} · ${short(d.mint)}${d.error ? ` · ${d.error}` : ''}`;
    case 'fill':
      return `${d.side} filled · ${short(d.mint)} · ${sol(d.sol_amount)} at ${num(d.price_sol, 12)}`;
    case 'position':
      return `position ${d.position ? d.position.id : ''} ${d.change}${d.position ? ` · ${short(d.position.mint)} · ${d.position.strategy}` : ''}`;
    case 'trade':
      return html`closed ${short(d.mint)} · ${d.exit_reason} · ${signed(lamports(d.pnl_lamports), (x) => sol(x))} (${pctPoints(d.pnl_pct)})`;
    case 'alert':
      return `${d.severity} · ${d.message}`;
    case 'lagged':
      return 'this page fell behind the stream and missed some events: the lists below were reloaded';
    default:
      return typeof ev.data === 'string' ? ev.data : JSON.stringify(ev.data).slice(0, 200);
  }
}

function LiveFeed() {
  const events = useLive();
  return html`<section aria-labelledby="feed-h">
    <h2 id="feed-h">Live events</h2>
    ${events.length
      ? html`<ol class="feed" aria-live="polite" data-testid="live-feed">
          ${events.slice(0, 15).map(
            (e) => html`<li class=${`ev-${e.type}`}><time>${when(e.at)}</time> <strong>${e.type}</strong> <span>${describe(e)}</span></li>`,
          )}
        </ol>`
      : html`<${Empty}>No live event since this page opened.</${Empty}>`}
  </section>`;
}

export function LivePage() {
  const status = useApi('/v1/status');
  const positions = useApi('/v1/positions');
  const cursor = useCursor();
  const [decision, setDecision] = useState('');
  const signals = useApi('/v1/signals', { limit: 50, before: cursor.before, decision });
  const pending = useRef(null);
  // Debounced: a burst of events reloads once.
  useLive((ev) => {
    if (!RELOAD_ON.has(ev.type) && ev.type !== 'lagged') return;
    clearTimeout(pending.current);
    pending.current = setTimeout(() => {
      status.reload();
      positions.reload();
      if (cursor.page === 1) signals.reload();
    }, 300);
  });
  useEffect(() => {
    const t = setInterval(() => {
      status.reload();
      positions.reload();
    }, 10000);
    return () => {
      clearInterval(t);
      clearTimeout(pending.current);
    };
  }, [status.reload, positions.reload]);
  return html`<h1>Live</h1>
    <div class="grid">
      <${Async} res=${status} what="Engine status (GET /v1/status)">
        ${(s) => html`<${StatusCard} s=${s} /><${Inputs} inputs=${s.inputs} /><${Breakers} breakers=${s.breakers} />`}
      </${Async}>
    </div>
    <${Positions} res=${positions} />
    <${Signals} res=${signals} cursor=${cursor} decision=${decision} setDecision=${setDecision} />
    <${LiveFeed} />`;
}
