// Wallets: the smart-money table with the API's own filters, sorting and
// paging (the server does all three: 10k wallets never come to the
// browser at once), and a wallet's detail page: metrics, behaviour,
// patterns, trades, the performance-snapshot chart, a graph of the tokens
// it traded (sigma + graphology), and curation (watch/unwatch, verify,
// name, blacklist).
// Calls: GET /v1/smart-money/wallets?minScore&verified&walletType&sortBy&
// sortOrder&page&limit; GET /v1/smart-money/wallets/<address>[/trades|
// /performance|/patterns]; POST …/<address>/watch|unwatch|verify|blacklist;
// PUT …/<address>/name.
import { useState, useEffect, useRef } from 'preact/hooks';
import { html, useApi, Async, Table, Pager, Fields, Empty, ActionButton, Problem, rowsOf, totalOf, num, pct, sol, signed, when, short, isNum } from '../ui.js';
import * as api from '../api.js';
import { LineChart } from '../chart.js';

const BASE = '/v1/smart-money/wallets';
const LIMIT = 50;

function readQuery() {
  const q = new URLSearchParams(sessionStorage.getItem('walltrack.wallets') || '');
  return {
    minScore: q.get('minScore') || '',
    verified: q.get('verified') || '',
    walletType: q.get('walletType') || '',
    sortBy: q.get('sortBy') || 'score',
    sortOrder: q.get('sortOrder') || 'desc',
    page: Number(q.get('page')) || 1,
  };
}

export function WalletsPage({ args }) {
  return args && args[0] ? html`<${WalletPage} key=${args[0]} address=${args[0]} />` : html`<${WalletList} />`;
}

function WalletList() {
  const [q, setQ] = useState(readQuery());
  const [form, setForm] = useState(q);
  useEffect(() => sessionStorage.setItem('walltrack.wallets', new URLSearchParams(q).toString()), [q]);
  const res = useApi(BASE, { ...q, limit: LIMIT });
  const onSort = (by) => setQ({ ...q, sortBy: by, sortOrder: q.sortBy === by && q.sortOrder === 'desc' ? 'asc' : 'desc', page: 1 });
  return html`<h1>Wallets</h1>
    <form class="filters" onSubmit=${(e) => { e.preventDefault(); setQ({ ...form, sortBy: q.sortBy, sortOrder: q.sortOrder, page: 1 }); }}>
      <label>Min score <input type="number" min="0" max="100" step="1" value=${form.minScore} onInput=${(e) => setForm({ ...form, minScore: e.target.value })} /></label>
      <label>Verified <select value=${form.verified} onChange=${(e) => setForm({ ...form, verified: e.target.value })}>
        <option value="">any</option><option value="true">verified</option><option value="false">not verified</option></select></label>
      <label>Type <select value=${form.walletType} onChange=${(e) => setForm({ ...form, walletType: e.target.value })}>
        <option value="">any</option>${['whale', 'fund', 'trader', 'protocol'].map((t) => html`<option value=${t}>${t}</option>`)}</select></label>
      <button type="submit">Apply</button>
    </form>
    <${Async} res=${res} what="Smart-money wallets (GET ${BASE})">
      ${(data) => {
        const rows = rowsOf(data, 'wallets');
        return html`<${Table}
            caption="Smart-money wallets"
            rows=${rows}
            rowKey=${(w) => w.walletAddress}
            empty="No wallet matches. Discovery fills this list (Setup, step 4)."
            sort=${{ by: q.sortBy, order: q.sortOrder, onSort }}
            columns=${[
              { label: 'Wallet', render: (w) => html`<a href=${`#/wallets/${encodeURIComponent(w.walletAddress)}`} title=${w.walletAddress}>${w.walletName || short(w.walletAddress)}</a>${w.verified ? html` <span class="badge" title="verified">✓</span>` : ''}` },
              { label: 'Type', render: (w) => w.walletType || '—' },
              { label: 'Score', num: true, sort: 'score', render: (w) => num(w.scoring?.smartMoneyScore, 1) },
              { label: 'Confidence', render: (w) => w.scoring?.confidenceLevel || '—' },
              { label: 'PnL', num: true, sort: 'pnl', render: (w) => signed(w.performance?.totalPnl, (x) => num(x, 2)) },
              { label: 'ROI', num: true, sort: 'roi', render: (w) => pct(w.performance?.roiAllTime) },
              { label: 'Win rate', num: true, render: (w) => pct(w.performance?.winRate) },
              { label: 'Trades', num: true, sort: 'trades', render: (w) => num(w.activity?.totalTrades, 0) },
              { label: 'Style', render: (w) => w.behavioral?.tradingStyle || '—' },
              { label: 'Last trade', render: (w) => when(w.activity?.lastTradeTimestamp) },
            ]}
          />
          <${Pager} page=${q.page} limit=${LIMIT} total=${totalOf(data)} count=${rows.length} onPage=${(p) => setQ({ ...q, page: p })} />`;
      }}
    </${Async}>`;
}

function Section({ title, id, children }) {
  return html`<section class="card" aria-labelledby=${id}><h2 id=${id}>${title}</h2>${children}</section>`;
}

/** The tokens a wallet traded as a star graph: node size by trades. */
function TokenGraph({ trades, address }) {
  const box = useRef(null);
  const [err, setErr] = useState(null);
  useEffect(() => {
    if (!trades.length || !box.current) return undefined;
    let renderer = null;
    let gone = false;
    Promise.all([import('graphology'), import('sigma')])
      .then(([{ default: Graph }, { default: Sigma }]) => {
        if (gone) return;
        const g = new Graph();
        g.addNode(address, { label: short(address), size: 12, color: '#1f6feb', x: 0, y: 0 });
        const count = new Map();
        for (const t of trades) {
          const k = t.mint || t.token || t.tokenOutAddress || t.token_out;
          if (k) count.set(k, (count.get(k) || 0) + 1);
        }
        const keys = [...count.keys()];
        keys.forEach((k, i) => {
          const a = (2 * Math.PI * i) / keys.length;
          const n = count.get(k);
          g.addNode(k, { label: `${short(k)} (${n})`, size: 4 + Math.min(10, n), color: '#8250df', x: Math.cos(a), y: Math.sin(a) });
          g.addEdge(address, k, { size: Math.min(6, n), color: '#bbb' });
        });
        renderer = new Sigma(g, box.current, { renderLabels: true, labelColor: { color: '#222' } });
      })
      .catch(setErr);
    return () => {
      gone = true;
      if (renderer) renderer.kill();
    };
  }, [trades, address]);
  if (!trades.length) return html`<${Empty}>No trade to draw.</${Empty}>`;
  return html`${err && html`<div class="error" role="alert">Graph: ${err.message}</div>`}
    <div class="graph" ref=${box} role="img" aria-label="Tokens this wallet traded, sized by number of trades"></div>`;
}

function NameForm({ address, current, onDone }) {
  const [name, setName] = useState(current || '');
  const [err, setErr] = useState(null);
  async function submit(e) {
    e.preventDefault();
    setErr(null);
    try {
      await api.put(`${BASE}/${encodeURIComponent(address)}/name`, { name: name.trim() });
      onDone();
    } catch (x) {
      setErr(x);
    }
  }
  return html`<form class="inline-form" onSubmit=${submit}>
    <label for="w-name">Name</label>
    <input id="w-name" value=${name} maxlength="64" onInput=${(e) => setName(e.target.value)} />
    <button type="submit">Save name</button>
    ${err && html`<span class="error inline" role="alert">${err.message}</span>`}
  </form>`;
}

export function WalletPage({ address }) {
  const path = `${BASE}/${encodeURIComponent(address)}`;
  const detail = useApi(path);
  const [tpage, setTpage] = useState(1);
  const trades = useApi(`${path}/trades`, { page: tpage, limit: 25 });
  const perf = useApi(`${path}/performance`);
  const patterns = useApi(`${path}/patterns`);
  const act = (verb) => () => api.post(`${path}/${verb}`);
  return html`<p><a href="#/wallets">‹ All wallets</a></p>
    <h1>Wallet <code class="addr">${short(address)}</code></h1>
    <p class="muted addr-full">${address}</p>
    <${Async} res=${detail} what="This wallet (GET ${BASE}/…)">
      ${(w0) => {
        const w = w0.wallet || w0;
        const status = w.status || (w.blacklisted ? 'blacklisted' : w.watched ? 'watch' : '');
        return html`
          <p>Status: <strong data-testid="wallet-status">${status || 'not on the watchlist'}</strong>${w.verified ? ' · verified' : ''}${w.walletName ? ` · “${w.walletName}”` : ''}</p>
          <div class="buttons" role="group" aria-label="Curation">
            <${ActionButton} label="Watch" run=${act('watch')} onDone=${detail.reload} />
            <${ActionButton} label="Unwatch" run=${act('unwatch')} onDone=${detail.reload} />
            <${ActionButton} label="Verify" run=${act('verify')} onDone=${detail.reload} />
            <${ActionButton} label="Blacklist" danger confirm=${`Blacklist ${address}? Its signals will be ignored.`} run=${act('blacklist')} onDone=${detail.reload} />
          </div>
          <${NameForm} address=${address} current=${w.walletName} onDone=${detail.reload} />
          <div class="grid">
            <${Section} title="Score" id="wd-s"><${Fields} obj=${w.scoring} /></${Section}>
            <${Section} title="Performance" id="wd-p"><${Fields} obj=${w.performance} /></${Section}>
            <${Section} title="Activity" id="wd-a"><${Fields} obj=${w.activity} /></${Section}>
            <${Section} title="Behaviour" id="wd-b"><${Fields} obj=${w.behavioral} />
              ${(w.behavioral?.preferredTokens || []).length ? html`<p>Preferred tokens: ${w.behavioral.preferredTokens.map(short).join(', ')}</p>` : ''}
            </${Section}>
          </div>`;
      }}
    </${Async}>
    <${Section} title="Performance snapshots" id="wd-snap">
      <${Async} res=${perf} what="Snapshots (GET …/performance)">
        ${(d) => {
          const snaps = rowsOf(d, 'snapshots');
          const pts = snaps
            .map((s) => [Date.parse(s.timestamp ?? s.time) / 1000 || (isNum(s.ts_ms) ? s.ts_ms / 1000 : NaN), s.pnlAllTime ?? s.pnl_all_time ?? s.totalValueUsd ?? s.total_value]) 
            .filter((p) => Number.isFinite(p[0]) && isNum(p[1]))
            .sort((a, b) => a[0] - b[0]);
          return pts.length > 1 ? html`<${LineChart} points=${pts} label="PnL" title="PnL over time (snapshots)" />` : html`<${Empty}>Fewer than two snapshots yet.</${Empty}>`;
        }}
      </${Async}>
    </${Section}>
    <${Section} title="Patterns" id="wd-pat">
      <${Async} res=${patterns} what="Patterns (GET …/patterns)">
        ${(d) => html`<${Table} caption="Trade patterns" rows=${rowsOf(d, 'patterns')} empty="No pattern detected." columns=${[
          { label: 'Pattern', render: (p) => p.patternType || p.pattern_type || p.type },
          { label: 'Token', render: (p) => short(p.tokenAddress || p.token_address || p.mint) },
          { label: 'Confidence', num: true, render: (p) => num(p.confidenceScore ?? p.confidence, 2) },
          { label: 'Trades', num: true, render: (p) => num(p.totalTrades ?? p.trades, 0) },
          { label: 'Status', render: (p) => p.patternStatus || p.status || '—' },
          { label: 'Start', render: (p) => when(p.startTimestamp ?? p.start) },
        ]} />`}
      </${Async}>
    </${Section}>
    <${Section} title="Trades" id="wd-tr">
      <${Async} res=${trades} what="Trades (GET …/trades)">
        ${(d) => {
          const rows = rowsOf(d, 'trades');
          return html`<${TokenGraph} trades=${rows} address=${address} />
            <${Table} caption="This wallet's trades" rows=${rows} empty="No trade recorded." columns=${[
              { label: 'Time', render: (t) => when(t.timestamp ?? t.time ?? t.ts_ms) },
              { label: 'Side', render: (t) => t.tradeType || t.side || '—' },
              { label: 'Token', render: (t) => short(t.mint || t.token || t.tokenOutAddress) },
              { label: 'Amount (SOL)', num: true, render: (t) => sol(t.sol ?? t.quote_sol ?? t.tradeSize) },
              { label: 'Realized PnL', num: true, render: (t) => signed(t.realizedPnl ?? t.realized_pnl, (x) => num(x, 4)) },
              { label: 'Signature', render: (t) => short(t.txHash || t.signature) },
            ]} />
            <${Pager} page=${tpage} limit=${25} total=${totalOf(d)} count=${rows.length} onPage=${setTpage} />`;
        }}
      </${Async}>
    </${Section}>`;
}
