// Exit strategies, on the Config page: the engine's exit book from
// GET /v1/exits (docs/exits.md §3, docs/api.md "Exit strategies").
//
// * The strategies, one row each with their rules in words and what uses
//   them (the default, a score override, built in). Edit, copy into a new
//   one, or remove (not the built-in ones, nor one in use: the server
//   says why).
// * The editor: every rule of a strategy, in the units an operator thinks
//   in (percent, multiples, hours, minutes), converted to the API's
//   fractions and milliseconds. PUT /v1/exits/strategies/{name} validates
//   the whole; its message names the field, which is marked here.
// * The default strategy and the score overrides: the settings
//   trade.default_strategy and trade.exit_overrides (PUT /v1/config),
//   edited as a choice and a list of "score >= x -> strategy" rows.
// Open positions keep the strategy they opened with; the Live page changes
// one position's.
import { useState } from 'preact/hooks';
import { html, useApi, Async, Table } from '../ui.js';
import * as api from '../api.js';

const HOUR = 3600000;
const MINUTE = 60000;

/** A number without trailing zeros or float noise: 0.07 * 100 -> "7". */
const plain = (x) => String(Number(x.toFixed(10)));
/** A percentage for display: 0.3 -> "30%". */
const pc = (f) => `${plain(f * 100)}%`;

/** One rule set in words, for the table. */
export function describe(s) {
  const parts = [];
  parts.push(s.stop_loss ? `stop ${pc(s.stop_loss)}` : 'no stop');
  for (const t of s.take_profits) parts.push(`sell ${pc(t.fraction)} at ${plain(t.multiple)}×`);
  if (s.moonbag) parts.push(`moonbag ${pc(s.moonbag)}${s.moonbag_from_entry ? ' from entry' : ''}`);
  if (s.trailing_activation) parts.push(`trail ${pc(s.trailing_distance)} from ${plain(s.trailing_activation)}×`);
  if (s.max_hold_ms) parts.push(`max ${plain(s.max_hold_ms / HOUR)} h`);
  if (s.stagnation_ms) parts.push(`flat ±${pc(s.stagnation_band)} for ${plain(s.stagnation_ms / MINUTE)} min`);
  if (s.exit_on_wallet_sell) parts.push('exit when the wallet sells');
  return parts.join(' · ');
}

/** The editor's text fields of a strategy (API units -> form units). */
function toForm(s) {
  return {
    name: s.name,
    stop_loss: plain(s.stop_loss * 100),
    tps: s.take_profits.map((t) => ({ multiple: plain(t.multiple), fraction: plain(t.fraction * 100) })),
    moonbag: plain(s.moonbag * 100),
    moonbag_from_entry: !!s.moonbag_from_entry,
    trailing_activation: plain(s.trailing_activation),
    trailing_distance: plain(s.trailing_distance * 100),
    max_hold_h: plain(s.max_hold_ms / HOUR),
    stagnation_band: plain(s.stagnation_band * 100),
    stagnation_min: plain(s.stagnation_ms / MINUTE),
    exit_on_wallet_sell: !!s.exit_on_wallet_sell,
  };
}

/** Form -> the API's strategy, or {field, message} for a value that is
 * not a number (ranges and rules are the server's to check). */
export function fromForm(f) {
  const n = (field, label, scale = 1) => {
    const t = String(f[field]).trim();
    const x = Number(t);
    if (t === '' || !Number.isFinite(x)) throw { field, message: `${label} must be a number` };
    return x * scale;
  };
  const tps = f.tps.map((t, i) => {
    const m = Number(String(t.multiple).trim());
    const fr = Number(String(t.fraction).trim());
    if (String(t.multiple).trim() === '' || !Number.isFinite(m))
      throw { field: `tp${i}m`, message: `take-profit ${i + 1}: the multiple must be a number` };
    if (String(t.fraction).trim() === '' || !Number.isFinite(fr))
      throw { field: `tp${i}f`, message: `take-profit ${i + 1}: the share must be a number` };
    return { multiple: m, fraction: fr / 100 };
  });
  return {
    name: String(f.name).trim(),
    stop_loss: n('stop_loss', 'Stop-loss', 0.01),
    take_profits: tps,
    moonbag: n('moonbag', 'Moonbag', 0.01),
    moonbag_from_entry: !!f.moonbag_from_entry,
    trailing_activation: n('trailing_activation', 'Trailing activation'),
    trailing_distance: n('trailing_distance', 'Trailing distance', 0.01),
    max_hold_ms: Math.round(n('max_hold_h', 'Maximum hold', HOUR)),
    stagnation_band: n('stagnation_band', 'Stagnation band', 0.01),
    stagnation_ms: Math.round(n('stagnation_min', 'Stagnation time', MINUTE)),
    exit_on_wallet_sell: !!f.exit_on_wallet_sell,
  };
}

/** The form field a server message is about ("stop_loss: ...",
 * "take_profits[1].multiple ...", "trailing ..."), or null. */
export function fieldOf(message) {
  if (/^take_profits \+ moonbag/.test(message || '')) return 'moonbag';
  const m = /^(?:at \$\.)?([a-z_]+)(?:\[(\d+)\])?(?:\.([a-z]+))?/.exec(message || '');
  if (!m) return null;
  const [, key, idx, sub] = m;
  if (key === 'take_profits' && idx !== undefined) return `tp${idx}${sub === 'fraction' ? 'f' : 'm'}`;
  const map = {
    name: 'name', stop_loss: 'stop_loss', moonbag: 'moonbag', trailing_activation: 'trailing_activation',
    trailing_distance: 'trailing_distance', trailing: 'trailing_activation', max_hold_ms: 'max_hold_h',
    stagnation_band: 'stagnation_band', stagnation_ms: 'stagnation_min', stagnation: 'stagnation_band',
    take_profits: 'tp0m',
  };
  return map[key] || null;
}

const BLANK = {
  name: '', stop_loss: 0.3, take_profits: [{ multiple: 2, fraction: 0.5 }], moonbag: 0.5, moonbag_from_entry: false,
  trailing_activation: 2, trailing_distance: 0.3, max_hold_ms: 24 * HOUR, stagnation_band: 0, stagnation_ms: 0,
  exit_on_wallet_sell: false,
};

function Field({ id, label, unit, help, value, bad, onInput }) {
  return html`<div class="xfield">
    <label for=${id}>${label}${unit && html` <span class="muted">(${unit})</span>`}</label>
    <input id=${id} inputmode="decimal" value=${value} aria-invalid=${bad ? 'true' : undefined}
      aria-describedby=${help ? `${id}-help` : undefined} onInput=${(e) => onInput(e.target.value)} />
    ${help && html`<small id=${`${id}-help`} class="help">${help}</small>`}
  </div>`;
}

/** Create (isNew) or edit a strategy. */
function Editor({ start, isNew, onDone, onCancel }) {
  const [f, setF] = useState(() => toForm(start));
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (k) => (v) => setF((o) => ({ ...o, [k]: v }));
  const setTp = (i, k) => (v) => setF((o) => ({ ...o, tps: o.tps.map((t, j) => (j === i ? { ...t, [k]: v } : t)) }));
  const bad = (field) => err && err.field === field;
  async function save(e) {
    e.preventDefault();
    setErr(null);
    let s;
    try {
      s = fromForm(f);
    } catch (x) {
      return setErr(x);
    }
    if (!s.name) return setErr({ field: 'name', message: 'Give the strategy a name' });
    setBusy(true);
    try {
      await api.put(`/v1/exits/strategies/${encodeURIComponent(s.name)}`, s);
      onDone(s.name);
    } catch (x) {
      setErr({ field: fieldOf(x.message), message: x.message });
    } finally {
      setBusy(false);
    }
  }
  const id = (k) => `exit-${k}`;
  return html`<form class="exit-editor card" noValidate onSubmit=${save} aria-labelledby="exit-ed-h" data-testid="exit-editor">
    <h3 id="exit-ed-h">${isNew ? 'New exit strategy' : `Edit “${start.name}”`}</h3>
    <p class="help">0 turns a rule off. Percentages are of the entry price, except the take-profit shares and the moonbag, which are of the amount bought.</p>
    <div class="xfields">
      <div class="xfield">
        <label for=${id('name')}>Name</label>
        <input id=${id('name')} value=${f.name} readOnly=${!isNew} aria-invalid=${bad('name') ? 'true' : undefined}
          aria-describedby=${`${id('name')}-help`} onInput=${(e) => set('name')(e.target.value)} />
        <small id=${`${id('name')}-help`} class="help">Letters, digits, “_”, “-” and “.”; up to 31.</small>
      </div>
      <${Field} id=${id('stop_loss')} label="Stop-loss" unit="% below entry" value=${f.stop_loss} bad=${bad('stop_loss')} onInput=${set('stop_loss')} />
      <${Field} id=${id('moonbag')} label="Moonbag" unit="% of the amount" help="Only the trailing stop and the maximum hold sell it." value=${f.moonbag} bad=${bad('moonbag')} onInput=${set('moonbag')} />
      <div class="xfield check">
        <label><input type="checkbox" checked=${f.moonbag_from_entry} onChange=${(e) => set('moonbag_from_entry')(e.target.checked)} /> Moonbag locked from entry (else once a take-profit sold)</label>
      </div>
      <${Field} id=${id('trailing_activation')} label="Trailing stop arms at" unit="× entry" value=${f.trailing_activation} bad=${bad('trailing_activation')} onInput=${set('trailing_activation')} />
      <${Field} id=${id('trailing_distance')} label="Trailing distance" unit="% below the peak" value=${f.trailing_distance} bad=${bad('trailing_distance')} onInput=${set('trailing_distance')} />
      <${Field} id=${id('max_hold_h')} label="Maximum hold" unit="hours" value=${f.max_hold_h} bad=${bad('max_hold_h')} onInput=${set('max_hold_h')} />
      <${Field} id=${id('stagnation_band')} label="Stagnation band" unit="± %" value=${f.stagnation_band} bad=${bad('stagnation_band')} onInput=${set('stagnation_band')} />
      <${Field} id=${id('stagnation_min')} label="Stagnation time" unit="minutes" value=${f.stagnation_min} bad=${bad('stagnation_min')} onInput=${set('stagnation_min')} />
      <div class="xfield check">
        <label><input type="checkbox" checked=${f.exit_on_wallet_sell} onChange=${(e) => set('exit_on_wallet_sell')(e.target.checked)} /> Sell when the copied wallet sells</label>
      </div>
    </div>
    <fieldset class="tps">
      <legend>Take-profit levels (ascending; shares of the amount bought, cumulative)</legend>
      ${f.tps.map(
        (t, i) => html`<div class="tp-row" key=${i}>
          <${Field} id=${id(`tp${i}m`)} label=${`Level ${i + 1}: at`} unit="× entry" value=${t.multiple} bad=${bad(`tp${i}m`)} onInput=${setTp(i, 'multiple')} />
          <${Field} id=${id(`tp${i}f`)} label="sell" unit="% of the amount" value=${t.fraction} bad=${bad(`tp${i}f`)} onInput=${setTp(i, 'fraction')} />
          <button type="button" class="small" aria-label=${`Remove take-profit level ${i + 1}`}
            onClick=${() => setF((o) => ({ ...o, tps: o.tps.filter((_, j) => j !== i) }))}>Remove</button>
        </div>`,
      )}
      ${f.tps.length < 8 &&
      html`<button type="button" class="small" onClick=${() => setF((o) => ({ ...o, tps: [...o.tps, { multiple: '', fraction: '' }] }))}>Add a level</button>`}
    </fieldset>
    ${err && html`<p class="error" role="alert" data-testid="exit-error">${err.message}</p>`}
    <div class="buttons">
      <button type="submit" disabled=${busy}>${busy ? 'Saving…' : 'Save strategy'}</button>
      <button type="button" onClick=${onCancel}>Cancel</button>
    </div>
  </form>`;
}

/** The default strategy and the score overrides (two settings). The
 * message lives in the parent: a save reloads the book, which remounts
 * this form with the new values. */
function Assignment({ book, msg, setMsg, onSaved }) {
  const names = book.strategies.map((x) => x.strategy.name);
  const [def, setDef] = useState(book.default);
  const [rows, setRows] = useState(() =>
    [...book.overrides].sort((a, b) => a.min_score - b.min_score).map((o) => ({ score: String(o.min_score), strategy: o.strategy })),
  );
  const [busy, setBusy] = useState(false);
  async function save(e) {
    e.preventDefault();
    setMsg(null);
    for (const r of rows)
      if (String(r.score).trim() === '' || !Number.isFinite(Number(r.score)))
        return setMsg({ error: true, text: `Override score “${r.score}” must be a number between 0 and 1` });
    const overrides = rows.map((r) => `${Number(r.score)}:${r.strategy}`).join(',');
    setBusy(true);
    try {
      await api.put('/v1/config', { settings: { 'trade.default_strategy': def, 'trade.exit_overrides': overrides } });
      setMsg({ error: false, text: 'Default and overrides saved' });
      onSaved();
    } catch (x) {
      setMsg({ error: true, text: x.message });
    } finally {
      setBusy(false);
    }
  }
  return html`<form class="exit-assign" noValidate onSubmit=${save} aria-labelledby="exit-as-h" data-testid="exit-assign">
    <h3 id="exit-as-h">Which strategy a new position takes</h3>
    <div class="xfield">
      <label for="exit-default">Default strategy <span class="muted">(trade.default_strategy)</span></label>
      <select id="exit-default" value=${def} onChange=${(e) => setDef(e.target.value)}>
        ${names.map((n) => html`<option value=${n}>${n}</option>`)}
      </select>
    </div>
    <p class="help">Score overrides <span class="muted">(trade.exit_overrides)</span>: a signal scoring at least a row's score takes that row's strategy (the highest row it reaches wins).</p>
    ${rows.map(
      (r, i) => html`<div class="tp-row" key=${i}>
        <div class="xfield">
          <label for=${`exit-ov-s${i}`}>Score at least</label>
          <input id=${`exit-ov-s${i}`} inputmode="decimal" value=${r.score} onInput=${(e) => setRows(rows.map((x, j) => (j === i ? { ...x, score: e.target.value } : x)))} />
        </div>
        <div class="xfield">
          <label for=${`exit-ov-n${i}`}>takes</label>
          <select id=${`exit-ov-n${i}`} value=${r.strategy} onChange=${(e) => setRows(rows.map((x, j) => (j === i ? { ...x, strategy: e.target.value } : x)))}>
            ${[...new Set([r.strategy, ...names])].map((n) => html`<option value=${n}>${n}</option>`)}
          </select>
        </div>
        <button type="button" class="small" aria-label=${`Remove override ${i + 1}`} onClick=${() => setRows(rows.filter((_, j) => j !== i))}>Remove</button>
      </div>`,
    )}
    <div class="buttons">
      ${rows.length < 8 && html`<button type="button" class="small" onClick=${() => setRows([...rows, { score: '0.9', strategy: names[0] }])}>Add an override</button>`}
      <button type="submit" disabled=${busy}>Save default and overrides</button>
      ${msg && html`<span class=${msg.error ? 'error inline' : 'ok inline'} role=${msg.error ? 'alert' : 'status'}>${msg.text}</span>`}
    </div>
  </form>`;
}

export function ExitStrategies({ onSaved }) {
  const res = useApi('/v1/exits');
  const [editing, setEditing] = useState(null); // {start, isNew}
  const [msg, setMsg] = useState(null);
  const [assignMsg, setAssignMsg] = useState(null);
  const changed = (text) => {
    setMsg(text ? { error: false, text } : null);
    res.reload();
    if (onSaved) onSaved();
  };
  async function remove(name) {
    setMsg(null);
    if (!window.confirm(`Remove the exit strategy “${name}”? Open positions keep their copy.`)) return;
    try {
      await api.del(`/v1/exits/strategies/${encodeURIComponent(name)}`);
      changed(`“${name}” removed`);
    } catch (x) {
      setMsg({ error: true, text: x.message });
    }
  }
  return html`<section class="card settings" aria-labelledby="exits-h" data-testid="exit-strategies">
    <h2 id="exits-h">Exit strategies</h2>
    <p class="help">Each position sells by the rules of its strategy: stop-loss, take-profit levels, a moonbag, a trailing stop, time limits (docs/exits.md). Edits apply to new positions; an open position keeps its copy, and the Live page changes it.</p>
    <${Async} res=${res} what="Exit strategies (GET /v1/exits)">
      ${(book) => html`
        <${Table}
          caption="Exit strategies"
          rows=${book.strategies}
          rowKey=${(x) => x.strategy.name}
          columns=${[
            { label: 'Name', render: (x) => html`<strong>${x.strategy.name}</strong>` },
            { label: 'Rules', render: (x) => describe(x.strategy) },
            {
              label: 'Used for',
              render: (x) =>
                [x.default ? 'default' : null, ...x.override_scores.map((s) => `score ≥ ${s}`), x.builtin ? 'built in' : null]
                  .filter(Boolean)
                  .join(' · ') || '—',
            },
            {
              label: 'Actions',
              render: (x) => html`<span class="buttons tight">
                <button class="small" aria-label=${`Edit ${x.strategy.name}`} onClick=${() => setEditing({ start: x.strategy, isNew: false })}>Edit</button>
                <button class="small" aria-label=${`Copy ${x.strategy.name}`} onClick=${() => setEditing({ start: { ...x.strategy, name: `${x.strategy.name}-copy` }, isNew: true })}>Copy</button>
                ${!x.builtin && html`<button class="small danger" aria-label=${`Remove ${x.strategy.name}`} onClick=${() => remove(x.strategy.name)}>Remove</button>`}
              </span>`,
            },
          ]}
        />
        ${msg && html`<p class=${msg.error ? 'error' : 'ok'} role=${msg.error ? 'alert' : 'status'}>${msg.text}</p>`}
        ${editing
          ? html`<${Editor} key=${`${editing.start.name}-${editing.isNew}`} start=${editing.start} isNew=${editing.isNew}
              onCancel=${() => setEditing(null)}
              onDone=${(name) => {
                setEditing(null);
                changed(`“${name}” saved`);
              }} />`
          : book.strategies.length < book.capacity &&
            html`<button onClick=${() => setEditing({ start: BLANK, isNew: true })}>New strategy</button>`}
        <${Assignment} key=${`${book.default}|${book.overrides_setting}|${book.strategies.length}`} book=${book}
          msg=${assignMsg} setMsg=${setAssignMsg} onSaved=${() => changed(null)} />
      `}
    </${Async}>
  </section>`;
}
