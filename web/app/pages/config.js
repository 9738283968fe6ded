// Config: every setting from GET /v1/config, grouped by area (risk and
// sizing, breakers, scoring weights and threshold, exit strategies, then
// the rest by prefix). Settings marked live are edited in place and saved
// one at a time with PUT /v1/config ({"settings": {name: value}}); the
// server validates (bounds, and rules between settings such as
// trade.high_score >= signal.threshold) and its {"error"} message is shown
// next to the field. Others are read-only here (file, environment or
// command line, then restart). Secrets only say whether they are set.
// Exit strategies (create, edit, copy, remove; the default and the score
// overrides) have their own editor, pages/exits.js, in place of the two
// settings trade.default_strategy and trade.exit_overrides.
// Change history: GET /v1/config/history (every recorded change of the
// live settings and of the exit strategies, newest first, with the old
// value and who made it), reloaded after each save.
import { useEffect, useState } from 'preact/hooks';
import { html, useApi, Async, Table, when, num } from '../ui.js';
import * as api from '../api.js';
import { ExitStrategies } from './exits.js';

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
  ['exit', 'Exit strategies', /^trade\.(default_strategy|exit_overrides)$/],
  ['risk', 'Risk and sizing', /^trade\./],
  ['breakers', 'Circuit breakers', /^breakers\./],
  ['score', 'Scoring weights and threshold', /^signal\./],
];
const AREA_ORDER = ['risk', 'breakers', 'score', 'exit'];

/** Choices of a string setting that takes one of a few names. */
const CHOICES = {
  'log.level': ['debug', 'info', 'warn', 'error'],
  'alert.min_severity': ['info', 'warn', 'critical'],
};


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
  else if (CHOICES[def.name])
    input = html`<select id=${id} name=${def.name} value=${val} aria-describedby=${`${id}-help ${id}-msg`} onChange=${(e) => setVal(e.target.value)}>
      ${[...new Set([def.value, ...CHOICES[def.name]])].map((o) => html`<option value=${o}>${o}</option>`)}
    </select>`;
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
      ${def.source && html` Set by: ${def.source}.`}
      ${!def.live && !def.secret && html` Not live: change it in the config file or environment, then restart.`}
    </p>
  </form>`;
}

function History({ tick }) {
  const res = useApi('/v1/config/history', { limit: 100 });
  useEffect(() => {
    if (tick) res.reload();
  }, [tick]);
  return html`<section aria-labelledby="hist-h">
    <h2 id="hist-h">Change history</h2>
    <${Async} res=${res} what="Change history (GET /v1/config/history)">
      ${(data) => html`<${Table}
        caption="Setting changes, newest first"
        rows=${data.changes}
        empty="No setting has been changed yet."
        columns=${[
          { label: 'Time', render: (c) => when(c.ts_ms) },
          { label: 'Setting', render: (c) => c.name },
          { label: 'Old', render: (c) => (c.old_value === null ? '(unset)' : c.old_value) },
          { label: 'New', render: (c) => html`<span class="value">${c.value === '' && c.name.startsWith('exits.') ? '(removed)' : c.value}</span>` },
          { label: 'By', render: (c) => c.actor },
        ]}
      />`}
    </${Async}>
  </section>`;
}

export function ConfigPage() {
  const res = useApi('/v1/config');
  const [filter, setFilter] = useState('');
  const [tick, setTick] = useState(0);
  const onSaved = () => {
    setTick((n) => n + 1);
    res.reload();
  };
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
        const order = [...AREA_ORDER, ...[...groups.keys()].filter((k) => !AREA_ORDER.includes(k)).sort()];
        return html`${order
          .filter((k) => groups.has(k))
          .map((k) => {
            const title = (AREAS.find((a) => a[0] === k) || [])[1] || k;
            if (k === 'exit') return html`<${ExitStrategies} key="exit" onSaved=${onSaved} />`;
            return html`<section class="card settings" aria-label=${title}>
              <h2>${title}</h2>
              ${groups.get(k).map((s) => html`<${Setting} key=${`${s.name}=${s.value}`} def=${s} onSaved=${onSaved} />`)}
            </section>`;
          })}
          ${!settings.length && html`<p class="empty">No setting matches “${filter}”.</p>`}`;
      }}
    </${Async}>
    <${History} tick=${tick} />`;
}
