// Shared pieces: the htm template tag, loading hooks and messages.
import { h } from 'preact';
import { useEffect, useState, useCallback } from 'preact/hooks';
import htm from 'htm';
import { t, errorText } from './i18n.js';

export const html = htm.bind(h);

// Loads once (and again when deps change or reload() is called).
export function useLoad(fn, deps = []) {
  const [state, setState] = useState({ loading: true, data: null, error: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    Promise.resolve().then(fn).then(
      (data) => live && setState({ loading: false, data, error: null }),
      (error) => live && setState({ loading: false, data: null, error }),
    );
    return () => { live = false; };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((x) => x + 1), []);
  return { ...state, reload };
}

// An API error as a clear sentence: 403/404 say "not yours to see".
export function describeError(error) {
  if (!error) return '';
  if (error.status === 403) return `${t('err_forbidden')}（${errorText(error.error)}）`;
  if (error.status === 404) return `${t('err_not_found')}（${errorText(error.error)}）`;
  if (error.status === 401) return t('err_login');
  return t('err_generic', { msg: error.error ? errorText(error.error) : String(error.message || error) });
}

export function ErrorMessage({ error }) {
  if (!error) return null;
  return html`<p class="message error" role="alert" data-testid="error">${describeError(error)}</p>`;
}

export function Notice({ text }) {
  if (!text) return null;
  return html`<p class="message ok" role="status">${text}</p>`;
}

export function Loading({ when }) {
  return when ? html`<p class="muted" aria-live="polite">${t('loading')}</p>` : null;
}

export function Missing({ path }) {
  return html`<p class="message warn" role="note">${t('not_available', { path })}</p>`;
}

export function num(value) {
  return value === null || value === undefined ? '—' : Number(value).toLocaleString('ja-JP');
}

export function shortTime(iso) {
  if (!iso) return '—';
  return String(iso).replace('T', ' ').replace(/\.\d+/, '').replace('Z', '').slice(0, 16);
}
