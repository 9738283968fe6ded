// Wallets: the smart-money table with the API's own filters, sorting and
// paging (the server does all three: 10k wallets never come to the
// browser at once), and a wallet's detail page: metrics, behaviour,
// patterns, trades, the performance-snapshot chart, a graph of the tokens
// it traded (sigma + graphology), and curation (watch/unwatch, verify,
// name, blacklist).
// Calls: GET /v1/smart-money/wallets?minScore&verified&walletType&sortBy&
// sortOrder&page&limit; GET /v1/smart-money/wallets/<address>[/trades|
// /performance|/patterns]; POST …/<address>/watch|unwatch|verify|blacklist
// (verify with {"verified": false} clears it); PUT …/<address>/name
// ({"name", "walletType"?}). Shapes: docs/api.md, "Smart-money API" (times
// are ISO 8601 strings, amounts SOL, ratios fractions).
import { useState, useEffect, useRef } from 'preact/hooks';
import { html, useApi, Async, Table, Pager, Dl, Empty, ActionButton, num, pct, sol, signed, when, short } from '../ui.js';
import * as api from '../api.js';
import { LineChart } from '../chart.js';
import { NeighbourGraph } from './clusters.js';

/** A metric the API gives as null when the data is too thin for it
 * (docs/metrics.md: below metrics.min_trades / metrics.min_days). */
const na = (x, fmt) => (x === null ? 'n/a' : fmt(x));

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
        const rows = data.wallets;
        return html`<${Table}
            caption="Smart-money wallets"
            rows=${rows}
            csv=${{ path: BASE, params: { ...q, limit: LIMIT } }}
            rowKey=${(w) => w.walletAddress}
            empty="No wallet matches. Discovery fills this list (Setup, step 4)."
            sort=${{ by: q.sortBy, order: q.sortOrder, onSort }}
            columns=${[
              { label: 'Wallet', render: (w) => html`<a href=${`#/wallets/${encodeURIComponent(w.walletAddress)}`} title=${w.walletAddress}>${w.walletName || short(w.walletAddress)}</a>${w.verified ? html` <span class="badge" title="verified">✓</span>` : ''}` },
              { label: 'Type', render: (w) => w.walletType || '—' },
              { label: 'Score', num: true, sort: 'score', render: (w) => num(w.scoring?.smartMoneyScore, 1) },
              { label: 'Confidence', render: (w) => w.scoring?.confidenceLevel || '—' },
              { label: 'PnL', num: true, sort: 'pnl', render: (w) => signed(w.performance?.totalPnl, (x) => sol(x, 2)) },
              { label: 'Copier EV', num: true, sort: 'copierEv', render: (w) => na(w.performance?.copierEv, (v) => signed(v, (x) => sol(x, 4))) },
              { label: 'ROI', num: true, sort: 'roi', render: (w) => pct(w.performance?.roiAllTime) },
              { label: 'Win rate', num: true, render: (w) => na(w.performance?.winRate, pct) },
              { label: 'Trades', num: true, sort: 'trades', render: (w) => num(w.activity?.totalTrades, 0) },
              { label: 'Style', render: (w) => w.behavioral?.tradingStyle || '—' },
              { label: 'Last trade', render: (w) => when(w.activity?.lastTradeTimestamp) },
            ]}
          />
          <${Pager} page=${q.page} limit=${LIMIT} total=${data.pagination.total} count=${rows.length} onPage=${(p) => setQ({ ...q, page: p })} />`;
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
          count.set(t.tokenAddress, (count.get(t.tokenAddress) || 0) + 1);
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

const TYPES = ['whale', 'fund', 'trader', 'protocol'];

function NameForm({ address, current, type, onDone }) {
  const [name, setName] = useState(current || '');
  const [wtype, setWtype] = useState(type || '');
  const [err, setErr] = useState(null);
  async function submit(e) {
    e.preventDefault();
    setErr(null);
    try {
      const body = { name: name.trim() };
      if (wtype && wtype !== type) body.walletType = wtype;
      await api.put(`${BASE}/${encodeURIComponent(address)}/name`, body);
      onDone();
    } catch (x) {
      setErr(x);
    }
  }
  return html`<form class="inline-form" onSubmit=${submit}>
    <label for="w-name">Name</label>
    <input id="w-name" value=${name} maxlength="63" onInput=${(e) => setName(e.target.value)} />
    <label for="w-type">Type</label>
    <select id="w-type" value=${wtype} onChange=${(e) => setWtype(e.target.value)}>
      ${TYPES.map((t) => html`<option value=${t}>${t}</option>`)}
    </select>
    <button type="submit">Save name and type</button>
    ${err && html`<span class="error inline" role="alert">${err.message}</span>`}
  </form>`;
}

const STATUS_TEXT = {
  watch: 'watch (copied by the engine)',
  flagged: 'flagged (not copied)',
  blacklisted: 'blacklisted (never copied)',
  candidate: 'candidate (not copied)',
  removed: 'removed (not copied; discovery leaves it alone)',
};

export function WalletPage({ address }) {
  const path = `${BASE}/${encodeURIComponent(address)}`;
  const detail = useApi(path);
  const [tpage, setTpage] = useState(1);
  const trades = useApi(`${path}/trades`, { page: tpage, limit: 25 });
  const perf = useApi(`${path}/performance`, { limit: 1000 });
  const patterns = useApi(`${path}/patterns`, { limit: 100 });
  const [showSimilar, setShowSimilar] = useState(false);
  const similar = useApi(showSimilar ? `${path}/similar` : null, { limit: 10 });
  const act = (verb, body) => () => api.post(`${path}/${verb}`, body);
  return html`<p><a href="#/wallets">‹ All wallets</a></p>
    <h1>Wallet <code class="addr">${short(address)}</code></h1>
    <p class="muted addr-full">${address}</p>
    <${Async} res=${detail} what="This wallet (GET ${BASE}/…)">
      ${(w) => html`
          <p>Status: <strong data-testid="wallet-status">${STATUS_TEXT[w.status] || w.status}</strong>${w.verified ? ' · verified' : ''}${w.walletName ? ` · “${w.walletName}”` : ''}
            <span class="muted"> · found by ${w.discoveryMethod || '—'} · first seen ${when(w.firstSeenTimestamp)} · updated ${when(w.updatedTimestamp)}</span></p>
          <div class="buttons" role="group" aria-label="Curation">
            ${w.status !== 'watch' && html`<${ActionButton} label="Watch" run=${act('watch')} onDone=${detail.reload} />`}
            ${w.status !== 'removed' && html`<${ActionButton} label="Unwatch" run=${act('unwatch')} onDone=${detail.reload} />`}
            ${w.verified
              ? html`<${ActionButton} label="Clear verified" run=${act('verify', { verified: false })} onDone=${detail.reload} />`
              : html`<${ActionButton} label="Verify" run=${act('verify')} onDone=${detail.reload} />`}
            ${w.status !== 'blacklisted' && html`<${ActionButton} label="Blacklist" danger confirm=${`Blacklist ${address}? The engine will never copy it.`} run=${act('blacklist')} onDone=${detail.reload} />`}
          </div>
          <${NameForm} key=${`${w.walletName}|${w.walletType}`} address=${address} current=${w.walletName} type=${w.walletType} onDone=${detail.reload} />
          <div class="grid">
            <${Section} title="Score" id="wd-s"><${Dl} items=${[
              ['Smart-money score', num(w.scoring.smartMoneyScore, 2)],
              ['Confidence', w.scoring.confidenceLevel],
              ['Type', w.walletType],
              ['Chain', w.chainId],
            ]} /></${Section}>
            <${Section} title="Performance" id="wd-p"><${Dl} items=${[
              ['Total PnL (realized + unrealized)', signed(w.performance.totalPnl, (x) => sol(x))],
              ['Realized PnL (every sell)', na(w.performance.realizedPnl, (v) => signed(v, (x) => sol(x)))],
              ['Unrealized PnL (open positions)', na(w.performance.unrealizedPnl, (v) => signed(v, (x) => sol(x)))],
              ['Prices as of', when(w.performance.unrealizedPriceTimestamp)],
              ['Copier EV (per copied buy)', na(w.performance.copierEv, (v) => signed(v, (x) => sol(x)))],
              ['Copier PnL', na(w.performance.copierPnl, (v) => html`${signed(v, (x) => sol(x))} over ${num(w.performance.copierBuys, 0)} copied buys`)],
              ['ROI', pct(w.performance.roiAllTime)],
              ['Win rate', na(w.performance.winRate, pct)],
              ['Sharpe', na(w.performance.sharpeRatio, (x) => num(x, 2))],
              ['Sortino', na(w.performance.sortinoRatio, (x) => num(x, 2))],
              ['Max drawdown', na(w.performance.maxDrawdown, pct) + (w.performance.maxDrawdownSol === null ? '' : ` (${sol(w.performance.maxDrawdownSol)})`)],
              ['Volatility', na(w.performance.volatility, (x) => `${num(x, 4)} SOL/day`)],
              ['Active days', num(w.performance.activeDays, 0)],
            ]} /></${Section}>
            <${Section} title="Activity" id="wd-a"><${Dl} items=${[
              ['Round trips', num(w.activity.totalTrades, 0)],
              ['Swaps stored', num(w.swaps, 0)],
              ['Avg trade size', sol(w.activity.avgTradeSize)],
              ['Avg holding', `${num(w.activity.avgHoldingPeriodDays * 24, 1)} h`],
              ['Last trade', when(w.activity.lastTradeTimestamp)],
            ]} /></${Section}>
            <${Section} title="Behaviour" id="wd-b"><${Dl} items=${[
              ['Trading style', w.behavioral.tradingStyle],
              ['Risk profile', w.behavioral.riskProfile],
              ['Preferred tokens', w.behavioral.preferredTokens.map(short).join(', ')],
              ['Preferred protocols', w.behavioral.preferredProtocols.join(', ')],
            ]} /></${Section}>
          </div>
          <${Section} title="Open positions" id="wd-op">
            <${Dl} items=${[
              ['Realized PnL (all sells)', signed(w.realizedPnlSol, (x) => sol(x))],
              ['Unrealized PnL', signed(w.unrealizedPnlSol, (x) => sol(x))],
            ]} />
            <${Table} caption="This wallet's open positions" rows=${w.openPositions} empty="No open position."
              rowKey=${(p) => p.tokenAddress}
              columns=${[
                { label: 'Token', render: (p) => html`<span title=${p.tokenAddress}>${short(p.tokenAddress)}</span>` },
                { label: 'Tokens', num: true, render: (p) => num(p.tokens, 2) },
                { label: 'Cost', num: true, render: (p) => (p.unknownCostBasis ? 'unknown' : sol(p.costSol)) },
                { label: 'Value', num: true, render: (p) => sol(p.valueSol) },
                { label: 'Unrealized', num: true, render: (p) => signed(p.unrealizedPnlSol, (x) => sol(x)) },
                { label: 'Avg entry', num: true, render: (p) => num(p.avgEntryPriceSol, 12) },
                { label: 'Last price', num: true, render: (p) => num(p.lastPriceSol, 12) },
                { label: 'First buy', render: (p) => when(p.firstBuyTimestamp) },
              ]} />
          </${Section}>`}
    </${Async}>
    <${Section} title="Performance snapshots" id="wd-snap">
      <${Async} res=${perf} what="Snapshots (GET …/performance)">
        ${(d) => {
          const pts = d.snapshots.map((x) => [Date.parse(x.timestamp) / 1000, x.pnlAllTime]).filter((x) => Number.isFinite(x[0]));
          const last = d.snapshots[d.snapshots.length - 1];
          return html`${pts.length > 1
              ? html`<${LineChart} points=${pts} label="PnL all time (SOL)" title="Realized PnL at each discovery run (snapshots)" />`
              : html`<${Empty}>${pts.length ? 'One snapshot so far: the chart needs two (each discovery run adds one).' : 'No snapshot yet (each discovery run adds one).'}</${Empty}>`}
            ${last && html`<${Dl} items=${[
              ['Latest snapshot', when(last.timestamp)],
              ['Open value', sol(last.totalValue)],
              ['Tokens held', num(last.tokenCount, 0)],
              ['PnL 24 h / 7 d / 30 d', `${num(last.pnl24h, 3)} / ${num(last.pnl7d, 3)} / ${num(last.pnl30d, 3)} SOL`],
              ['Trades 24 h / 7 d / 30 d', `${last.trades24h} / ${last.trades7d} / ${last.trades30d}`],
            ]} />`}`;
        }}
      </${Async}>
    </${Section}>
    <${Section} title="Wallets like this one" id="wd-sim">
      ${showSimilar
        ? html`<${Async} res=${similar} what="Similar wallets (GET …/similar)">
            ${(d) => html`<${Table} caption=${`The 10 wallets that trade most like it (of ${d.candidates} with a behaviour vector)`} rows=${d.similar} rowKey=${(x) => x.wallet.walletAddress} empty="No other wallet has a behaviour vector yet." columns=${[
              { label: 'Wallet', render: (x) => html`<a href=${`#/wallets/${encodeURIComponent(x.wallet.walletAddress)}`} title=${x.wallet.walletAddress}>${x.wallet.walletName || short(x.wallet.walletAddress)}</a>` },
              { label: 'Distance', num: true, render: (x) => num(x.distance, 2) },
              { label: 'Score', num: true, render: (x) => num(x.wallet.scoring.smartMoneyScore, 1) },
              { label: 'PnL', num: true, render: (x) => signed(x.wallet.performance.totalPnl, (v) => sol(v, 2)) },
              { label: 'Win rate', num: true, render: (x) => na(x.wallet.performance.winRate, pct) },
              { label: 'Style', render: (x) => x.wallet.behavioral.tradingStyle },
            ]} />`}
          </${Async}>`
        : html`<p><button type="button" onClick=${() => setShowSimilar(true)}>Find similar wallets</button> <span class="muted">nearest by behaviour: hold times, entry timing, sizes, hours, venue, patterns (docs/metrics.md)</span></p>`}
    </${Section}>
    <${Section} title="Patterns" id="wd-pat">
      <${Async} res=${patterns} what="Patterns (GET …/patterns)">
        ${(d) => html`<${Table} caption="Trade patterns" rows=${d.patterns} rowKey=${(x) => x.id} empty="No pattern detected." columns=${[
          { label: 'Pattern', render: (x) => x.patternName || x.patternType },
          { label: 'Token', render: (x) => html`<span title=${x.tokenAddress}>${x.tokenSymbol || short(x.tokenAddress)}</span>` },
          { label: 'Confidence', num: true, render: (x) => num(x.confidenceScore, 0) },
          { label: 'Trades', num: true, render: (x) => num(x.totalTrades, 0) },
          { label: 'Volume', num: true, render: (x) => sol(x.totalVolume, 3) },
          { label: 'PnL', num: true, render: (x) => signed(x.realizedPnl, (v) => sol(v)) },
          { label: 'ROI', num: true, render: (x) => pct(x.roi) },
          { label: 'Status', render: (x) => x.patternStatus },
          { label: 'From', render: (x) => when(x.startTimestamp) },
          { label: 'Hours', num: true, render: (x) => num(x.durationHours, 1) },
        ]} />`}
      </${Async}>
    </${Section}>
    <${Section} title="Cluster and relationships" id="wd-cl">
      <${Async} res=${detail} what="Its cluster and edges (GET ${BASE}/…)">
        ${(w) => html`<${NeighbourGraph} address=${address} cluster=${w.cluster} edges=${w.edges} />`}
      </${Async}>
    </${Section}>
    <${Section} title="Trades" id="wd-tr">
      <${Async} res=${trades} what="Trades (GET …/trades)">
        ${(d) => html`<${TokenGraph} trades=${d.trades} address=${address} />
            <${Table} caption="This wallet's swaps, newest first" rows=${d.trades} rowKey=${(t) => `${t.txHash}:${t.leg}`} empty="No trade recorded." columns=${[
              { label: 'Time', render: (t) => when(t.timestamp) },
              { label: 'Side', render: (t) => t.tradeType },
              { label: 'Token', render: (t) => html`<span title=${t.tokenAddress}>${short(t.tokenAddress)}</span>` },
              { label: 'Tokens', num: true, render: (t) => num(t.tokenAmount / 10 ** t.tokenDecimals, 2) },
              { label: 'SOL', num: true, render: (t) => sol(t.solAmount) },
              { label: 'Price', num: true, render: (t) => num(t.priceSol, 12) },
              { label: 'DEX', render: (t) => t.dex },
              { label: 'Realized PnL', num: true, render: (t) => (t.realizedPnl === null ? '—' : signed(t.realizedPnl, (x) => sol(x))) },
              { label: 'Signature', render: (t) => html`<span title=${t.txHash}>${short(t.txHash)}</span>` },
            ]} />
            <${Pager} page=${tpage} limit=${25} total=${d.pagination.total} count=${d.trades.length} onPage=${setTpage} />`}
      </${Async}>
    </${Section}>`;
}
