// Performance: PnL, win rate, profit ratio, Sharpe, drawdown; the equity
// curve; PnL by day and by week; results by hour of entry (UTC), by signal
// factor bucket, by exit reason and by strategy, and what separates winners
// from losers; the trade history with its filters, paging and CSV export.
// Calls: GET /v1/performance (the summary, PnL by UTC day and by week, the
// breakdowns), GET /v1/trades?since&wallet&limit&before (the history, newest
// first; times Unix ms, amounts lamports or SOL as named, pnl_pct in
// percent). The daily chart is the last 30 days of the performance's by_day,
// so the page never downloads the trades themselves to draw it.
import { useState } from 'preact/hooks';
import {
  html, useApi, Async, Table, Empty, Problem, CursorPager, useCursor,
  sol, lsol, lamports, pct, pctPoints, num, signed, when, dur, short,
} from '../ui.js';
import * as api from '../api.js';
import { LineChart, BarChart } from '../chart.js';

const LIMIT = 50;
const DAY = 86400000;

function Stat({ label, value, note }) {
  return html`<div class="stat"><dt>${label}</dt><dd>${value}</dd>${note && html`<dd class="help">${note}</dd>`}</div>`;
}

const pnlCell = (x) => signed(x, (v) => sol(v));

function bucketColumns(first) {
  return [
    first,
    { label: 'Trades', num: true, render: (b) => num(b.trades, 0) },
    { label: 'Win rate', num: true, render: (b) => pct(b.win_rate) },
    { label: 'PnL', num: true, render: (b) => pnlCell(b.pnl_sol) },
    { label: 'Avg PnL', num: true, render: (b) => pctPoints(b.avg_pnl_pct) },
  ];
}

function Summary({ p }) {
  const curve = (p.equity_curve || []).map((e) => [e.ts_ms / 1000, e.equity_sol]);
  const mtm = (p.equity_curve_mtm || []).map((e) => [e.ts_ms / 1000, e.equity_sol]);
  const hours = (p.by_hour || []).filter((b) => b.trades > 0);
  const factorRows = Object.entries(p.by_factor || {}).flatMap(([factor, list]) => (list || []).map((b) => ({ factor, ...b })));
  return html`
    <dl class="stats">
      <${Stat} label="PnL" value=${pnlCell(p.pnl_sol)} note=${`${pctPoints(p.return_pct, 2)} of ${sol(p.capital_sol, 2)} capital`} />
      <${Stat} label="Trades" value=${num(p.trades, 0)} note=${`${num(p.wins, 0)} won · ${num(p.losses, 0)} lost`} />
      <${Stat} label="Win rate" value=${pct(p.win_rate)} />
      <${Stat} label="Profit ratio" value=${p.profit_ratio_valid ? num(p.profit_ratio, 2) : 'n/a'} note=${p.profit_ratio_valid ? `avg win ${sol(p.avg_win_sol)} / avg loss ${sol(p.avg_loss_sol)}` : 'needs a win and a loss'} />
      <${Stat} label="Profit factor" value=${p.profit_factor_valid ? num(p.profit_factor, 2) : 'n/a'} note=${p.profit_factor_valid ? 'gross profit / gross loss' : 'needs a losing trade'} />
      <${Stat} label="Sharpe" value=${p.sharpe_valid ? num(p.sharpe, 2) : 'n/a'} note=${p.sharpe_valid ? `${p.sharpe_days} days` : `not enough days (${num(p.sharpe_days, 0)})`} />
      <${Stat} label="Max drawdown, realized" value=${sol(p.max_drawdown_sol)} note=${`${pctPoints(p.max_drawdown_pct, 2)} · closed trades only`} />
      <${Stat} label="Max drawdown, mark-to-market" value=${sol(p.max_drawdown_mtm_sol)} note=${`${pctPoints(p.max_drawdown_mtm_pct, 2)} · open positions at their last price`} />
      <${Stat} label="Expectancy" value=${pnlCell(p.expectancy_sol)} note="mean PnL per closed trade, after costs" />
      <${Stat} label="Avg trade" value=${pctPoints(p.avg_pnl_pct)} />
    </dl>
    ${curve.length > 1
      ? html`<${LineChart} points=${curve} label="Equity (SOL)" title="Equity curve, realized: the capital, then the equity after each closed trade, and now at market" />`
      : html`<${Empty}>No equity history yet: the curve starts with the first closed trade.</${Empty}>`}
    ${mtm.length > 1
      ? html`<${LineChart} points=${mtm} label="Equity (SOL)" title="Equity curve, mark-to-market: cash plus open positions at their last price, about once a minute" />`
      : html`<${Empty}>No mark-to-market history yet: the engine records its equity about once a minute.</${Empty}>`}
    <div class="grid two">
      <section aria-labelledby="pd-h"><h2 id="pd-h">PnL by day (UTC)</h2><${Daily} days=${p.by_day || []} /></section>
      <section aria-labelledby="pw-h"><h2 id="pw-h">PnL by week</h2>
        ${(p.by_week || []).length
          ? html`<${BarChart} bars=${p.by_week.slice(-26).map((b) => [when(b.from_ms).slice(5, 10), b.pnl_sol])} label="PnL (SOL)" title="PnL by week (weeks start on Monday, UTC)" />`
          : html`<${Empty}>No closed trade yet.</${Empty}>`}
      </section>
    </div>
    <div class="grid two">
      <section aria-labelledby="ph-h"><h2 id="ph-h">By hour of entry (UTC)</h2>
        ${hours.length
          ? html`<${BarChart} bars=${p.by_hour.map((b) => [String(b.hour).padStart(2, '0'), b.pnl_sol])} label="PnL (SOL)" title="PnL by hour of entry (UTC)" />
              <${Table} caption="Results by hour of entry" rows=${hours}
                columns=${bucketColumns({ label: 'Hour', render: (b) => `${String(b.hour).padStart(2, '0')}:00` })} />`
          : html`<${Empty}>No trade to group by hour yet.</${Empty}>`}
      </section>
      <section aria-labelledby="pf-h"><h2 id="pf-h">By signal factor</h2>
        ${factorRows.length
          ? html`<${Table} caption="Results by signal factor bucket" rows=${factorRows}
              columns=${bucketColumns({ label: 'Factor', render: (b) => `${b.factor} ${b.bucket}` })} />`
          : html`<${Empty}>No trade to group by factor yet.</${Empty}>`}
        ${(p.separation || []).length
          ? html`<h3>What separates winners from losers</h3>
              <${Table} caption="Mean factor of winners and losers" rows=${p.separation} columns=${[
                { label: 'Factor', render: (x) => x.factor },
                { label: 'Winners', num: true, render: (x) => `${num(x.mean_winners, 3)} (${x.winners})` },
                { label: 'Losers', num: true, render: (x) => `${num(x.mean_losers, 3)} (${x.losers})` },
                { label: 'Difference', num: true, render: (x) => signed(x.difference, (v) => num(v, 3)) },
                { label: 'Correlation', num: true, render: (x) => num(x.correlation, 3) },
              ]} />`
          : ''}
      </section>
    </div>
    <div class="grid two">
      <section aria-labelledby="pe-h"><h2 id="pe-h">By exit reason</h2>
        <${Table} caption="Results by exit reason" rows=${p.by_exit_reason || []} empty="No closed trade yet."
          columns=${bucketColumns({ label: 'Exit reason', render: (b) => b.exit_reason.replace(/_/g, ' ') })} />
      </section>
      <section aria-labelledby="ps-h"><h2 id="ps-h">By exit strategy</h2>
        <${Table} caption="Results by exit strategy" rows=${p.by_strategy || []} empty="No closed trade yet."
          columns=${bucketColumns({ label: 'Strategy', render: (b) => b.strategy })} />
      </section>
    </div>`;
}

/** PnL by UTC day of closing over the last 30 days (days without a close
 * inside that range are drawn as 0). */
function Daily({ days }) {
  const [since] = useState(() => Math.floor((Date.now() - 30 * DAY) / DAY) * DAY);
  const recent = days.filter((d) => d.from_ms >= since);
  if (!recent.some((d) => d.trades > 0)) return html`<${Empty}>No trade closed in the last 30 days.</${Empty}>`;
  const day = (d) => new Date(d.from_ms).toISOString().slice(0, 10);
  return html`<${BarChart} bars=${recent.map((d) => [day(d).slice(5), d.pnl_sol])} label="PnL (SOL)" title=${`PnL by day of closing, ${day(recent[0])} to ${day(recent[recent.length - 1])}`} />`;
}

// The columns of the CSV export: every field of a trade, units in the name.
const CSV_COLS = [
  ['id', (t) => t.id],
  ['mode', (t) => t.mode],
  ['opened_utc', (t) => new Date(t.opened_ms).toISOString()],
  ['closed_utc', (t) => new Date(t.closed_ms).toISOString()],
  ['duration_s', (t) => t.duration_ms / 1000],
  ['mint', (t) => t.mint],
  ['wallet', (t) => t.wallet],
  ['strategy', (t) => t.strategy],
  ['entry_price_sol', (t) => t.entry_price_sol],
  ['exit_price_sol', (t) => t.exit_price_sol],
  ['cost_sol', (t) => lamports(t.cost_lamports)],
  ['proceeds_sol', (t) => lamports(t.proceeds_lamports)],
  ['pnl_sol', (t) => t.pnl_sol],
  ['pnl_pct', (t) => t.pnl_pct],
  ['exit_reason', (t) => t.exit_reason],
  ['score', (t) => t.score],
  ['factor_wallet', (t) => t.factors && t.factors.wallet],
  ['factor_cluster', (t) => t.factors && t.factors.cluster],
  ['factor_token', (t) => t.factors && t.factors.token],
  ['factor_context', (t) => t.factors && t.factors.context],
  ['entry_hour_utc', (t) => t.factors && t.factors.entry_hour],
  ['position_id', (t) => t.position_id],
  ['signal_id', (t) => t.signal_id],
];

function csvCell(v) {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

async function exportCsv(filters, setMsg) {
  const lines = [CSV_COLS.map((c) => c[0]).join(',')];
  let before = '';
  for (;;) {
    setMsg(`Exporting… ${lines.length - 1} trades`);
    const data = await api.get('/v1/trades', { ...filters, limit: 1000, before });
    for (const t of data.trades) lines.push(CSV_COLS.map((c) => csvCell(c[1](t))).join(','));
    if (data.next_before === null) break;
    before = data.next_before;
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
  const cursor = useCursor();
  const [f, setF] = useState({ since: '', wallet: '' });
  const [applied, setApplied] = useState(f);
  const [msg, setMsg] = useState('');
  const [err, setErr] = useState(null);
  const filters = {
    since: applied.since ? Date.parse(`${applied.since}T00:00:00Z`) : '',
    wallet: applied.wallet.trim(),
  };
  const res = useApi('/v1/trades', { ...filters, limit: LIMIT, before: cursor.before });
  return html`<section aria-labelledby="th-h">
    <h2 id="th-h">Trade history</h2>
    <form class="filters" onSubmit=${(e) => { e.preventDefault(); setApplied(f); cursor.reset(); }}>
      <label>Closed from (UTC) <input type="date" value=${f.since} onInput=${(e) => setF({ ...f, since: e.target.value })} /></label>
      <label>Copied wallet <input value=${f.wallet} size="44" onInput=${(e) => setF({ ...f, wallet: e.target.value })} /></label>
      <button type="submit">Filter</button>
      <button type="button" onClick=${() => { setErr(null); exportCsv(filters, setMsg).catch(setErr); }}>Export CSV</button>
      <span role="status" class="muted">${msg}</span>
    </form>
    ${err && html`<${Problem} error=${err} what="CSV export" />`}
    <${Async} res=${res} what="Trades (GET /v1/trades)">
      ${(data) => html`<${Table}
          caption="Closed trades, newest first"
          rows=${data.trades}
          rowKey=${(t) => t.id}
          empty="No closed trade matches."
          columns=${[
            { label: 'Closed', render: (t) => when(t.closed_ms) },
            { label: 'Held', render: (t) => dur(t.duration_ms) },
            { label: 'Token', render: (t) => html`<span title=${t.mint}>${short(t.mint)}</span>` },
            { label: 'Wallet', render: (t) => html`<a href=${`#/wallets/${t.wallet}`} title=${t.wallet}>${short(t.wallet)}</a>` },
            { label: 'Cost', num: true, render: (t) => lsol(t.cost_lamports) },
            { label: 'Proceeds', num: true, render: (t) => lsol(t.proceeds_lamports) },
            { label: 'PnL', num: true, render: (t) => pnlCell(t.pnl_sol) },
            { label: 'PnL %', num: true, render: (t) => signed(t.pnl_pct, (x) => pctPoints(x)) },
            { label: 'Score', num: true, render: (t) => num(t.score, 3) },
            { label: 'Exit', render: (t) => t.exit_reason.replace(/_/g, ' ') },
            { label: 'Strategy', render: (t) => t.strategy },
          ]}
        />
        <${CursorPager} cursor=${cursor} nextBefore=${data.next_before} label="Trade pages" />`}
    </${Async}>
  </section>`;
}

export function PerformancePage() {
  const res = useApi('/v1/performance');
  return html`<h1>Performance</h1>
    <${Async} res=${res} what="Performance (GET /v1/performance)">${(d) => html`<p class="muted">Mode ${d.mode.toUpperCase()}. Realized: closed trades only, except the last point of the realized curve (at market). Mark-to-market: cash plus the open positions at their last price.</p><${Summary} p=${d.performance} />`}</${Async}>
    <${Trades} />`;
}
