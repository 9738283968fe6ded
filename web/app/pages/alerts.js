// Alerts: breaker triggers, webhook silence, execution failures, with time
// and reason; acknowledge. Calls: GET /v1/alerts (paged),
// POST /v1/alerts/<id>/ack; reloads on /v1/stream events.
import { useState } from 'preact/hooks';
import { html, useApi, Async, Table, Pager, ActionButton, useLive, rowsOf, totalOf, when } from '../ui.js';
import * as api from '../api.js';

const LIMIT = 50;

export function AlertsPage() {
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState(true);
  const res = useApi('/v1/alerts', { page, limit: LIMIT, acknowledged: open ? 'false' : '' });
  useLive((ev) => /alert|breaker/.test(ev.type) && res.reload());
  return html`<h1>Alerts</h1>
    <div class="filters">
      <label><input type="checkbox" checked=${open} onChange=${(e) => { setOpen(e.target.checked); setPage(1); }} /> Only unacknowledged</label>
    </div>
    <${Async} res=${res} what="Alerts (GET /v1/alerts)">
      ${(data) => {
        const rows = rowsOf(data, 'alerts');
        return html`<${Table}
            caption="Alerts"
            rows=${rows}
            empty=${open ? 'No unacknowledged alert.' : 'No alert yet.'}
            rowKey=${(a) => a.id}
            columns=${[
              { label: 'Time', render: (a) => when(a.time ?? a.ts_ms ?? a.created_at) },
              { label: 'Kind', render: (a) => html`<span class=${`kind ${a.severity || ''}`}>${a.kind || a.type}</span>` },
              { label: 'Reason', render: (a) => a.reason || a.message || '—' },
              {
                label: 'Acknowledged',
                render: (a) =>
                  a.acknowledged || a.acked_at
                    ? when(a.acked_at) || 'yes'
                    : html`<${ActionButton} label="Acknowledge" run=${() => api.post(`/v1/alerts/${encodeURIComponent(a.id)}/ack`)} onDone=${res.reload} />`,
              },
            ]}
          />
          <${Pager} page=${page} limit=${LIMIT} total=${totalOf(data)} count=${rows.length} onPage=${setPage} />`;
      }}
    </${Async}>`;
}
