// The dashboard's only door to walltrack: the public HTTP API.
//
// Every call carries `Authorization: Bearer <token>` when the operator has
// entered a token (kept in localStorage, never in the page's files). A
// failed call throws ApiError with the HTTP status and the server's own
// message ({"error": "..."}), so pages can show it next to the field or in
// place of the data. The live stream (/v1/stream) is read with fetch()
// rather than EventSource, because EventSource cannot send the header.

const TOKEN_KEY = 'walltrack.token';

export function getToken() {
  try {
    return localStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

export function setToken(t) {
  if (t) localStorage.setItem(TOKEN_KEY, t);
  else localStorage.removeItem(TOKEN_KEY);
  authListeners.forEach((fn) => fn());
}

const authListeners = new Set();
/** Calls fn when a request is refused for a missing or wrong token, or the
 * token changes. Returns an unsubscribe function. */
export function onAuthChange(fn) {
  authListeners.add(fn);
  return () => authListeners.delete(fn);
}

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
  /** The endpoint does not exist on this server (yet). */
  get missing() {
    return this.status === 404 && /no such endpoint/.test(this.message);
  }
}

function headers(extra) {
  const h = { Accept: 'application/json', ...extra };
  const t = getToken();
  if (t) h.Authorization = `Bearer ${t}`;
  return h;
}

/** Builds "path?k=v&…" from an object, leaving out empty values. */
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export async function request(method, path, body) {
  const init = { method, headers: headers(body !== undefined ? { 'Content-Type': 'application/json' } : {}) };
  if (body !== undefined) init.body = JSON.stringify(body);
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, `walltrack is not reachable (${e.message})`);
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!res.ok) {
    const msg = (data && data.error) || `${method} ${path}: HTTP ${res.status}`;
    if (res.status === 401) authListeners.forEach((fn) => fn(true));
    throw new ApiError(res.status, msg, data);
  }
  return data;
}

export const get = (path, params) => request('GET', withQuery(path, params));

/** Saves GET path?params&format=csv as a file (the server's CSV of the
 * list, with the filters the page shows), named as the server says. */
export async function downloadCsv(path, params) {
  const url = withQuery(path, { ...(params || {}), format: 'csv' });
  const res = await fetch(url, { headers: headers({ Accept: 'text/csv' }) });
  if (!res.ok) {
    let msg = `GET ${url}: HTTP ${res.status}`;
    try {
      msg = (await res.json()).error || msg;
    } catch {
      /* not JSON */
    }
    if (res.status === 401) authListeners.forEach((fn) => fn(true));
    throw new ApiError(res.status, msg);
  }
  const m = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '');
  saveBlob(await res.blob(), m ? m[1] : 'walltrack.csv');
}

/** Saves text (already CSV) as a file. */
export function saveCsv(text, name) {
  saveBlob(new Blob([text], { type: 'text/csv;charset=utf-8' }), name);
}

function saveBlob(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}
export const post = (path, body) => request('POST', path, body === undefined ? {} : body);
export const put = (path, body) => request('PUT', path, body);
export const del = (path) => request('DELETE', path);

/**
 * Follows GET /v1/stream (server-sent events) until stop() is called,
 * reconnecting after a pause when the connection drops. onEvent receives
 * {type, data, id} for each event (data parsed as JSON when it is JSON);
 * onState receives 'connecting' | 'open' | 'closed' | an ApiError.
 * Returns stop().
 */
export function stream(onEvent, onState) {
  let stopped = false;
  let ctrl = null;
  let retry = null;
  async function run() {
    if (stopped) return;
    ctrl = new AbortController();
    onState && onState('connecting');
    try {
      const res = await fetch('/v1/stream', { headers: headers({ Accept: 'text/event-stream' }), signal: ctrl.signal });
      if (!res.ok) {
        let msg = `HTTP ${res.status}`;
        try {
          msg = (await res.json()).error || msg;
        } catch {
          /* not JSON */
        }
        const err = new ApiError(res.status, msg);
        onState && onState(err);
        if (err.missing || res.status === 401) return; // retrying cannot help
        throw err;
      }
      onState && onState('open');
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let cut;
        while ((cut = buf.search(/\r?\n\r?\n/)) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut).replace(/^\r?\n\r?\n/, '');
          const ev = parseEvent(block);
          if (ev) onEvent(ev);
        }
      }
      onState && onState('closed');
    } catch (e) {
      if (stopped) return;
      if (!(e instanceof ApiError)) onState && onState('closed');
    }
    if (!stopped) retry = setTimeout(run, 3000);
  }
  run();
  return () => {
    stopped = true;
    clearTimeout(retry);
    if (ctrl) ctrl.abort();
  };
}

function parseEvent(block) {
  let type = 'message';
  let id = null;
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (!line || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const val = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'event') type = val;
    else if (field === 'data') data.push(val);
    else if (field === 'id') id = val;
  }
  if (!data.length && type === 'message') return null;
  const text = data.join('\n');
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* plain text event */
  }
  return { type, data: parsed, id };
}
