// The globals Segment's function runtime provides, built on the host functions in __host (see FunctionInstance).
// Evaluated once per context before the user's code; its value is the dispatcher the host calls per invocation.
(function (host) {
  'use strict';
  const G = globalThis;
  // What GraalJS adds beyond Node: nothing of it may reach user code.
  for (const name of ['Java', 'Polyglot', 'Graal', 'print', 'printErr', 'load', 'loadWithNewGlobal', 'quit', 'exit']) {
    try { delete G[name]; } catch (ignored) { /* not configurable: already absent */ }
  }

  function define(name, value) {
    Object.defineProperty(G, name, { value, writable: true, configurable: true, enumerable: false });
  }

  // ---- errors (Segment's classes) ----
  function errorClass(name) {
    const cls = class extends Error {
      constructor(message) {
        super(message);
        this.name = name;
      }
    };
    Object.defineProperty(cls, 'name', { value: name });
    return cls;
  }
  for (const name of ['EventNotSupported', 'InvalidEventPayload', 'ValidationError', 'RetryError']) {
    define(name, errorClass(name));
  }
  class FetchError extends Error {
    constructor(message, type, code) {
      super(message);
      this.name = 'FetchError';
      this.type = type;
      if (code) { this.code = this.errno = code; }
    }
  }
  define('FetchError', FetchError);

  // ---- console ----
  function formatValue(value, depth) {
    if (typeof value === 'string') { return depth ? JSON.stringify(value) : value; }
    if (value instanceof Error) { return value.stack || (value.name + ': ' + value.message); }
    if (typeof value === 'function') { return '[Function: ' + (value.name || 'anonymous') + ']'; }
    if (typeof value === 'undefined' || typeof value === 'symbol' || typeof value === 'bigint') { return String(value); }
    if (value !== null && typeof value === 'object') {
      try { return JSON.stringify(value); } catch (circular) { return '[object]'; }
    }
    return String(value);
  }
  function format(args) {
    const parts = [];
    let i = 0;
    if (typeof args[0] === 'string' && args[0].includes('%') && args.length > 1) {
      i = 1;
      parts.push(args[0].replace(/%[sdifjoO%]/g, (token) => {
        if (token === '%%') { return '%'; }
        if (i >= args.length) { return token; }
        const arg = args[i++];
        switch (token) {
          case '%d': case '%i': return String(parseInt(arg, 10));
          case '%f': return String(parseFloat(arg));
          case '%j': return JSON.stringify(arg);
          default: return formatValue(arg, 0);
        }
      }));
    }
    for (; i < args.length; i++) { parts.push(formatValue(args[i], 0)); }
    return parts.join(' ');
  }
  const consoleObject = {};
  for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
    consoleObject[level] = (...args) => host.log(level, format(args));
  }
  consoleObject.dir = (value) => host.log('log', formatValue(value, 0));
  define('console', consoleObject);

  // ---- timers ----
  define('setTimeout', (callback, delay, ...args) => {
    if (typeof callback !== 'function') { throw new TypeError('The "callback" argument must be of type function'); }
    return host.setTimer(Math.max(0, Number(delay) || 0), () => callback(...args));
  });
  define('clearTimeout', (id) => { if (id !== undefined && id !== null) { host.clearTimer(id); } });
  define('setImmediate', (callback, ...args) => host.setTimer(0, () => callback(...args)));
  define('clearImmediate', (id) => { if (id !== undefined && id !== null) { host.clearTimer(id); } });
  const intervals = new Map();
  let nextInterval = 1;
  define('setInterval', (callback, delay, ...args) => {
    const id = -(nextInterval++);
    const tick = () => {
      intervals.set(id, host.setTimer(Math.max(1, Number(delay) || 0), tick));
      callback(...args);
    };
    intervals.set(id, host.setTimer(Math.max(1, Number(delay) || 0), tick));
    return id;
  });
  define('clearInterval', (id) => {
    if (intervals.has(id)) { host.clearTimer(intervals.get(id)); intervals.delete(id); }
  });
  define('queueMicrotask', (callback) => { Promise.resolve().then(callback); });

  // ---- base64 (the npm atob/btoa packages: binary strings) ----
  define('btoa', (value) => host.btoa(String(value)));
  define('atob', (value) => host.atob(String(value)));

  // ---- CommonJS modules for the bundled libraries, loaded on first use ----
  const modules = new Map();
  const builtins = new Map();
  function resolvePath(from, request) {
    const parts = (from + request).split('/');
    const out = [];
    for (const part of parts) {
      if (part === '..') { out.pop(); } else if (part !== '.' && part !== '') { out.push(part); }
    }
    return out.join('/');
  }
  function loadModule(pkg, path) {
    const key = pkg + ':' + path;
    if (modules.has(key)) { return modules.get(key).exports; }
    const found = host.module(pkg, path);
    if (found === null || found === undefined) { throw new Error("Cannot find module '" + pkg + '/' + path + "'"); }
    const module = { exports: {}, id: key, loaded: false };
    modules.set(key, module);
    if (found.json !== undefined) {
      module.exports = JSON.parse(found.json);
    } else {
      const dir = found.path.includes('/') ? found.path.substring(0, found.path.lastIndexOf('/') + 1) : '';
      found.wrapper.call(module.exports, module, module.exports, (request) => requireFrom(pkg, dir, request));
    }
    module.loaded = true;
    return module.exports;
  }
  function requireFrom(pkg, dir, request) {
    if (builtins.has(request)) { return builtins.get(request)(); }
    if (request.startsWith('./') || request.startsWith('../')) { return loadModule(pkg, resolvePath(dir, request)); }
    const slash = request.indexOf('/');
    return slash < 0 ? loadModule(request, '') : loadModule(request.substring(0, slash), request.substring(slash + 1));
  }
  // A global that loads its library when first read; assigning to it simply replaces it.
  function lazyGlobal(name, load) {
    Object.defineProperty(G, name, {
      configurable: true, enumerable: false,
      get() { const value = load(); define(name, value); return value; },
      set(value) { define(name, value); },
    });
  }

  // ---- crypto (hashing in Java) ----
  function bytesToHex(bytes) {
    let hex = '';
    for (let i = 0; i < bytes.length; i++) { hex += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16); }
    return hex;
  }
  function chunk(data, encoding) {
    if (typeof data === 'string') { return [encoding || 'utf8', data]; }
    if (data && typeof data.length === 'number' && (ArrayBuffer.isView(data) || Array.isArray(data))) {
      return ['hex', bytesToHex(data)];
    }
    if (data instanceof ArrayBuffer) { return ['hex', bytesToHex(new Uint8Array(data))]; }
    throw new TypeError('The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView');
  }
  function digestResult(hex, encoding) {
    if (encoding === undefined || encoding === 'buffer') { return G.Buffer.from(hex, 'hex'); }
    return host.encodeHex(hex, String(encoding));
  }
  class Digest {
    constructor(kind, algorithm, key) {
      this.kind = kind;
      this.algorithm = String(algorithm);
      this.key = key;
      this.chunks = [];
      this.done = false;
      host.checkAlgorithm(this.algorithm);
    }
    update(data, encoding) {
      if (this.done) { throw new Error('Digest already called'); }
      this.chunks.push(chunk(data, encoding));
      return this;
    }
    digest(encoding) {
      if (this.done) { throw new Error('Digest already called'); }
      this.done = true;
      return digestResult(host.digest(this.algorithm, this.key ? JSON.stringify(this.key) : null,
          JSON.stringify(this.chunks)), encoding);
    }
  }
  const cryptoObject = {
    createHash: (algorithm) => new Digest('hash', algorithm, null),
    createHmac: (algorithm, key) => new Digest('hmac', algorithm, chunk(key)),
    randomBytes: (size, callback) => {
      const bytes = G.Buffer.from(host.randomHex(Number(size)), 'hex');
      if (typeof callback === 'function') { setTimeout(() => callback(null, bytes), 0); return undefined; }
      return bytes;
    },
    randomUUID: () => host.randomUUID(),
    randomInt: (min, max) => {
      if (max === undefined) { max = min; min = 0; }
      return min + Math.floor(parseInt(host.randomHex(6), 16) / 0x1000000000000 * (max - min));
    },
    getHashes: () => host.hashes().split(','),
  };
  define('crypto', cryptoObject);
  builtins.set('crypto', () => cryptoObject);
  builtins.set('stream', () => ({ Stream: function Stream() { throw new Error('streams are not supported in functions'); } }));
  builtins.set('buffer', () => ({ Buffer: G.Buffer }));

  // ---- URL and URLSearchParams ----
  function formEncode(value) {
    return encodeURIComponent(value).replace(/[!'()~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
      .replace(/%20/g, '+');
  }
  function formDecode(value) {
    const spaced = value.replace(/\+/g, ' ');
    try { return decodeURIComponent(spaced); } catch (malformed) { return spaced; }
  }
  class URLSearchParams {
    constructor(init) {
      this._list = [];
      this._url = null;
      if (init === undefined || init === null) { return; }
      if (typeof init === 'string') {
        this._parse(init);
      } else if (init instanceof URLSearchParams) {
        this._list = init._list.map((pair) => pair.slice());
      } else if (typeof init[Symbol.iterator] === 'function') {
        for (const pair of init) {
          const entry = Array.from(pair);
          if (entry.length !== 2) { throw new TypeError('Each query pair must be an iterable [name, value] tuple'); }
          this._list.push([String(entry[0]), String(entry[1])]);
        }
      } else if (typeof init === 'object') {
        for (const name of Object.keys(init)) { this._list.push([name, String(init[name])]); }
      } else {
        this._parse(String(init));
      }
    }
    _parse(query) {
      this._list = [];
      const text = query.startsWith('?') ? query.substring(1) : query;
      for (const part of text.split('&')) {
        if (part === '') { continue; }
        const eq = part.indexOf('=');
        this._list.push(eq < 0 ? [formDecode(part), ''] : [formDecode(part.substring(0, eq)), formDecode(part.substring(eq + 1))]);
      }
    }
    _changed() { if (this._url) { this._url._search = this._list.length ? '?' + this.toString() : ''; } }
    append(name, value) { this._list.push([String(name), String(value)]); this._changed(); }
    delete(name) { name = String(name); this._list = this._list.filter((p) => p[0] !== name); this._changed(); }
    get(name) { name = String(name); const found = this._list.find((p) => p[0] === name); return found ? found[1] : null; }
    getAll(name) { name = String(name); return this._list.filter((p) => p[0] === name).map((p) => p[1]); }
    has(name) { name = String(name); return this._list.some((p) => p[0] === name); }
    set(name, value) {
      name = String(name);
      const index = this._list.findIndex((p) => p[0] === name);
      if (index < 0) { this._list.push([name, String(value)]); } else {
        this._list[index][1] = String(value);
        this._list = this._list.filter((p, i) => i <= index || p[0] !== name);
      }
      this._changed();
    }
    sort() { this._list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)); this._changed(); }
    forEach(callback, thisArg) { for (const [name, value] of this._list) { callback.call(thisArg, value, name, this); } }
    keys() { return this._list.map((p) => p[0])[Symbol.iterator](); }
    values() { return this._list.map((p) => p[1])[Symbol.iterator](); }
    entries() { return this._list.map((p) => [p[0], p[1]])[Symbol.iterator](); }
    [Symbol.iterator]() { return this.entries(); }
    get size() { return this._list.length; }
    toString() { return this._list.map((p) => formEncode(p[0]) + '=' + formEncode(p[1])).join('&'); }
  }
  define('URLSearchParams', URLSearchParams);

  const PARTS = ['protocol', 'username', 'password', 'hostname', 'port', 'pathname', 'search', 'hash'];
  class URL {
    constructor(input, base) {
      const parsed = host.parseUrl(String(input), base === undefined ? null : String(base));
      if (parsed === null || parsed === undefined) { throw new TypeError('Invalid URL: ' + input); }
      this._set(JSON.parse(parsed));
    }
    _set(parts) {
      this._protocol = parts.protocol; this._username = parts.username; this._password = parts.password;
      this._hostname = parts.hostname; this._port = parts.port; this._pathname = parts.pathname;
      this._search = parts.search; this._hash = parts.hash;
      this._params = new URLSearchParams(this._search);
      this._params._url = this;
    }
    get protocol() { return this._protocol; }
    set protocol(value) { this._protocol = String(value).replace(/:?$/, ':'); }
    get username() { return this._username; }
    set username(value) { this._username = encodeURIComponent(String(value)); }
    get password() { return this._password; }
    set password(value) { this._password = encodeURIComponent(String(value)); }
    get hostname() { return this._hostname; }
    set hostname(value) { this._hostname = String(value).toLowerCase(); }
    get port() { return this._port; }
    set port(value) { this._port = value === '' ? '' : String(parseInt(value, 10)); }
    get host() { return this._hostname + (this._port ? ':' + this._port : ''); }
    set host(value) {
      const [name, port] = String(value).split(':');
      this.hostname = name;
      if (port !== undefined) { this.port = port; }
    }
    get origin() { return this._protocol + '//' + this.host; }
    get pathname() { return this._pathname; }
    set pathname(value) { value = String(value); this._pathname = encodeURI(value.startsWith('/') ? value : '/' + value); }
    get search() { return this._search.length > 1 ? this._search : ''; }
    set search(value) {
      value = String(value);
      this._search = value === '' || value === '?' ? '' : (value.startsWith('?') ? value : '?' + value);
      this._params._list = new URLSearchParams(this._search)._list;
    }
    get searchParams() { return this._params; }
    get hash() { return this._hash.length > 1 ? this._hash : ''; }
    set hash(value) { value = String(value); this._hash = value === '' ? '' : (value.startsWith('#') ? value : '#' + value); }
    get href() {
      const auth = this._username || this._password
        ? this._username + (this._password ? ':' + this._password : '') + '@' : '';
      return this._protocol + '//' + auth + this.host + this._pathname + this.search + this.hash;
    }
    set href(value) { this._set(JSON.parse(host.parseUrl(String(value), null) || (() => { throw new TypeError('Invalid URL: ' + value); })())); }
    toString() { return this.href; }
    toJSON() { return this.href; }
  }
  URL.prototype[Symbol.toStringTag] = 'URL';
  define('URL', URL);

  // ---- fetch: node-fetch v2 behaviour over the job's HTTP client ----
  function normalizeName(name) {
    name = String(name);
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) { throw new TypeError(name + ' is not a legal HTTP header name'); }
    return name.toLowerCase();
  }
  class Headers {
    constructor(init) {
      this._map = new Map();
      if (init === undefined || init === null) { return; }
      if (init instanceof Headers) {
        init.forEach((value, name) => this.append(name, value));
      } else if (typeof init[Symbol.iterator] === 'function') {
        for (const pair of init) {
          const entry = Array.from(pair);
          if (entry.length !== 2) { throw new TypeError('Each header pair must be a name/value tuple'); }
          this.append(entry[0], entry[1]);
        }
      } else if (typeof init === 'object') {
        for (const name of Object.keys(init)) {
          const value = init[name];
          if (Array.isArray(value)) { value.forEach((v) => this.append(name, v)); } else { this.append(name, value); }
        }
      } else {
        throw new TypeError('Provided initializer must be an object');
      }
    }
    append(name, value) {
      const key = normalizeName(name);
      const values = this._map.get(key);
      if (values) { values.push(String(value)); } else { this._map.set(key, [String(value)]); }
    }
    set(name, value) { this._map.set(normalizeName(name), [String(value)]); }
    get(name) { const values = this._map.get(normalizeName(name)); return values ? values.join(', ') : null; }
    has(name) { return this._map.has(normalizeName(name)); }
    delete(name) { this._map.delete(normalizeName(name)); }
    raw() { const raw = {}; for (const [name, values] of this._map) { raw[name] = values.slice(); } return raw; }
    forEach(callback, thisArg) {
      for (const name of Array.from(this._map.keys()).sort()) { callback.call(thisArg, this.get(name), name, this); }
    }
    keys() { return Array.from(this._map.keys()).sort()[Symbol.iterator](); }
    values() { return Array.from(this._map.keys()).sort().map((n) => this.get(n))[Symbol.iterator](); }
    entries() { return Array.from(this._map.keys()).sort().map((n) => [n, this.get(n)])[Symbol.iterator](); }
    [Symbol.iterator]() { return this.entries(); }
    _flat() { const flat = []; for (const [name, values] of this._map) { for (const v of values) { flat.push([name, v]); } } return flat; }
  }
  Headers.prototype[Symbol.toStringTag] = 'Headers';
  define('Headers', Headers);

  function bodyToText(body, headers) {
    if (body === undefined || body === null) { return null; }
    if (typeof body === 'string') { return body; }
    if (body instanceof URLSearchParams) {
      if (!headers.has('content-type')) { headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8'); }
      return body.toString();
    }
    if (G.Buffer && G.Buffer.isBuffer && G.Buffer.isBuffer(body)) { return body.toString('latin1'); }
    if (ArrayBuffer.isView(body)) { return String.fromCharCode.apply(null, Array.from(new Uint8Array(body.buffer, body.byteOffset, body.byteLength))); }
    if (body instanceof ArrayBuffer) { return String.fromCharCode.apply(null, Array.from(new Uint8Array(body))); }
    return String(body); // node-fetch v2 sends other objects as their string form
  }

  class Body {
    _initBody(text, size) {
      this._bodyText = text;
      this._bodySize = size;
      this._bodyError = null;
      this.bodyUsed = false;
    }
    _consume() {
      if (this.bodyUsed) { return Promise.reject(new TypeError('body used already for: ' + this.url)); }
      this.bodyUsed = true;
      if (this._bodyError) { return Promise.reject(this._bodyError); }
      return Promise.resolve(this._bodyText === null ? '' : this._bodyText);
    }
    text() { return this._consume(); }
    json() {
      return this._consume().then((text) => {
        try { return JSON.parse(text); } catch (e) {
          throw new FetchError('invalid json response body at ' + this.url + ' reason: ' + e.message, 'invalid-json');
        }
      });
    }
    buffer() { return this._consume().then((text) => G.Buffer.from(text, 'utf8')); }
    arrayBuffer() { return this.buffer().then((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); }
    textConverted() { return this.text(); }
  }

  class Request extends Body {
    constructor(input, init) {
      super();
      init = init || {};
      const source = input instanceof Request ? input : null;
      this.url = source ? source.url : (input instanceof URL ? input.href : new URL(String(input)).href);
      this.method = String(init.method || (source && source.method) || 'GET').toUpperCase();
      this.headers = new Headers(init.headers || (source && source.headers) || {});
      const body = init.body !== undefined ? init.body : (source ? source._bodyText : null);
      if (body !== null && body !== undefined && (this.method === 'GET' || this.method === 'HEAD')) {
        throw new TypeError('Request with GET/HEAD method cannot have body');
      }
      this._initBody(bodyToText(body, this.headers), 0);
      this.redirect = init.redirect || (source && source.redirect) || 'follow';
      this.follow = init.follow !== undefined ? init.follow : (source ? source.follow : 20);
      this.timeout = init.timeout !== undefined ? init.timeout : (source ? source.timeout : 0);
      this.size = init.size !== undefined ? init.size : (source ? source.size : 0);
      this.compress = init.compress !== undefined ? init.compress : true;
    }
    clone() { return new Request(this); }
  }
  Request.prototype[Symbol.toStringTag] = 'Request';
  define('Request', Request);

  const STATUS_TEXT = { 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 301: 'Moved Permanently',
    302: 'Found', 303: 'See Other', 304: 'Not Modified', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
    400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 408: 'Request Timeout',
    409: 'Conflict', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error',
    502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };
  class Response extends Body {
    constructor(body, init) {
      super();
      init = init || {};
      this.headers = new Headers(init.headers);
      this._initBody(bodyToText(body, this.headers), 0);
      this.status = init.status === undefined ? 200 : init.status;
      this.statusText = init.statusText || STATUS_TEXT[this.status] || '';
      this.url = init.url || '';
      this.redirected = Boolean(init.redirected);
    }
    get ok() { return this.status >= 200 && this.status < 300; }
    clone() {
      if (this.bodyUsed) { throw new Error('cannot clone body after it is used'); }
      const copy = new Response(this._bodyText, this);
      copy._bodyError = this._bodyError;
      return copy;
    }
  }
  Response.prototype[Symbol.toStringTag] = 'Response';
  define('Response', Response);

  function send(request) {
    return new Promise((resolve, reject) => {
      const protocol = new URL(request.url).protocol;
      if (protocol !== 'http:' && protocol !== 'https:') {
        reject(new TypeError('Only absolute URLs with http or https are supported, got ' + request.url));
        return;
      }
      if (!request.headers.has('accept')) { request.headers.set('accept', '*/*'); }
      host.fetch(request.method, request.url, JSON.stringify(request.headers._flat()), request._bodyText,
        Number(request.timeout) || 0, Number(request.size) || 0, (error, errorType, status, headersJson, body, tooLarge) => {
          if (error !== null) {
            reject(new FetchError(errorType === 'request-timeout'
              ? 'network timeout at: ' + request.url
              : 'request to ' + request.url + ' failed, reason: ' + error, errorType, errorType === 'system' ? 'ECONNREFUSED' : undefined));
            return;
          }
          const response = new Response(null, { status, url: request.url, headers: JSON.parse(headersJson) });
          response._initBody(body, 0);
          if (tooLarge) {
            response._bodyError = new FetchError('content size at ' + request.url + ' over limit: ' + (request.size || host.maxResponseBytes()), 'max-size');
          }
          resolve(response);
        });
    });
  }

  function fetch(input, init) {
    let request;
    try {
      request = new Request(input, init);
    } catch (e) {
      return Promise.reject(e);
    }
    const follow = (current, hops) => send(current).then((response) => {
      const location = response.headers.get('location');
      if (![301, 302, 303, 307, 308].includes(response.status) || location === null || current.redirect === 'manual') {
        if (hops > 0) { response.redirected = true; }
        return response;
      }
      if (current.redirect === 'error') {
        throw new FetchError('uri requested responds with a redirect, redirect mode is set to error: ' + current.url, 'no-redirect');
      }
      if (hops >= current.follow) { throw new FetchError('maximum redirect reached at: ' + current.url, 'max-redirect'); }
      const changeToGet = response.status === 303 || ((response.status === 301 || response.status === 302) && current.method === 'POST');
      const next = new Request(new URL(location, current.url).href, {
        method: changeToGet ? 'GET' : current.method,
        headers: current.headers,
        body: changeToGet ? undefined : current._bodyText,
        redirect: current.redirect, follow: current.follow, timeout: current.timeout, size: current.size,
      });
      if (changeToGet) { next.headers.delete('content-length'); next.headers.delete('content-type'); }
      return follow(next, hops + 1);
    });
    return follow(request, 0);
  }
  fetch.Headers = Headers;
  fetch.Request = Request;
  fetch.Response = Response;
  fetch.FetchError = FetchError;
  fetch.isRedirect = (code) => [301, 302, 303, 307, 308].includes(code);
  define('fetch', fetch);
  builtins.set('node-fetch', () => fetch);

  // ---- cache: per instance, may be evicted any time (here: only by ttl or delete) ----
  const cacheEntries = new Map();
  define('cache', Object.freeze({
    load(key, ttl, loader) {
      if (typeof loader !== 'function') { return Promise.reject(new TypeError('cache.load needs a function that loads the value')); }
      const now = Date.now();
      const entry = cacheEntries.get(key);
      if (entry && (entry.expires < 0 || entry.expires > now)) { return entry.value; }
      const expires = ttl === undefined || ttl === null || Number(ttl) < 0 ? -1 : now + Number(ttl);
      const value = Promise.resolve().then(() => loader());
      cacheEntries.set(key, { value, expires });
      // a failed load is not cached
      value.catch(() => { if (cacheEntries.get(key) && cacheEntries.get(key).value === value) { cacheEntries.delete(key); } });
      return value;
    },
    delete(key) { cacheEntries.delete(key); },
  }));

  // ---- libraries, loaded on first use ----
  lazyGlobal('Buffer', () => requireFrom('', '', 'buffer/').Buffer);
  lazyGlobal('_', () => requireFrom('', '', 'lodash'));
  lazyGlobal('moment', () => requireFrom('', '', 'moment-timezone'));
  lazyGlobal('uuidv5', () => requireFrom('', '', 'uuidv5'));
  lazyGlobal('xml', () => requireFrom('', '', 'xml'));
  define('global', G);
  define('process', Object.freeze({ env: Object.freeze({}), version: 'v20.0.0', versions: Object.freeze({ node: '20.0.0' }),
    nextTick: (callback, ...args) => { Promise.resolve().then(() => callback(...args)); } }));

  // ---- the dispatcher: one call per invocation ----
  const HANDLERS = { track: 'onTrack', identify: 'onIdentify', page: 'onPage', screen: 'onScreen', group: 'onGroup',
    alias: 'onAlias', delete: 'onDelete', batch: 'onBatch' };
  function describeValue(value) {
    if (value === undefined) { return null; }
    try { return JSON.stringify(value) === undefined ? String(value) : JSON.stringify(value); } catch (e) { return String(value); }
  }
  function describeError(error) {
    if (error instanceof Error) {
      return [error.name || 'Error', String(error.message === undefined ? '' : error.message)];
    }
    return ['Error', typeof error === 'string' ? error : describeValue(error) || String(error)];
  }
  // lookup(name) finds a handler declared with function, var, let or const at the top level of the user's code
  return function dispatch(type, payloadJson, settingsJson, done, lookup) {
    const handlerName = HANDLERS[type];
    Promise.resolve().then(() => {
      const handler = handlerName === undefined ? undefined : lookup(handlerName);
      if (typeof handler !== 'function') {
        throw new G.EventNotSupported((type === 'batch' ? 'onBatch' : type) + ' is not supported');
      }
      return handler(JSON.parse(payloadJson), JSON.parse(settingsJson));
    }).then(
      (value) => done(true, describeValue(value), null, null),
      (error) => { const [name, message] = describeError(error); done(false, null, name, message); });
  };
})
