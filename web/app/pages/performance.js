// Performance: equity curve, PnL by day and by week, win rate, profit
// ratio, Sharpe and drawdown; results by hour of day and by signal factor
// (so "night signals win more" shows at a glance); the trade history, paged
// and filtered on the server, with CSV export of the filtered trades.
// Calls: GET /v1/performance, GET /v1/trades?page&limit&…filters.
import { useState } from 'preact/hooks';
import { html, useApi, Async, Table, Pager, Empty, Problem, rowsOf, totalOf, sol, pct, num, signed, when, short, isNum } from '../ui.js';
import * as api from '../api.js';
import { LineChart, BarChart } from '../chart.js';

const LIMIT = 50;

function tsec(t) {
  if (isNum(t)) return t > 1e11 ? t / 1000 : t;
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms / 1000 : null;
}

function Stat({ label, value }) {
  return html`<div class="stat"><dt>${label}</dt><dd>${value}</dd></div>`;
}

/** Buckets [{key, pnl, trades, win_rate}] from an array or a map. */
function buckets(x, keyName) {
  if (!x) return [];
  const arr = Array.isArray(x) ? x : Object.entries(x).map(([k, v]) => ({ [keyName]: k, ...(typeof v === 'object' ? v : { pnl_sol: v }) }));
  return arr.map((b) => ({ key: b[keyName] ?? b.key ?? b.day ?? b.week ?? b.hour ?? b.factor ?? b.name, ...b }));
}

function Summary({ p }) {
  const equity = (p.equity || p.equity_curve || [])
    .map((e) => (Array.isArray(e) ? [tsec(e[0]), e[1]] : [tsec(e.t ?? e.time ?? e.ts_ms), e.equity_sol ?? e.equity ?? e.value]))
    .filter((e) => e[0] !== null && isNum(e[1]));
  const daily = buckets(p.daily || p.by_day, 'day');
  const weekly = buckets(p.weekly || p.by_week, 'week');
  const hours = buckets(p.by_hour, 'hour');
  const factors = buckets(p.by_factor, 'factor');
  const val = (b) => b.pnl_sol ?? b.pnl ?? b.value;
  return html`
    <dl class="stats">
      <${Stat} label="PnL" value=${signed(p.pnl_sol ?? p.total_pnl_sol ?? p.pnl, (x) => sol(x))} />
      <${Stat} label="Trades" value=${num(p.trades ?? p.trade_count, 0)} />
      <${Stat} label="Win rate" value=${pct(p.win_rate)} />
      <${Stat} label="Profit ratio" value=${num(p.profit_ratio ?? p.profit_factor, 2)} />
      <${Stat} label="Sharpe" value=${num(p.sharpe ?? p.sharpe_ratio, 2)} />
      <${Stat} label="Max drawdown" value=${pct(p.max_drawdown)} />
    </dl>
    ${equity.length > 1 ? html`<${LineChart} points=${equity} label="Equity (SOL)" title="Equity curve" />` : html`<${Empty}>No equity history yet.</${Empty}>`}
    <div class="grid two">
      <section aria-labelledby="pd-h"><h2 id="pd-h">PnL by day</h2>
        ${daily.length ? html`<${BarChart} bars=${daily.slice(-30).map((b) => [String(b.key).slice(5), val(b)])} label="PnL (SOL)" title="PnL by day, last 30 days" />` : html`<${Empty}>No closed trade yet.</${Empty}>`}
      </section>
      <section aria-labelledby="pw-h"><h2 id="pw-h">PnL by week</h2>
        ${weekly.length ? html`<${BarChart} bars=${weekly.slice(-26).map((b) => [b.key, val(b)])} label="PnL (SOL)" title="PnL by week" />` : html`<${Empty}>No closed trade yet.</${Empty}>`}
      </section>
    </div>
    <div class="grid two">
      <section aria-labelledby="ph-h"><h2 id="ph-h">By hour of day (UTC)</h2>
        ${hours.length
          ? html`<${BarChart} bars=${hours.map((b) => [b.key, b.win_rate ?? val(b)])} label=${hours[0].win_rate !== undefined ? 'Win rate' : 'PnL'} title="Results by hour of entry (UTC)" />
              <${Table} caption="Results by hour" rows=${hours} columns=${[
                { label: 'Hour', render: (b) => `${String(b.key).padStart(2, '0')}h` },
                { label: 'Trades', num: true, render: (b) => num(b.trades, 0) },
                { label: 'Win rate', num: true, render: (b) => pct(b.win_rate) },
                { label: 'PnL', num: true, render: (b) => signed(val(b), (x) => sol(x)) },
              ]} />`
          : html`<${Empty}>No trade to group by hour yet.</${Empty}>`}
      </section>
      <section aria-labelledby="pf-h"><h2 id="pf-h">By signal factor</h2>
        ${factors.length
          ? html`<${Table} caption="Results by signal factor" rows=${factors} columns=${[
              { label: 'Factor', render: (b) => b.key },
              { label: 'Bucket', render: (b) => b.bucket ?? b.range ?? '—' },
              { label: 'Trades', num: true, render: (b) => num(b.trades, 0) },
              { label: 'Win rate', num: true, render: (b) => pct(b.win_rate) },
              { label: 'PnL', num: true, render: (b) => signed(val(b), (x) => sol(x)) },
            ]} />`
          : html`<${Empty}>No trade to group by factor yet.</${Empty}>`}
      </section>
    </div>`;
}

const TRADE_COLS = [
  ['closed', 'Closed', (t) => when(t.closed_at ?? t.close_time ?? t.exit_time)],
  ['opened', 'Opened', (t) => when(t.opened_at ?? t.open_time ?? t.entry_time)],
  ['token', 'Token', (t) => t.symbol || t.mint],
  ['wallet', 'Wallet', (t) => t.wallet ?? ''],
  ['size_sol', 'Size (SOL)', (t) => t.size_sol ?? t.cost_sol ?? ''],
  ['pnl_sol', 'PnL (SOL)', (t) => t.pnl_sol ?? t.realized_pnl_sol ?? ''],
  ['pnl_pct', 'PnL %', (t) => t.pnl_pct ?? ''],
  ['score', 'Score', (t) => t.score ?? ''],
  ['exit', 'Exit reason', (t) => t.exit_reason ?? t.reason ?? ''],
  ['strategy', 'Strategy', (t) => t.exit_strategy ?? ''],
];

function csvCell(v) {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

async function exportCsv(filters, setMsg) {
  const lines = [TRADE_COLS.map((c) => c[1]).join(',')];
  for (let page = 1; ; page++) {
    setMsg(`Exporting… ${lines.length - 1} trades`);
    const data = await api.get('/v1/trades', { ...filters, page, limit: 500 });
    const rows = rowsOf(data, 'trades');
    for (const t of rows) lines.push(TRADE_COLS.map((c) => csvCell(c[2](t))).join(','));
    const total = totalOf(data);
    if (rows.length < 500 || (total !== null && lines.length - 1 >= total)) break;
  }
  const blob = new Blob([`${lines.join('\n')}\n`], { type: 'text/csv' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `walltrack-trades-${new Date().toISOString().slice(0, 10)}.csv`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  setMsg(`Exported ${lines.length - 1} trades.`);
}

function Trades() {
  const [page, setPage] = useState(1);
  const [f, setF] = useState({ from: '', to: '', outcome: '', mint: '', wallet: '' });
  const [applied, setApplied] = useState(f);
  const [msg, setMsg] = useState('');
  const [err, setErr] = useState(null);
  const filters = {
    from: applied.from ? Date.parse(`${applied.from}T00:00:00Z`) : '',
    to: applied.to ? Date.parse(`${applied.to}T23:59:59Z`) : '',
    outcome: applied.outcome,
    mint: applied.mint.trim(),
    wallet: applied.wallet.trim(),
  };
  const res = useApi('/v1/trades', { ...filters, page, limit: LIMIT });
  const field = (k, label, type = 'text') => html`<label>${label}
    <input type=${type} value=${f[k]} onInput=${(e) => setF({ ...f, [k]: e.target.value })} /></label>`;
  return html`<section aria-labelledby="th-h">
    <h2 id="th-h">Trade history</h2>
    <form class="filters" onSubmit=${(e) => { e.preventDefault(); setApplied(f); setPage(1); }}>
      ${field('from', 'From', 'date')} ${field('to', 'To', 'date')}
      <label>Outcome <select value=${f.outcome} onChange=${(e) => setF({ ...f, outcome: e.target.value })}>
        <option value="">all</option><option value="win">wins</option><option value="loss">losses</option>
      </select></label>
      ${field('mint', 'Token mint')} ${field('wallet', 'Wallet')}
      <button type="submit">Filter</button>
      <button type="button" onClick=${() => { setErr(null); exportCsv(filters, setMsg).catch(setErr); }}>Export CSV</button>
      <span role="status" class="muted">${msg}</span>
    </form>
    ${err && html`<${Problem} error=${err} what="CSV export" />`}
    <${Async} res=${res} what="Trades (GET /v1/trades)">
      ${(data) => {
        const rows = rowsOf(data, 'trades');
        return html`<${Table}
            caption="Closed trades"
            rows=${rows}
            empty="No closed trade matches."
            columns=${[
              { label: 'Closed', render: TRADE_COLS[0][2] },
              { label: 'Token', render: (t) => html`<span title=${t.mint}>${t.symbol || short(t.mint)}</span>` },
              { label: 'Wallet', render: (t) => (t.wallet ? html`<a href=${`#/wallets/${t.wallet}`}>${short(t.wallet)}</a>` : '—') },
              { label: 'Size', num: true, render: (t) => sol(t.size_sol ?? t.cost_sol) },
              { label: 'PnL', num: true, render: (t) => signed(t.pnl_sol ?? t.realized_pnl_sol, (x) => sol(x)) },
              { label: 'PnL %', num: true, render: (t) => pct(t.pnl_pct) },
              { label: 'Score', num: true, render: (t) => num(t.score, 3) },
              { label: 'Exit', render: (t) => t.exit_reason || t.reason || '—' },
            ]}
          />
          <${Pager} page=${page} limit=${LIMIT} total=${totalOf(data)} count=${rows.length} onPage=${setPage} />`;
      }}
    </${Async}>
  </section>`;
}

export function PerformancePage() {
  const res = useApi('/v1/performance');
  return html`<h1>Performance</h1>
    <${Async} res=${res} what="Performance (GET /v1/performance)">${(p) => html`<${Summary} p=${p} />`}</${Async}>
    <${Trades} />`;
}
