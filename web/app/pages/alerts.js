// Alerts: breaker trips and clearances, input-health alerts (such as webhook
// silence) and the operator's pauses, newest first, with time, severity and
// message; filtered by kind and paged with the API's cursor. Calls:
// GET /v1/alerts?kind&limit&before; reloads on /v1/stream `alert` events.
// Acknowledging: POST /v1/alerts/{id}/ack records the time; the row then
// shows it.
import { useState } from 'preact/hooks';
import { html, useApi, Async, Table, CursorPager, useCursor, useLive, when } from '../ui.js';
import * as api from '../api.js';

function Ack({ alert, onDone }) {
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState('');
  if (alert.acked_ms) return when(alert.acked_ms);
  const ack = async () => {
    setBusy(true);
    setErr('');
    try {
      await api.post(`/v1/alerts/${alert.id}/ack`);
      onDone();
    } catch (e) {
      setErr(e.message);
    } finally {
      setBusy(false);
    }
  };
  return html`<button type="button" onClick=${ack} disabled=${busy} aria-label=${`Acknowledge alert ${alert.id}`}>Acknowledge</button>${err && html` <span class="error" role="alert">${err}</span>`}`;
}

const LIMIT = 50;
const KINDS = [['', 'all'], ['circuit_breaker', 'circuit breakers'], ['health', 'input health']];

/** A breaker alert's data ({breaker, action: trip | clear}) in words. */
function what(a) {
  const d = a.data;
  if (!d || !d.breaker) return '—';
  if (d.breaker === 'operator') return d.action === 'trip' ? 'operator pause on' : 'operator pause off';
  return `${d.breaker.replace(/_/g, ' ')} breaker ${d.action === 'trip' ? 'tripped' : d.action === 'clear' ? 'cleared' : d.action}`;
}

export function AlertsPage() {
  const cursor = useCursor();
  const [kind, setKind] = useState('');
  const res = useApi('/v1/alerts', { kind, limit: LIMIT, before: cursor.before });
  useLive((ev) => ev.type === 'alert' && cursor.page === 1 && res.reload());
  return html`<h1>Alerts</h1>
    <div class="filters">
      <label>Kind <select value=${kind} onChange=${(e) => { setKind(e.target.value); cursor.reset(); }}>
        ${KINDS.map(([v, l]) => html`<option value=${v}>${l}</option>`)}
      </select></label>
    </div>
    <${Async} res=${res} what="Alerts (GET /v1/alerts)">
      ${(data) => html`<${Table}
          caption="Alerts, newest first"
          rows=${data.alerts}
          csv=${{ path: '/v1/alerts', params: { kind, limit: LIMIT, before: cursor.before } }}
          empty=${kind ? 'No alert of this kind.' : 'No alert yet.'}
          rowKey=${(a) => a.id}
          columns=${[
            { label: 'Time', render: (a) => when(a.ts_ms) },
            { label: 'Severity', render: (a) => html`<span class=${`sev ${a.severity}`}>${a.severity}</span>` },
            { label: 'Kind', render: (a) => a.kind.replace(/_/g, ' ') },
            { label: 'What', render: what },
            { label: 'Message', render: (a) => a.message },
            { label: 'Acknowledged', render: (a) => html`<${Ack} alert=${a} onDone=${res.reload} />` },
          ]}
        />
        <${CursorPager} cursor=${cursor} nextBefore=${data.next_before} label="Alert pages" />`}
    </${Async}>`;
}
