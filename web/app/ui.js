// Shared pieces of the dashboard's pages: the htm binding, a data-loading
// hook, error and empty states, tables, a pager and number formatting.
import { h } from 'preact';
import { useState, useEffect, useCallback, useRef } from 'preact/hooks';
import htm from 'htm';
import * as api from './api.js';

export const html = htm.bind(h);

/** Loads GET path?params; reloads when the key (path + params) changes.
 * Returns {data, error, loading, reload}. */
export function useApi(path, params) {
  const key = path ? api.withQuery(path, params) : null;
  const [state, setState] = useState({ data: null, error: null, loading: !!key });
  const seq = useRef(0);
  const load = useCallback(() => {
    if (!key) return;
    const n = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    api
      .request('GET', key)
      .then((data) => n === seq.current && setState({ data, error: null, loading: false }))
      .catch((error) => n === seq.current && setState({ data: null, error, loading: false }));
  }, [key]);
  useEffect(load, [load]);
  return { ...state, reload: load };
}

export function Loading({ what }) {
  return html`<p class="muted" role="status" data-loading>Loading ${what || ''}…</p>`;
}

/** An error in place of data. A missing endpoint says so plainly: this
 * walltrack does not serve it (yet), which is not the operator's fault. */
export function Problem({ error, what }) {
  if (!error) return null;
  if (error.missing)
    return html`<div class="notice" role="note">
      <strong>${what || 'This view'} is not available on this walltrack.</strong>
      <span> The server answered: ${error.message}.</span>
    </div>`;
  if (error.status === 401)
    return html`<div class="error" role="alert">
      The API refused the request: ${error.message}. Enter the API token with the
      <em>Token</em> button at the top of the page.
    </div>`;
  return html`<div class="error" role="alert">${what ? `${what}: ` : ''}${error.message}</div>`;
}

export function Empty({ children }) {
  return html`<p class="empty">${children}</p>`;
}

/** Shows loading, a problem, or calls render(data). */
export function Async({ res, what, children }) {
  if (res.error) return html`<${Problem} error=${res.error} what=${what} />`;
  if (res.data === null) return html`<${Loading} what=${what} />`;
  return children(res.data);
}

// ---- formatting -------------------------------------------------------------

export const isNum = (x) => typeof x === 'number' && Number.isFinite(x);

export function num(x, digits = 2) {
  if (!isNum(x)) return x === null || x === undefined ? '—' : String(x);
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function sol(x, digits = 4) {
  return isNum(x) ? `${num(x, digits)} SOL` : '—';
}

/** Lamports (the operator API's integer amounts, `..._lamports`) in SOL. */
export function lamports(x) {
  return isNum(x) ? x / 1e9 : null;
}

/** Lamports shown as SOL ("0.2001 SOL"). */
export function lsol(x, digits = 4) {
  return sol(lamports(x), digits);
}

/** A ratio (0.42) as a percentage ("42.0%"). */
export function pct(x, digits = 1) {
  return isNum(x) ? `${(x * 100).toFixed(digits)}%` : '—';
}

/** A number already in percent (the operator API's `..._pct`: 75.98). */
export function pctPoints(x, digits = 1) {
  return isNum(x) ? `${x.toFixed(digits)}%` : '—';
}

export function signed(x, fmt = num) {
  if (!isNum(x)) return '—';
  return html`<span class=${x > 0 ? 'pos' : x < 0 ? 'neg' : ''}>${x > 0 ? '+' : ''}${fmt(x)}</span>`;
}

/** A time in UTC: Unix milliseconds (the operator API, where 0 means
 * never) or an ISO 8601 string (the smart-money API, null when unknown). */
export function when(t) {
  if (t === null || t === undefined || t === '' || t === 0) return '—';
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** How long ago a time was (Unix ms or an ISO string). */
export function ago(t) {
  if (t === null || t === undefined || t === 0 || t === '') return 'never';
  const ms = typeof t === 'number' ? t : Date.parse(t);
  if (!Number.isFinite(ms)) return String(t);
  const s = Math.round((Date.now() - ms) / 1000);
  if (s < 1) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/** A duration in ms: "42 s", "3 min 5 s", "2 h 10 min", "3 d 4 h". */
export function dur(ms) {
  if (!isNum(ms)) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

export function short(addr) {
  if (typeof addr !== 'string' || addr.length < 12) return addr || '—';
  return `${addr.slice(0, 4)}…${addr.slice(-4)}`;
}

// ---- components -------------------------------------------------------------

/** A table. columns: [{key, label, render?(row), sort?: apiKey, num?: bool}].
 * sort: {by, order, onSort(apiKey)} makes sortable headers buttons. */
/** A CSV cell of the rows shown: quoted when needed, a leading ' on text
 * that a spreadsheet would run as a formula (as the server does). */
function csvCell(v) {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** "Download CSV": the server's CSV of the list (csv = {path, params},
 * every filtered row), or else the rows this table shows. */
function CsvButton({ csv, caption, rows }) {
  const [error, setError] = useState(null);
  const run = () => {
    setError(null);
    if (csv) {
      api.downloadCsv(csv.path, csv.params).catch((e) => setError(e.message));
      return;
    }
    const keys = [];
    for (const r of rows) for (const k of Object.keys(r || {})) if (!keys.includes(k)) keys.push(k);
    const lines = [keys.map(csvCell).join(',')].concat(rows.map((r) => keys.map((k) => csvCell(r[k])).join(',')));
    const name = `walltrack-${caption.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}.csv`;
    api.saveCsv(lines.join('\r\n') + '\r\n', name);
  };
  return html`<div class="table-tools">
    <button type="button" class="csv" data-testid="download-csv" onClick=${run}>Download CSV</button>
    ${error ? html`<span class="error" role="alert">${error}</span>` : null}
  </div>`;
}

export function Table({ caption, columns, rows, sort, rowKey, empty, csv }) {
  if (!rows.length) return html`<${Empty}>${empty || 'Nothing yet.'}</${Empty}>`;
  return html`<${CsvButton} csv=${csv} caption=${caption} rows=${rows} />
  <div class="table-wrap" tabindex="0" role="region" aria-label=${caption}>
    <table>
      <caption class="sr-only">${caption}</caption>
      <thead>
        <tr>
          ${columns.map((c) => {
            const active = sort && c.sort && sort.by === c.sort;
            const aria = active ? (sort.order === 'asc' ? 'ascending' : 'descending') : undefined;
            return html`<th scope="col" class=${c.num ? 'num' : ''} aria-sort=${aria}>
              ${sort && c.sort
                ? html`<button class="sort" onClick=${() => sort.onSort(c.sort)}>
                    ${c.label}${active ? (sort.order === 'asc' ? ' ▲' : ' ▼') : ''}
                  </button>`
                : c.label}
            </th>`;
          })}
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (r, i) => html`<tr key=${rowKey ? rowKey(r) : i}>
            ${columns.map(
              (c) => html`<td class=${c.num ? 'num' : ''} data-label=${c.label}>
                ${c.render ? c.render(r) : fmtCell(r[c.key])}
              </td>`,
            )}
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function fmtCell(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (isNum(v)) return num(v, 4);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function Pager({ page, limit, total, count, onPage }) {
  const pages = total !== null && total !== undefined ? Math.max(1, Math.ceil(total / limit)) : null;
  const last = pages !== null ? page >= pages : count < limit;
  return html`<nav class="pager" aria-label="Pages">
    <button disabled=${page <= 1} onClick=${() => onPage(page - 1)}>‹ Previous</button>
    <span aria-live="polite">Page ${page}${pages !== null ? ` of ${pages}` : ''}${
      total !== null && total !== undefined ? ` · ${num(total, 0)} in all` : ''
    }</span>
    <button disabled=${last} onClick=${() => onPage(page + 1)}>Next ›</button>
  </nav>`;
}

/** Paging of the operator API's lists (newest first; `before` an id; the
 * answer's `next_before` is null at the end). Keeps the cursors seen so
 * the operator can go back. */
export function useCursor() {
  const [stack, setStack] = useState([0]);
  return {
    before: stack[stack.length - 1] || '',
    page: stack.length,
    next: (nb) => setStack([...stack, nb]),
    prev: () => setStack(stack.slice(0, -1)),
    reset: () => setStack([0]),
  };
}

export function CursorPager({ cursor, nextBefore, label = 'Pages' }) {
  return html`<nav class="pager" aria-label=${label}>
    <button disabled=${cursor.page <= 1} onClick=${cursor.prev}>‹ Newer</button>
    <span aria-live="polite">Page ${cursor.page}</span>
    <button disabled=${nextBefore === null || nextBefore === undefined} onClick=${() => cursor.next(nextBefore)}>Older ›</button>
  </nav>`;
}

/** A definition list: items [[label, value], ...], values formatted by
 * the caller; falsy items are left out. */
export function Dl({ items }) {
  const list = items.filter(Boolean);
  if (!list.length) return null;
  return html`<dl class="fields">
    ${list.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v === null || v === undefined || v === '' ? '—' : v}</dd></div>`)}
  </dl>`;
}

/** A button that runs an async action, shows it is busy, and reports the
 * server's error next to it. */
export function ActionButton({ label, busyLabel, run, onDone, danger, confirm: ask }) {
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState(null);
  async function click() {
    if (ask && !window.confirm(ask)) return;
    setBusy(true);
    setErr(null);
    try {
      const r = await run();
      onDone && onDone(r);
    } catch (e) {
      setErr(e);
    } finally {
      setBusy(false);
    }
  }
  return html`<span class="action">
    <button class=${danger ? 'danger' : ''} disabled=${busy} onClick=${click}>${busy ? busyLabel || `${label}…` : label}</button>
    ${err && html`<span class="error inline" role="alert">${err.message}</span>`}
  </span>`;
}

/** The last events of the live stream, shared by every page. */
export const live = {
  events: [],
  listeners: new Set(),
  push(ev) {
    ev.at = Date.now();
    this.events = [ev, ...this.events].slice(0, 50);
    this.listeners.forEach((fn) => fn(ev));
  },
};

/** Re-renders on each stream event; calls onEvent(ev) too when given. */
export function useLive(onEvent) {
  const [, setN] = useState(0);
  const cb = useRef(onEvent);
  cb.current = onEvent;
  useEffect(() => {
    const fn = (ev) => {
      setN((n) => n + 1);
      cb.current && cb.current(ev);
    };
    live.listeners.add(fn);
    return () => live.listeners.delete(fn);
  }, []);
  return live.events;
}
