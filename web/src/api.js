// The only way the UI talks to the server: the documented JSON API
// (/api/v1, see /api/v1/openapi.json). The session is the HttpOnly cookie
// set at log-in; state-changing requests carry the CSRF token returned by
// log-in in X-CSRF-Token (kept in sessionStorage for reloads of the tab).

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.error = body?.error || { message: `HTTP ${status}`, message_en: `HTTP ${status}` };
  }
}

let csrf = sessionStorage.getItem('ichigen.csrf') || '';
let onUnauthenticated = () => {};
export function setUnauthenticatedHandler(fn) { onUnauthenticated = fn; }

export async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined || method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }
  const response = await fetch(path, init);
  const type = response.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await response.json().catch(() => null) : null;
  if (!response.ok) {
    if (response.status === 401 && path !== '/api/v1/login') onUnauthenticated();
    throw new ApiError(response.status, data);
  }
  return data;
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body);

export async function login(loginId, password) {
  const data = await post('/api/v1/login', { login: loginId, password });
  csrf = data.csrf_token;
  sessionStorage.setItem('ichigen.csrf', csrf);
  return data.user;
}

export async function logout() {
  try { await post('/api/v1/logout'); } finally {
    csrf = '';
    sessionStorage.removeItem('ichigen.csrf');
  }
}

// Which endpoints the server offers, from its OpenAPI document: screens use
// this to offer only what exists and to find a download's path.
let routes = null;
export async function loadRoutes() {
  try {
    const doc = await get('/api/v1/openapi.json');
    routes = doc.paths || {};
  } catch { routes = {}; }
  return routes;
}
export function has(method, template) {
  return Boolean(routes && routes[template] && routes[template][method.toLowerCase()]);
}
// The first of several templates the server offers for `method`.
export function first(method, templates) {
  return templates.find((tpl) => has(method, tpl)) || null;
}
export function fill(template, params) {
  return template.replace(/\{(\w+)\}/g, (_, k) => encodeURIComponent(params[k]));
}

// Downloads a file with the session cookie and saves it under its name.
export async function download(path) {
  const response = await fetch(path, { credentials: 'same-origin' });
  if (!response.ok) {
    const data = await response.json().catch(() => null);
    throw new ApiError(response.status, data);
  }
  const disposition = response.headers.get('Content-Disposition') || '';
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const name = match ? decodeURIComponent(match[1]) : path.split('/').pop().split('?')[0];
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return name;
}

// A list endpoint's items whether it answers {items: [...]} or [...].
export function items(data) {
  if (Array.isArray(data)) return data;
  return data?.items || [];
}
