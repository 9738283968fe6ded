// Backtest: replay the stored events through the engine with other
// settings, compare, and apply what works (docs/backtest.md).
//
// * Scenarios: GET /v1/backtest/scenarios (presets, read-only, then the
//   stored ones); create, copy or edit one with PUT
//   /v1/backtest/scenarios/{name} {"params": {setting: value}}; the server
//   checks every setting and value and its message is shown in the editor.
// * Start: POST /v1/backtests (a run, a batch of scenarios or a grid
//   search; the command's parameters and checks, a 400 shown as is).
// * Jobs: GET /v1/backtests, followed live through the `backtest` events of
//   the one /v1/stream connection (state, events and scenarios done, ETA);
//   Cancel is DELETE /v1/backtests/{id} (nothing of it is saved).
// * Runs: GET /v1/backtest/runs; the ticked ones compared side by side
//   (GET /v1/backtest/runs/{id}: metrics and the mark-to-market curve),
//   their equity curves overlaid.
// * A done grid search: its out-of-sample result and a heatmap of the
//   objective over two parameters (from the job's "grid").
// * Apply: a run's settings, or a grid's recommended values, through PUT
//   /v1/config (the Config page's path: checked, applied live, kept in the
//   history) after a confirmation dialog listing every change.
import { useState, useEffect, useRef } from 'preact/hooks';
import { html, useApi, useLive, Async, Table, Empty, num, pct, pctPoints, signed, when, sol } from '../ui.js';
import * as api from '../api.js';
import { MultiLineChart } from '../chart.js';

const DAY = 86400000;
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);

/** "name=value" lines into an object; throws an Error naming a bad line. */
function parseLines(text, what) {
  const out = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const i = line.indexOf('=');
    if (i <= 0) throw new Error(`${what}: “${line}” is not NAME=VALUE`);
    out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

const toLines = (params) => Object.entries(params || {}).map(([k, v]) => `${k}=${v}`).join('\n');

/* ---- scenarios ------------------------------------------------------------ */

/** Settings a scenario is likely to set (the server has the last word:
 * it refuses any other with its message), from GET /v1/config. */
const SCENARIO_SETTING = /^(signal|trade|breakers|paper)\.|^engine\.tick_ms$|^market\.sol_usd$/;

function ScenarioEditor({ start, onSaved, onCancel }) {
  const [name, setName] = useState(start.name);
  const [text, setText] = useState(toLines(start.params));
  const cfg = useApi('/v1/config');
  const known = ((cfg.data && cfg.data.settings) || []).filter((x) => SCENARIO_SETTING.test(x.name) && !x.secret);
  function add(e) {
    const def = known.find((x) => x.name === e.target.value);
    e.target.value = '';
    if (!def) return;
    setText((t) => `${t.replace(/\n*$/, '')}${t.trim() ? '\n' : ''}${def.name}=${def.value}`);
  }
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  async function save(e) {
    e.preventDefault();
    setErr(null);
    let params;
    try {
      params = parseLines(text, 'Settings');
    } catch (x) {
      return setErr(x);
    }
    if (!name.trim()) return setErr(new Error('Give the scenario a name'));
    setBusy(true);
    try {
      await api.put(`/v1/backtest/scenarios/${encodeURIComponent(name.trim())}`, { params });
      onSaved(name.trim());
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  }
  return html`<form class="card bt-editor" noValidate onSubmit=${save} aria-labelledby="bt-ed-h" data-testid="scenario-editor">
    <h3 id="bt-ed-h">${start.isNew ? 'New scenario' : `Edit “${start.name}”`}</h3>
    <div class="xfields">
      <div class="xfield">
        <label for="bt-sc-name">Name</label>
        <input id="bt-sc-name" value=${name} readOnly=${!start.isNew} onInput=${(e) => setName(e.target.value)} aria-describedby="bt-sc-name-help" />
        <small id="bt-sc-name-help" class="help">a-z, 0-9, “_”, “-”, “.”; up to 63.</small>
      </div>
    </div>
    <label for="bt-sc-params">Settings, one NAME=VALUE a line</label>
    <textarea id="bt-sc-params" rows="6" spellcheck="false" value=${text} onInput=${(e) => setText(e.target.value)}
      aria-describedby="bt-sc-params-help"></textarea>
    <small id="bt-sc-params-help" class="help">Any engine or signal setting (signal.*, trade.*, breakers.*, paper.*, engine.tick_ms), checked against its bounds as in the configuration (docs/config.md). Unset ones keep the configuration's value.</small>
    ${known.length > 0 &&
    html`<div class="xfield bt-add">
      <label for="bt-sc-add">Add a setting (with its value now)</label>
      <select id="bt-sc-add" onChange=${add}>
        <option value="">choose…</option>
        ${known.map((x) => html`<option value=${x.name}>${x.name} (now ${String(x.value)})</option>`)}
      </select>
    </div>`}
    ${err && html`<p class="error" role="alert" data-testid="scenario-error">${err.message}</p>`}
    <div class="buttons">
      <button type="submit" disabled=${busy}>${busy ? 'Saving…' : 'Save scenario'}</button>
      <button type="button" onClick=${onCancel}>Cancel</button>
    </div>
  </form>`;
}

function Scenarios({ res, onChanged }) {
  const [editing, setEditing] = useState(null);
  const [msg, setMsg] = useState(null);
  return html`<section aria-labelledby="bt-sc-h">
    <h2 id="bt-sc-h">Scenarios</h2>
    <p class="help">Named settings to replay with. conservative, default (the configuration as it is) and aggressive are built in: copy one to change it.</p>
    <${Async} res=${res} what="Scenarios">
      ${(list) => html`<${Table} caption="Scenarios" rows=${list} rowKey=${(s) => s.name} columns=${[
        { label: 'Name', render: (s) => html`<strong>${s.name}</strong>${s.builtin ? html` <span class="muted">built in</span>` : ''}` },
        { label: 'Settings', render: (s) => (Object.keys(s.params).length ? html`<code class="value">${toLines(s.params).replace(/\n/g, ', ')}</code>` : html`<span class="muted">the configuration as it is</span>`) },
        {
          label: 'Actions',
          render: (s) => html`<span class="buttons tight">
            <button type="button" class="small" onClick=${() => { setMsg(null); setEditing({ name: `${s.name}-copy`, params: s.params, isNew: true }); }} aria-label=${`Copy ${s.name}`}>Copy</button>
            ${!s.builtin && html`<button type="button" class="small" onClick=${() => { setMsg(null); setEditing({ name: s.name, params: s.params, isNew: false }); }} aria-label=${`Edit ${s.name}`}>Edit</button>`}
          </span>`,
        },
      ]} />`}
    </${Async}>
    <div class="buttons">
      <button type="button" onClick=${() => { setMsg(null); setEditing({ name: '', params: {}, isNew: true }); }}>New scenario</button>
      ${msg && html`<span class="ok inline" role="status">${msg}</span>`}
    </div>
    ${editing && html`<${ScenarioEditor} key=${`${editing.name}:${editing.isNew}`} start=${editing} onCancel=${() => setEditing(null)}
      onSaved=${(n) => { setEditing(null); setMsg(`Scenario “${n}” saved`); onChanged(); }} />`}
  </section>`;
}

/* ---- starting a job ------------------------------------------------------- */

function StartForm({ scenarios, onStarted }) {
  const [kind, setKind] = useState('run');
  const [from, setFrom] = useState(isoDay(Date.now() - 7 * DAY));
  const [to, setTo] = useState(isoDay(Date.now() + DAY));
  const [scenario, setScenario] = useState('default');
  const [batch, setBatch] = useState(['conservative', 'default', 'aggressive']);
  const [sets, setSets] = useState('');
  const [axes, setAxes] = useState('');
  const [objective, setObjective] = useState('return');
  const [minTrades, setMinTrades] = useState('0');
  const [maxDd, setMaxDd] = useState('0');
  const [folds, setFolds] = useState('');
  const [inSample, setInSample] = useState(false);
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const names = scenarios.map((s) => s.name);
  async function start(e) {
    e.preventDefault();
    setErr(null);
    const body = { kind, from: from.trim(), to: to.trim() };
    try {
      const set = parseLines(sets, 'Set');
      if (Object.keys(set).length) body.set = set;
      if (kind === 'batch') body.scenarios = batch;
      else body.scenario = scenario;
      if (kind === 'grid') {
        body.axes = axes.split('\n').map((l) => l.trim()).filter(Boolean);
        body.objective = objective;
        const n = (v, what) => {
          const x = Number(v);
          if (String(v).trim() === '' || !Number.isFinite(x)) throw new Error(`${what} must be a number`);
          return x;
        };
        body.min_trades = n(minTrades, 'Minimum trades');
        body.max_drawdown = n(maxDd, 'Maximum drawdown');
        if (folds.trim()) body.folds = n(folds, 'Folds');
        if (inSample) body.in_sample = true;
      }
    } catch (x) {
      return setErr(x);
    }
    setBusy(true);
    try {
      onStarted(await api.post('/v1/backtests', body));
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  }
  return html`<form class="card bt-start" noValidate onSubmit=${start} aria-labelledby="bt-start-h" data-testid="backtest-start">
    <h2 id="bt-start-h">Start a backtest</h2>
    <div class="xfields">
      <div class="xfield">
        <label for="bt-kind">Kind</label>
        <select id="bt-kind" value=${kind} onChange=${(e) => setKind(e.target.value)}>
          <option value="run">one scenario (run)</option>
          <option value="batch">several scenarios (batch)</option>
          <option value="grid">grid search (walk-forward)</option>
        </select>
      </div>
      <div class="xfield">
        <label for="bt-from">From (UTC)</label>
        <input id="bt-from" value=${from} onInput=${(e) => setFrom(e.target.value)} placeholder="2026-11-01 or 2026-11-01T12:00:00Z" />
      </div>
      <div class="xfield">
        <label for="bt-to">To (UTC, excluded)</label>
        <input id="bt-to" value=${to} onInput=${(e) => setTo(e.target.value)} />
      </div>
      ${kind !== 'batch' &&
      html`<div class="xfield">
        <label for="bt-scenario">Scenario</label>
        <select id="bt-scenario" value=${scenario} onChange=${(e) => setScenario(e.target.value)}>
          ${names.map((n) => html`<option value=${n}>${n}</option>`)}
        </select>
      </div>`}
    </div>
    ${kind === 'batch' &&
    html`<fieldset class="tps"><legend>Scenarios of the batch</legend>
      ${names.map(
        (n) => html`<label class="check-inline"><input type="checkbox" checked=${batch.includes(n)}
          onChange=${(e) => setBatch(e.target.checked ? [...batch, n] : batch.filter((x) => x !== n))} /> ${n}</label>`,
      )}
    </fieldset>`}
    ${kind === 'grid' &&
    html`<fieldset class="tps"><legend>Grid</legend>
      <label for="bt-axes">Parameters, one a line: NAME=a,b,c or NAME=lo:hi:step</label>
      <textarea id="bt-axes" rows="3" spellcheck="false" value=${axes} onInput=${(e) => setAxes(e.target.value)}
        placeholder=${'signal.threshold=0.6,0.7,0.8\ntrade.max_positions=2:8:2'}></textarea>
      <div class="xfields">
        <div class="xfield">
          <label for="bt-objective">Objective</label>
          <select id="bt-objective" value=${objective} onChange=${(e) => setObjective(e.target.value)}>
            <option value="return">return</option><option value="sharpe">Sharpe</option>
            <option value="profit_factor">profit factor</option><option value="expectancy">expectancy</option>
          </select>
        </div>
        <div class="xfield"><label for="bt-min-trades">Minimum trades</label><input id="bt-min-trades" inputmode="numeric" value=${minTrades} onInput=${(e) => setMinTrades(e.target.value)} /></div>
        <div class="xfield"><label for="bt-max-dd">Maximum drawdown (%; 0: none)</label><input id="bt-max-dd" inputmode="decimal" value=${maxDd} onInput=${(e) => setMaxDd(e.target.value)} /></div>
        <div class="xfield"><label for="bt-folds">Folds (empty: backtest.folds)</label><input id="bt-folds" inputmode="numeric" value=${folds} onInput=${(e) => setFolds(e.target.value)} /></div>
        <div class="xfield check"><label><input type="checkbox" checked=${inSample} onChange=${(e) => setInSample(e.target.checked)} /> In-sample only (optimistic)</label></div>
      </div>
    </fieldset>`}
    <label for="bt-set">Set, over the scenario's settings (NAME=VALUE a line; optional)</label>
    <textarea id="bt-set" rows="2" spellcheck="false" value=${sets} onInput=${(e) => setSets(e.target.value)}></textarea>
    ${err && html`<p class="error" role="alert" data-testid="start-error">${err.message}</p>`}
    <div class="buttons"><button type="submit" disabled=${busy}>${busy ? 'Starting…' : 'Start'}</button></div>
  </form>`;
}

/* ---- jobs ------------------------------------------------------------------ */

const STATE_RANK = { queued: 0, running: 1, done: 2, failed: 2, cancelled: 2 };

/** Whether `next` is newer than `prev` (two words on the same job): a later
 * state, or more progress in the running state. An ended job stays ended. */
function isNews(prev, next) {
  if (!prev) return true;
  const a = STATE_RANK[prev.state] ?? 0;
  const b = STATE_RANK[next.state] ?? 0;
  if (a !== b) return b > a;
  if (next.state !== 'running') return false;
  const f = (j) => (j.progress && j.progress.fraction) || 0;
  return f(next) >= f(prev);
}

function JobRow({ job, onCancelled }) {
  const p = job.progress || {};
  const running = job.state === 'running' || job.state === 'queued';
  const [err, setErr] = useState(null);
  async function cancel() {
    setErr(null);
    try {
      onCancelled(await api.del(`/v1/backtests/${job.id}`));
    } catch (x) {
      setErr(x);
    }
  }
  const count = job.kind === 'run'
    ? `${num(p.events_done, 0)} / ${num(p.events_total, 0)} events`
    : `${num(p.scenarios_done, 0)} / ${num(p.scenarios_total, 0)} ${job.kind === 'grid' ? 'points' : 'scenarios'}`;
  return html`<li class=${`bt-job ${job.state}`} data-testid="backtest-job" data-state=${job.state} data-id=${job.id}>
    <strong>#${job.id} ${job.kind}</strong> ${job.scenarios.join(', ')} · ${job.from} → ${job.to}
    <span class="bt-state">${job.state}</span>
    <progress max="1" value=${p.fraction || 0} aria-label=${`Job ${job.id} progress`}></progress>
    <span class="muted">${pct(p.fraction || 0, 0)} · ${count}${running && p.eta_s !== null && p.eta_s !== undefined ? ` · about ${Math.ceil(p.eta_s)} s left` : ''}</span>
    ${job.error && html`<span class="error inline" role="alert">${job.error}</span>`}
    ${job.state === 'done' && job.run_ids.length ? html`<span class="muted"> · runs ${job.run_ids.join(', ')}</span>` : ''}
    ${running && html`<button type="button" class="small danger" onClick=${cancel}>Cancel</button>`}
    ${err && html`<span class="error inline" role="alert">${err.message}</span>`}
  </li>`;
}

/* ---- comparison, curves, apply -------------------------------------------- */

const pf = (m) => (m.profit_factor === 'inf' ? '∞' : num(m.profit_factor, 2));

function Comparison({ runs, onApply }) {
  if (!runs.length) return html`<${Empty}>Tick runs in the list below to compare them.</${Empty}>`;
  const lines = runs.map((r) => ({ label: `#${r.id} ${r.scenario}`, points: (r.curve || []).map((c) => [c[0] / 1000, c[1]]) }));
  return html`<div data-testid="comparison">
    <${Table} caption="Comparison of the ticked runs" rows=${runs} rowKey=${(r) => r.id} columns=${[
      { label: 'Run', render: (r) => `#${r.id}` },
      { label: 'Scenario', render: (r) => r.scenario },
      { label: 'Sample', render: (r) => r.sample || 'full' },
      { label: 'Return', num: true, render: (r) => signed(r.metrics.return_pct, (v) => pctPoints(v, 2)) },
      { label: 'Trades', num: true, render: (r) => num(r.metrics.trades, 0) },
      { label: 'Win rate', num: true, render: (r) => pct(r.metrics.win_rate) },
      { label: 'Profit factor', num: true, render: (r) => pf(r.metrics) },
      { label: 'Expectancy', num: true, render: (r) => signed(r.metrics.expectancy_sol, (v) => sol(v, 5)) },
      { label: 'Max drawdown', num: true, render: (r) => pctPoints(r.metrics.max_drawdown_pct, 2) },
      { label: 'Sharpe', num: true, render: (r) => (r.metrics.sharpe === null || r.metrics.sharpe === undefined ? 'n/a' : num(r.metrics.sharpe, 2)) },
      { label: 'Apply', render: (r) => html`<button type="button" class="small" onClick=${() => onApply(r.overrides || {}, `run #${r.id} (${r.scenario})`)}>Apply…</button>` },
    ]} />
    ${lines.some((l) => l.points.length > 1)
      ? html`<${MultiLineChart} lines=${lines} title="Equity, mark-to-market (SOL), of the ticked runs" />`
      : html`<${Empty}>No equity curve to draw yet.</${Empty}>`}
    <p class="help">Sharpe needs at least 7 days. Expectancy is per closed trade, after fees and slippage.</p>
  </div>`;
}

/** The confirmation dialog of Apply: every setting that would change. */
function ApplyDialog({ what, params, onClose }) {
  const [err, setErr] = useState(null);
  const [done, setDone] = useState(null);
  const [busy, setBusy] = useState(false);
  const ref = useRef(null);
  useEffect(() => { ref.current && ref.current.focus(); }, []);
  const entries = Object.entries(params);
  async function apply() {
    setBusy(true);
    setErr(null);
    try {
      await api.put('/v1/config', { settings: params });
      setDone(`Applied ${entries.length} setting${entries.length === 1 ? '' : 's'}: live now, and in the Config page's history.`);
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  }
  return html`<div class="modal-back">
    <div class="modal card" role="dialog" aria-modal="true" aria-labelledby="bt-apply-h" data-testid="apply-dialog"
      onKeyDown=${(e) => e.key === 'Escape' && onClose()}>
      <h2 id="bt-apply-h">Apply the settings of ${what}?</h2>
      ${entries.length
        ? html`<p>These settings of the running engine change (PUT /v1/config, kept in the history):</p>
            <ul class="bt-apply-list">${entries.map(([k, v]) => html`<li><code>${k}</code> = <code>${v}</code></li>`)}</ul>`
        : html`<p>Nothing to apply: it used the configuration as it is.</p>`}
      ${err && html`<p class="error" role="alert" data-testid="apply-error">${err.message}</p>`}
      ${done && html`<p class="ok" role="status" data-testid="apply-done">${done}</p>`}
      <div class="buttons">
        ${!done && entries.length > 0 && html`<button type="button" class="danger" disabled=${busy} onClick=${apply}>${busy ? 'Applying…' : 'Apply'}</button>`}
        <button type="button" ref=${ref} onClick=${onClose}>${done ? 'Close' : 'Cancel'}</button>
      </div>
    </div>
  </div>`;
}

/* ---- grid result ----------------------------------------------------------- */

/** Green for the best, red for the worst objective value. */
function heat(v, lo, hi) {
  if (!Number.isFinite(v)) return undefined;
  const t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
  return `hsl(${Math.round(t * 120)}, 70%, 82%)`;
}

function GridResult({ job, onApply }) {
  const g = job.grid;
  if (!g) return null;
  const axes = g.axes || [];
  const pts = g.points_full_window_in_sample || [];
  const ok = pts.filter((p) => p.meets_constraints && Number.isFinite(p.objective)).map((p) => p.objective);
  const lo = Math.min(...ok);
  const hi = Math.max(...ok);
  const m = g.out_of_sample || g.in_sample || {};
  const cell = (i) => {
    const p = pts[i];
    if (!p) return html`<td>—</td>`;
    const show = p.meets_constraints && Number.isFinite(p.objective);
    return html`<td class="num heat" style=${show ? { background: heat(p.objective, lo, hi) } : undefined}
      title=${`${p.trades} trades, return ${num(p.return_pct, 2)}%, max drawdown ${num(p.max_drawdown_pct, 2)}%`}>
      ${show ? num(p.objective, 3) : '—'}</td>`;
  };
  const n0 = axes[0] ? axes[0].values.length : 0;
  return html`<section aria-labelledby="bt-grid-h" data-testid="grid-result">
    <h2 id="bt-grid-h">Grid search #${job.id}</h2>
    <p><strong>${g.sample === 'in-sample' ? 'IN-SAMPLE (asked for; optimistic)' : `Out-of-sample over ${g.folds.length} folds`}</strong>:
      return ${signed(m.return_pct, (v) => pctPoints(v, 2))}, ${num(m.trades, 0)} trades, worst drawdown ${pctPoints(m.max_drawdown_pct, 2)}.
      Objective: ${g.objective}.</p>
    <p>Recommended: ${g.recommended ? html`<code>${toLines(g.recommended).replace(/\n/g, ', ')}</code>
      <button type="button" class="small" onClick=${() => onApply(job.recommended_overrides || g.recommended, `grid search #${job.id} (recommended, with its scenario's settings)`)}>Apply…</button>`
      : 'none: no point met the constraints'}</p>
    ${axes.length === 2
      ? html`<div class="table-wrap" tabindex="0" role="region" aria-label="Heatmap">
          <table class="heatmap" data-testid="heatmap">
            <caption>${g.objective} over the whole window (in-sample) by ${axes[0].name} (rows) and ${axes[1].name} (columns); — : constraints not met</caption>
            <thead><tr><th scope="col">${axes[0].name} \\ ${axes[1].name}</th>${axes[1].values.map((v) => html`<th scope="col" class="num">${v}</th>`)}</tr></thead>
            <tbody>${axes[0].values.map((rv, r) => html`<tr><th scope="row">${rv}</th>${axes[1].values.map((_, c) => cell(r + c * n0))}</tr>`)}</tbody>
          </table></div>`
      : axes.length === 1
        ? html`<div class="table-wrap" tabindex="0" role="region" aria-label="Heatmap">
            <table class="heatmap" data-testid="heatmap"><caption>${g.objective} by ${axes[0].name} (whole window, in-sample)</caption>
              <thead><tr>${axes[0].values.map((v) => html`<th scope="col" class="num">${v}</th>`)}</tr></thead>
              <tbody><tr>${axes[0].values.map((_, i) => cell(i))}</tr></tbody></table></div>`
        : html`<p class="help">The heatmap shows grids of one or two parameters.</p>`}
    <${Table} caption="Walk-forward folds" rows=${g.folds} columns=${[
      { label: 'Fold', render: (f) => `${g.folds.indexOf(f) + 1}` },
      { label: 'Chosen on', render: (f) => `${when(f.in_sample_from_ms)} → ${when(f.in_sample_to_ms)}` },
      { label: 'Reported on', render: (f) => `${when(f.out_of_sample_from_ms)} → ${when(f.out_of_sample_to_ms)}` },
      { label: 'In-sample return', num: true, render: (f) => (f.in_sample ? pctPoints(f.in_sample.return_pct, 2) : '—') },
      { label: 'Out-of-sample return', num: true, render: (f) => (f.out_of_sample ? pctPoints(f.out_of_sample.return_pct, 2) : 'none met the constraints') },
      { label: 'Run', render: (f) => (f.run_id ? `#${f.run_id}` : '—') },
    ]} />
  </section>`;
}

/* ---- the page -------------------------------------------------------------- */

export function BacktestPage() {
  const scen = useApi('/v1/backtest/scenarios');
  const runsRes = useApi('/v1/backtest/runs');
  const [jobs, setJobs] = useState([]);
  const [jobsErr, setJobsErr] = useState(null);
  const [picked, setPicked] = useState([]);
  const [details, setDetails] = useState({});
  const [grid, setGrid] = useState(null);
  const [applying, setApplying] = useState(null);

  /* The newest word on each job, updated at once (the list in state lags a
   * render behind): the stream's events and the answers to POST and DELETE
   * arrive in either order, and an older word must not replace a newer one. */
  const known = useRef(new Map());
  const loadJobs = () => api.get('/v1/backtests').then((j) => {
    for (const job of j) if (isNews(known.current.get(job.id), job)) known.current.set(job.id, job);
    setJobs(j.map((job) => known.current.get(job.id)));
    setJobsErr(null);
  }).catch(setJobsErr);
  useEffect(() => { loadJobs(); }, []);

  /** A job's news: update it in place; when it ends, reload the runs, tick
   * its runs and, for a grid, show its result. Old news is dropped. */
  function jobChanged(job) {
    if (!isNews(known.current.get(job.id), job)) return;
    known.current.set(job.id, job);
    setJobs((list) => {
      const rest = list.filter((j) => j.id !== job.id);
      return [job, ...rest].sort((a, b) => b.id - a.id);
    });
    if (job.state === 'done') {
      runsRes.reload();
      setPicked((p) => [...new Set([...p, ...job.run_ids])]);
      if (job.kind === 'grid') api.get(`/v1/backtests/${job.id}`).then(setGrid).catch(() => {});
    }
  }
  useLive((ev) => {
    if (ev.type === 'backtest' && ev.data && typeof ev.data === 'object') jobChanged(ev.data);
  });

  useEffect(() => {
    for (const id of picked)
      if (!details[id])
        api.get(`/v1/backtest/runs/${id}`)
          .then((r) => setDetails((d) => ({ ...d, [id]: r })))
          .catch(() => setPicked((p) => p.filter((x) => x !== id)));
  }, [picked.join(',')]);

  const toggle = (id) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));
  const compared = picked.map((id) => details[id]).filter(Boolean);

  return html`<h1>Backtest</h1>
    <p class="help">Replays the stored swaps through the trading engine (paper executor, the events' own clock) with other settings. Nothing here trades; Apply changes the running engine's settings.</p>
    <${Scenarios} res=${scen} onChanged=${scen.reload} />
    ${scen.data && html`<${StartForm} scenarios=${scen.data} onStarted=${jobChanged} />`}
    <section aria-labelledby="bt-jobs-h">
      <h2 id="bt-jobs-h">Jobs</h2>
      ${jobsErr
        ? html`<p class="error" role="alert">${jobsErr.message}</p>`
        : jobs.length
          ? html`<ul class="bt-jobs" aria-live="polite">${jobs.slice(0, 10).map((j) => html`<${JobRow} key=${j.id} job=${j} onCancelled=${jobChanged} />`)}</ul>`
          : html`<${Empty}>No backtest started since the daemon started.</${Empty}>`}
    </section>
    ${grid && html`<${GridResult} job=${grid} onApply=${(params, what) => setApplying({ params, what })} />`}
    <section aria-labelledby="bt-cmp-h">
      <h2 id="bt-cmp-h">Comparison</h2>
      <${Comparison} runs=${compared} onApply=${(params, what) => setApplying({ params, what })} />
    </section>
    <section aria-labelledby="bt-runs-h">
      <h2 id="bt-runs-h">Saved runs</h2>
      <${Async} res=${runsRes} what="Runs">
        ${(runs) => html`<${Table} caption="Saved backtest runs" rows=${[...runs].reverse()} rowKey=${(r) => r.id} empty="No backtest run saved yet." columns=${[
          { label: 'Compare', render: (r) => html`<input type="checkbox" checked=${picked.includes(r.id)} onChange=${() => toggle(r.id)} aria-label=${`Compare run ${r.id}`} />` },
          { label: 'Run', render: (r) => `#${r.id}` },
          { label: 'Scenario', render: (r) => r.scenario },
          { label: 'Window', render: (r) => `${when(r.from_ms)} → ${when(r.to_ms)}` },
          { label: 'Sample', render: (r) => r.sample || 'full' },
          { label: 'Return', num: true, render: (r) => signed(r.return_pct, (v) => pctPoints(v, 2)) },
          { label: 'Trades', num: true, render: (r) => num(r.trades, 0) },
        ]} />`}
      </${Async}>
    </section>
    ${applying && html`<${ApplyDialog} what=${applying.what} params=${applying.params} onClose=${() => setApplying(null)} />`}`;
}
