// Controls: pause and resume trading, and reset the circuit breakers (all
// of them, or one). Calls: GET /v1/status, POST /v1/control/pause
// ({"reason"}), /v1/control/resume, /v1/control/breakers/reset
// ({"breaker"}); each control answers once the engine has applied it.
import { useState } from 'preact/hooks';
import { html, useApi, Async, ActionButton, useLive } from '../ui.js';
import * as api from '../api.js';
import { Breakers } from './live.js';

export function ControlsPage() {
  const status = useApi('/v1/status');
  const [reason, setReason] = useState('');
  useLive((ev) => ev.type === 'alert' && status.reload());
  // A control answers only once the engine has applied it, so the status
  // read right after shows the change.
  const done = () => status.reload();
  const res = status;
  return html`<h1>Controls</h1>
    <section class="card" aria-labelledby="ctl-h">
      <h2 id="ctl-h">Trading</h2>
      <${Async} res=${res} what="Engine status (GET /v1/status)">
        ${(s) => {
          const paused = s.state === 'paused';
          return html`<p>The engine is <strong class=${paused ? 'bad' : 'ok'} data-testid="engine-state">${paused ? 'PAUSED' : 'RUNNING'}</strong>.
            ${s.entries_allowed ? ' New entries are allowed.' : ' New entries are stopped.'}
            ${s.breakers && s.breakers.operator && s.breakers.operator.active && s.breakers.operator.reason ? ` ${s.breakers.operator.reason}.` : ''}</p>`;
        }}
      </${Async}>
      <div class="inline-form">
        <label for="pause-reason">Reason for pausing (optional)</label>
        <input id="pause-reason" value=${reason} maxlength="120" onInput=${(e) => setReason(e.target.value)} />
      </div>
      <div class="buttons">
        <${ActionButton} label="Pause trading" busyLabel="Pausing…" danger
          run=${() => api.post('/v1/control/pause', reason.trim() ? { reason: reason.trim() } : {})} onDone=${done} />
        <${ActionButton} label="Resume trading" busyLabel="Resuming…"
          run=${() => api.post('/v1/control/resume')} onDone=${done} />
        <${ActionButton} label="Reset circuit breakers" busyLabel="Resetting…" confirm="Reset every tripped circuit breaker (not the operator pause)?"
          run=${() => api.post('/v1/control/breakers/reset', { breaker: 'all' })} onDone=${done} />
      </div>
      <p class="muted">Pausing stops new entries; open positions keep their exit strategies. Resume lifts the operator pause, not a tripped breaker: reset that below. Resetting the drawdown breaker moves the peak to the current equity; resetting the win rate empties its window.</p>
    </section>
    <${Async} res=${res} what="Circuit breakers (GET /v1/status)">
      ${(s) => html`<${Breakers} breakers=${s.breakers}>
        ${(name, b) =>
          b.active && name !== 'operator'
            ? html`<${ActionButton} label=${`Reset ${name.replace(/_/g, ' ')}`} busyLabel="Resetting…"
                run=${() => api.post('/v1/control/breakers/reset', { breaker: name })} onDone=${done} />`
            : null}
      </${Breakers}>`}
    </${Async}>`;
}
