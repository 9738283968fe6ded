// Controls: pause and resume trading, and reset the circuit breakers.
// Calls: GET /v1/status, POST /v1/control/pause, /v1/control/resume,
// /v1/control/breakers/reset.
import { html, useApi, Async, ActionButton, Fields, useLive } from '../ui.js';
import * as api from '../api.js';

export function ControlsPage() {
  const status = useApi('/v1/status');
  useLive(() => status.reload());
  return html`<h1>Controls</h1>
    <section class="card" aria-labelledby="ctl-h">
      <h2 id="ctl-h">Trading</h2>
      <${Async} res=${status} what="Engine status (GET /v1/status)">
        ${(s) => {
          const paused = s.paused === true || s.state === 'paused';
          return html`<p>The engine is <strong class=${paused ? 'bad' : 'ok'} data-testid="engine-state">${paused ? 'PAUSED' : 'RUNNING'}</strong>.</p>
            <${Fields} obj=${s} skip=${['paused', 'state', 'mode']} />`;
        }}
      </${Async}>
      <div class="buttons">
        <${ActionButton} label="Pause trading" busyLabel="Pausing…" run=${() => api.post('/v1/control/pause', { reason: 'operator (dashboard)' })} onDone=${status.reload} danger />
        <${ActionButton} label="Resume trading" busyLabel="Resuming…" run=${() => api.post('/v1/control/resume')} onDone=${status.reload} />
        <${ActionButton} label="Reset circuit breakers" busyLabel="Resetting…" confirm="Reset every tripped circuit breaker?" run=${() => api.post('/v1/control/breakers/reset')} onDone=${status.reload} />
      </div>
      <p class="muted">Pausing stops new entries; open positions keep their exit strategies.</p>
    </section>`;
}
