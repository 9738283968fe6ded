// ES-module stand-in for Node's `events` (the npm package is CommonJS, which
// a browser cannot import): the EventEmitter subset graphology and sigma use.
export class EventEmitter {
  constructor() {
    this._events = new Map();
    this._max = 10;
  }
  on(name, fn) {
    if (!this._events.has(name)) this._events.set(name, []);
    this._events.get(name).push(fn);
    return this;
  }
  addListener(name, fn) {
    return this.on(name, fn);
  }
  prependListener(name, fn) {
    if (!this._events.has(name)) this._events.set(name, []);
    this._events.get(name).unshift(fn);
    return this;
  }
  once(name, fn) {
    const wrap = (...args) => {
      this.off(name, wrap);
      fn.apply(this, args);
    };
    wrap.listener = fn;
    return this.on(name, wrap);
  }
  off(name, fn) {
    const list = this._events.get(name);
    if (!list) return this;
    const i = list.findIndex((l) => l === fn || l.listener === fn);
    if (i >= 0) list.splice(i, 1);
    if (!list.length) this._events.delete(name);
    return this;
  }
  removeListener(name, fn) {
    return this.off(name, fn);
  }
  removeAllListeners(name) {
    if (name === undefined) this._events.clear();
    else this._events.delete(name);
    return this;
  }
  emit(name, ...args) {
    const list = this._events.get(name);
    if (!list) {
      if (name === 'error') throw args[0] instanceof Error ? args[0] : new Error(String(args[0]));
      return false;
    }
    for (const fn of list.slice()) fn.apply(this, args);
    return true;
  }
  listeners(name) {
    return (this._events.get(name) || []).map((l) => l.listener || l);
  }
  rawListeners(name) {
    return (this._events.get(name) || []).slice();
  }
  listenerCount(name) {
    return (this._events.get(name) || []).length;
  }
  eventNames() {
    return [...this._events.keys()];
  }
  setMaxListeners(n) {
    this._max = n;
    return this;
  }
  getMaxListeners() {
    return this._max;
  }
}
export default EventEmitter;
