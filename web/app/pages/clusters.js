// Clusters: the wallet graph's clusters with the API's filters, sorting and
// paging, and a cluster's page: its metrics, a graph of its members and the
// edges among them (sigma + graphology; click a node to open the wallet),
// the member table and the blacklist button. NeighbourGraph draws a
// wallet's own edges on its page (wallets.js).
// Calls: GET /v1/clusters?minSize&minInsider&blacklisted&sortBy&sortOrder&
// page&limit; GET /v1/clusters/<id>; POST /v1/blacklist/clusters
// {"label"}; DELETE /v1/blacklist/clusters/<label>. Shapes: docs/api.md,
// "Clusters".
import { useState, useEffect, useRef } from 'preact/hooks';
import { html, useApi, Async, Table, Pager, Dl, Empty, ActionButton, num, sol, signed, when, short } from '../ui.js';
import * as api from '../api.js';

const BASE = '/v1/clusters';
const LIMIT = 25;
const KIND_COLOR = { FUNDED_BY: '#cf222e', SWEEP: '#bf8700', SYNCED_BUY: '#1f6feb', CO_EARLY: '#8250df' };

export function ClustersPage({ args }) {
  return args && args[0] ? html`<${ClusterPage} key=${args[0]} id=${args[0]} />` : html`<${ClusterList} />`;
}

function ClusterList() {
  const [q, setQ] = useState({ minSize: '', minInsider: '', blacklisted: '', sortBy: 'insider', sortOrder: 'desc', page: 1 });
  const [form, setForm] = useState(q);
  const params = { sortBy: q.sortBy, sortOrder: q.sortOrder, page: q.page, limit: LIMIT };
  if (q.minSize) params.minSize = q.minSize;
  if (q.minInsider) params.minInsider = q.minInsider;
  if (q.blacklisted) params.blacklisted = q.blacklisted;
  const res = useApi(BASE, params);
  const onSort = (by) => setQ({ ...q, sortBy: by, sortOrder: q.sortBy === by && q.sortOrder === 'desc' ? 'asc' : 'desc', page: 1 });
  return html`<h1>Clusters</h1>
    <p class="muted">Wallets that act as one owner: funding links, sweeps, synchronized and co-early buys (docs/intelligence.md). Rebuilt by the scheduler (graph.interval_min) or <code>walltrack graph build</code>.</p>
    <form class="filters" onSubmit=${(e) => { e.preventDefault(); setQ({ ...form, sortBy: q.sortBy, sortOrder: q.sortOrder, page: 1 }); }}>
      <label>Min size <input type="number" min="0" step="1" value=${form.minSize} onInput=${(e) => setForm({ ...form, minSize: e.target.value })} /></label>
      <label>Min insider likelihood <input type="number" min="0" max="1" step="0.05" value=${form.minInsider} onInput=${(e) => setForm({ ...form, minInsider: e.target.value })} /></label>
      <label>Blacklisted <select value=${form.blacklisted} onChange=${(e) => setForm({ ...form, blacklisted: e.target.value })}>
        <option value="">any</option><option value="true">blacklisted</option><option value="false">not blacklisted</option></select></label>
      <button type="submit">Apply</button>
    </form>
    <${Async} res=${res} what="Clusters (GET ${BASE})">
      ${(data) => html`<${Table}
          caption="Clusters"
          rows=${data.data}
          rowKey=${(c) => c.id}
          empty="No cluster yet. The wallet graph is built from the stored swaps and transfers."
          sort=${{ by: q.sortBy, order: q.sortOrder, onSort }}
          columns=${[
            { label: 'Cluster', render: (c) => html`<a href=${`#/clusters/${c.id}`} data-testid="cluster-link">${c.label}</a>${c.blacklisted ? html` <span class="badge" title="blacklisted">blacklisted</span>` : ''}` },
            { label: 'Size', num: true, sort: 'size', render: (c) => num(c.size, 0) },
            { label: 'Leader', render: (c) => html`<a href=${`#/wallets/${encodeURIComponent(c.leader)}`} title=${c.leader}>${short(c.leader)}</a> <span class="muted">${c.leaderRule}</span>` },
            { label: 'Insider likelihood', num: true, sort: 'insider', render: (c) => num(c.insiderLikelihood, 2) },
            { label: 'Tokens together', num: true, sort: 'tokens', render: (c) => num(c.tokensTogether, 0) },
            { label: 'Combined PnL', num: true, sort: 'pnl', render: (c) => signed(c.pnlSol, (x) => sol(x, 2)) },
            { label: 'Updated', sort: 'updated', render: (c) => when(c.updatedMs) },
          ]}
        />
        <${Pager} page=${q.page} limit=${LIMIT} total=${data.pagination.total} count=${data.data.length} onPage=${(p) => setQ({ ...q, page: p })} />`}
    </${Async}>`;
}

/** Nodes (wallet addresses, one marked) and edges drawn with sigma; a
 * click on a node opens that wallet. */
export function WalletGraph({ nodes, edges, mark, label }) {
  const box = useRef(null);
  const [err, setErr] = useState(null);
  useEffect(() => {
    if (!nodes.length || !box.current) return undefined;
    let renderer = null;
    let gone = false;
    Promise.all([import('graphology'), import('sigma')])
      .then(([{ default: Graph }, { default: Sigma }]) => {
        if (gone) return;
        const g = new Graph({ multi: true });
        nodes.forEach((n, i) => {
          const a = (2 * Math.PI * i) / nodes.length;
          g.addNode(n, { label: short(n), size: n === mark ? 12 : 7, color: n === mark ? '#cf222e' : '#1f6feb', x: Math.cos(a), y: Math.sin(a) });
        });
        for (const e of edges)
          if (g.hasNode(e.src) && g.hasNode(e.dst))
            g.addEdge(e.src, e.dst, { size: 1 + 3 * Math.min(1, e.weight), color: KIND_COLOR[e.kind] || '#bbb', label: e.kind });
        renderer = new Sigma(g, box.current, { renderLabels: true, labelColor: { color: '#222' } });
        renderer.on('clickNode', ({ node }) => { location.hash = `#/wallets/${encodeURIComponent(node)}`; });
        box.current.dataset.nodes = String(g.order);
        box.current.dataset.edges = String(g.size);
      })
      .catch(setErr);
    return () => {
      gone = true;
      if (renderer) renderer.kill();
    };
  }, [nodes.join(','), edges.length, mark]);
  if (!nodes.length) return html`<${Empty}>Nothing to draw.</${Empty}>`;
  return html`${err && html`<div class="error" role="alert">Graph: ${err.message}</div>`}
    <div class="graph" ref=${box} data-testid="cluster-graph" role="img" aria-label=${label}></div>
    <p class="muted">${Object.entries(KIND_COLOR).map(([k, c]) => html`<span style=${`color:${c}`}>■</span> ${k} `)}</p>`;
}

function ClusterPage({ id }) {
  const path = `${BASE}/${encodeURIComponent(id)}`;
  const res = useApi(path);
  return html`<p><a href="#/clusters">‹ All clusters</a></p>
    <${Async} res=${res} what="This cluster (GET ${BASE}/…)">
      ${(c) => html`
        <h1>Cluster ${c.label}</h1>
        <p>Status: <strong data-testid="cluster-status">${c.blacklisted ? 'blacklisted: no member is ever copied' : 'not blacklisted'}</strong></p>
        <div class="buttons" role="group" aria-label="Blacklist">
          ${c.blacklisted
            ? html`<${ActionButton} label="Lift blacklist" run=${() => api.del(`/v1/blacklist/clusters/${encodeURIComponent(c.label)}`)} onDone=${res.reload} />`
            : html`<${ActionButton} label="Blacklist cluster" danger confirm=${`Blacklist ${c.label}? None of its ${c.size} wallets, nor wallets that join it later, will be copied.`} run=${() => api.post('/v1/blacklist/clusters', { label: c.label })} onDone=${res.reload} />`}
        </div>
        <section class="card" aria-labelledby="cl-m"><h2 id="cl-m">Metrics</h2><${Dl} items=${[
          ['Size', num(c.size, 0)],
          ['Leader', html`<a href=${`#/wallets/${encodeURIComponent(c.leader)}`}>${short(c.leader)}</a> (${c.leaderRule})`],
          ['Insider likelihood', num(c.insiderLikelihood, 2)],
          ['Cohesion', num(c.cohesion, 3)],
          ['Tokens traded together', num(c.tokensTogether, 0)],
          ['Combined PnL', signed(c.pnlSol, (x) => sol(x, 3))],
          ['Created', when(c.createdMs)],
          ['Updated', when(c.updatedMs)],
        ]} /></section>
        <section class="card" aria-labelledby="cl-g"><h2 id="cl-g">Graph</h2>
          <${WalletGraph} nodes=${c.members.map((m) => m.wallet)} edges=${c.edges} mark=${c.leader} label=${`The ${c.size} wallets of ${c.label} and the edges among them; the leader in red`} />
        </section>
        <section class="card" aria-labelledby="cl-w"><h2 id="cl-w">Members</h2>
          <${Table} caption="Members" rows=${c.members} rowKey=${(m) => m.wallet}
            columns=${[
              { label: 'Wallet', render: (m) => html`<a href=${`#/wallets/${encodeURIComponent(m.wallet)}`} title=${m.wallet}>${short(m.wallet)}</a>` },
              { label: 'Role', render: (m) => m.role },
            ]} />
        </section>`}
    </${Async}>`;
}

/** A wallet's neighbourhood on its page: its cluster and its edges. */
export function NeighbourGraph({ address, cluster, edges }) {
  const nodes = [address];
  for (const e of edges || []) for (const n of [e.src, e.dst]) if (!nodes.includes(n)) nodes.push(n);
  return html`${cluster
      ? html`<p>In cluster <a href=${`#/clusters/${cluster.id}`}>${cluster.label}</a> (${cluster.role}; ${cluster.size} wallets, insider likelihood ${num(cluster.insiderLikelihood, 2)}${cluster.blacklisted ? ', blacklisted' : ''}).</p>`
      : html`<p class="muted">In no cluster.</p>`}
    ${edges && edges.length
      ? html`<${WalletGraph} nodes=${nodes} edges=${edges} mark=${address} label="This wallet's relationships in the wallet graph" />`
      : html`<${Empty}>No relationship found in the wallet graph.</${Empty}>`}`;
}
