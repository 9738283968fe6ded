// Config: every setting from GET /v1/config, grouped by area (risk,
// scoring weights and threshold, exit strategies, …). Settings marked live
// are edited in place and saved one at a time with PUT /v1/config; the
// server validates, and its message is shown next to the field. Others are
// read-only here (file or environment, restart). Secrets only say whether
// they are set. Change history: GET /v1/config/history.
import { useState } from 'preact/hooks';
import { html, useApi, Async, Table, Problem, when, num } from '../ui.js';
import * as api from '../api.js';

/** Saves settings {name: value} through the API; throws ApiError with the
 * server's message. Shared with the setup wizard. */
export function saveSettings(values) {
  return api.put('/v1/config', { settings: values });
}

/** The typed value of a text input for a setting, or an Error whose
 * message says why it is not one (only the syntax: bounds are the
 * server's to check). */
export function parseValue(def, text) {
  if (def.type === 'bool') return text === true || text === 'true';
  if (def.type === 'int') {
    if (!/^-?\d+$/.test(String(text).trim())) return new Error(`${def.name} must be a whole number`);
    return Number(text);
  }
  if (def.type === 'double') {
    const n = Number(String(text).trim());
    if (String(text).trim() === '' || !Number.isFinite(n)) return new Error(`${def.name} must be a number`);
    return n;
  }
  return String(text);
}

const AREAS = [
  ['risk', 'Risk', /^(risk|capital|sizing|position|breaker|breakers|live)\./],
  ['score', 'Scoring weights and threshold', /^(score|scoring|signal|weights?)\./],
  ['exit', 'Exit strategies', /^exits?\./],
];

function areaOf(name) {
  for (const [id, , re] of AREAS) if (re.test(name)) return id;
  return name.split('.')[0];
}

function Setting({ def, onSaved }) {
  const id = `cfg-${def.name.replace(/\W/g, '-')}`;
  const [val, setVal] = useState(def.secret ? '' : def.value);
  const [err, setErr] = useState(null);
  const [ok, setOk] = useState(false);
  const [busy, setBusy] = useState(false);
  const dirty = String(val) !== String(def.value);
  async function save(e) {
    e.preventDefault();
    setErr(null);
    setOk(false);
    const v = parseValue(def, val);
    if (v instanceof Error) return setErr(v);
    setBusy(true);
    try {
      await saveSettings({ [def.name]: v });
      setOk(true);
      onSaved();
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  }
  let input;
  if (def.secret) input = html`<span id=${id}>${def.set ? 'set' : 'not set'} <span class="muted">(secret: environment or a 0600 file)</span></span>`;
  else if (!def.live) input = html`<output id=${id}>${def.value === '' ? '(empty)' : String(def.value)}</output>`;
  else if (def.type === 'bool')
    input = html`<input id=${id} type="checkbox" checked=${val === true} onChange=${(e) => setVal(e.target.checked)} />`;
  else
    input = html`<input id=${id} name=${def.name} inputmode=${def.type === 'string' ? 'text' : 'decimal'} value=${val}
      aria-invalid=${err ? 'true' : undefined} aria-describedby=${`${id}-help ${id}-msg`} onInput=${(e) => setVal(e.target.value)} />`;
  return html`<form class="setting" noValidate onSubmit=${save} data-setting=${def.name}>
    <label for=${id}>${def.name}</label>
    <div class="control">
      ${input}
      ${def.live && !def.secret && html`<button type="submit" class="small" disabled=${busy || !dirty}>Save</button>`}
      <span id=${`${id}-msg`} class=${err ? 'error inline' : 'ok inline'} role=${err ? 'alert' : undefined}>
        ${err ? err.message : ok ? 'saved' : ''}
      </span>
    </div>
    <p id=${`${id}-help`} class="help">
      ${def.help}
      ${(def.type === 'int' || def.type === 'double') && html` Range ${num(def.min, 6)} … ${num(def.max, 6)}.`}
      ${!def.secret && html` Default ${def.default === '' ? '(empty)' : def.default}.`}
      ${def.source && html` From: ${def.source}.`}
      ${!def.live && !def.secret && html` Not live: change it in the config file or environment, then restart.`}
    </p>
  </form>`;
}

function History() {
  const res = useApi('/v1/config/history', { limit: 50 });
  return html`<section aria-labelledby="hist-h">
    <h2 id="hist-h">Change history</h2>
    <${Async} res=${res} what="Change history (GET /v1/config/history)">
      ${(data) => html`<${Table}
        caption="Setting changes"
        rows=${Array.isArray(data) ? data : data.changes || data.items || []}
        empty="No setting has been changed from the dashboard or API yet."
        columns=${[
          { label: 'Time', render: (c) => when(c.time ?? c.ts_ms ?? c.changed_at) },
          { label: 'Setting', key: 'name' },
          { label: 'Old', render: (c) => String(c.old ?? c.old_value ?? '—') },
          { label: 'New', render: (c) => String(c.new ?? c.value ?? c.new_value ?? '—') },
          { label: 'By', render: (c) => c.by || c.source || '—' },
        ]}
      />`}
    </${Async}>
  </section>`;
}

export function ConfigPage() {
  const res = useApi('/v1/config');
  const [filter, setFilter] = useState('');
  return html`<h1>Config</h1>
    <div class="filters">
      <label for="cfg-filter">Find a setting</label>
      <input id="cfg-filter" type="search" value=${filter} onInput=${(e) => setFilter(e.target.value)} />
    </div>
    <${Async} res=${res} what="Settings (GET /v1/config)">
      ${(data) => {
        const settings = (data.settings || []).filter((s) => !filter || s.name.includes(filter) || (s.help || '').toLowerCase().includes(filter.toLowerCase()));
        const groups = new Map();
        for (const s of settings) {
          const a = areaOf(s.name);
          if (!groups.has(a)) groups.set(a, []);
          groups.get(a).push(s);
        }
        const order = [...AREAS.map((a) => a[0]), ...[...groups.keys()].filter((k) => !AREAS.some((a) => a[0] === k)).sort()];
        return html`${order
          .filter((k) => groups.has(k))
          .map((k) => {
            const title = (AREAS.find((a) => a[0] === k) || [])[1] || k;
            return html`<section class="card settings" aria-label=${title}>
              <h2>${title}</h2>
              ${groups.get(k).map((s) => html`<${Setting} key=${`${s.name}=${s.value}`} def=${s} onSaved=${res.reload} />`)}
            </section>`;
          })}
          ${!settings.length && html`<p class="empty">No setting matches “${filter}”.</p>`}`;
      }}
    </${Async}>
    <${History} />`;
}
