// The Ichigen web UI: log-in, then the screens the caller's role may use.
// Routes are real paths (/review, /patients/12); the server answers any of
// them with index.html.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html, describeError } from './ui.js';
import { t, lang, setLang } from './i18n.js';
import { subscribe } from './state.js';
import * as api from './api.js';
import { Login } from './screens/login.js';
import { Today } from './screens/today.js';
import { Upload } from './screens/upload.js';
import { Review } from './screens/review.js';
import { Patients } from './screens/patients.js';
import { Packages } from './screens/packages.js';
import { Municipality } from './screens/municipality.js';
import { Admin } from './screens/admin.js';
import './style.css';

const SCREENS = [
  { path: '/', key: 'nav_today', view: Today, roles: ['admin', 'operator'] },
  { path: '/upload', key: 'nav_upload', view: Upload, roles: ['admin', 'operator', 'health_center', 'facility'] },
  { path: '/review', key: 'nav_review', view: Review, roles: ['admin', 'operator'] },
  { path: '/patients', key: 'nav_patients', view: Patients, roles: ['admin', 'operator', 'health_center', 'facility'] },
  { path: '/packages', key: 'nav_packages', view: Packages, roles: ['admin', 'operator'] },
  { path: '/municipality', key: 'nav_municipality', view: Municipality, roles: ['municipality'] },
  { path: '/admin', key: 'nav_admin', view: Admin, roles: ['admin', 'auditor'] },
];

export function navigate(path) {
  history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

function usePath() {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const on = () => setPath(location.pathname);
    window.addEventListener('popstate', on);
    return () => window.removeEventListener('popstate', on);
  }, []);
  return path;
}

function screenFor(path, screens) {
  const exact = screens.find((s) => s.path === path);
  if (exact) return exact;
  return screens.find((s) => s.path !== '/' && path.startsWith(s.path + '/')) || null;
}

function App() {
  const [, force] = useState(0);
  useEffect(() => subscribe(() => force((x) => x + 1)), []);
  const [user, setUser] = useState(undefined);
  const path = usePath();

  useEffect(() => {
    api.setUnauthenticatedHandler(() => setUser(null));
    Promise.all([api.loadRoutes(), api.get('/api/v1/me')]).then(
      ([, me]) => setUser(me), () => setUser(null));
  }, []);

  const visible = user ? SCREENS.filter((s) => s.roles.includes(user.role)) : [];

  useEffect(() => {
    const onKey = (event) => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const n = Number(event.key);
      if (n >= 1 && n <= visible.length) {
        event.preventDefault();
        navigate(visible[n - 1].path);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [visible.length, user]);

  useEffect(() => { document.documentElement.lang = lang.get(); });

  if (user === undefined) return html`<p class="muted">${t('loading')}</p>`;
  const langButton = html`<button type="button" class="link" onClick=${() => setLang(lang.get() === 'ja' ? 'en' : 'ja')}
    data-testid="lang">${t('lang_toggle')}</button>`;
  if (user === null) {
    return html`<div class="login-page"><div class="topright">${langButton}</div>
      <${Login} onLogin=${async (u) => { await api.loadRoutes(); setUser(u); navigate(SCREENS.find((s) => s.roles.includes(u.role))?.path || '/'); }}/></div>`;
  }
  let screen = screenFor(path, visible);
  const forbidden = !screen && screenFor(path, SCREENS);
  if (!screen && !forbidden) screen = visible[0];
  const View = screen?.view;
  const go = (event, target) => { event.preventDefault(); navigate(target); };
  return html`
    <a class="skip" href="#main">${t('skip')}</a>
    <header class="top">
      <div class="brand"><strong>${t('app_name')}</strong> <span>${t('app_sub')}</span></div>
      <nav aria-label="${t('shortcuts')}">
        <ul>${visible.map((s, i) => html`<li><a href=${s.path} aria-current=${screen === s ? 'page' : undefined}
          onClick=${(e) => go(e, s.path)} title="Alt+${i + 1}">${t(s.key)} <kbd>Alt+${i + 1}</kbd></a></li>`)}</ul>
      </nav>
      <div class="who">
        <span data-testid="who">${user.display_name || user.login}（${lang.get() === 'en' ? user.role : user.role_ja}${user.scope ? ' ' + user.scope : ''}）</span>
        ${langButton}
        <button type="button" class="link" onClick=${async () => { await api.logout(); setUser(null); navigate('/'); }}>${t('logout')}</button>
      </div>
    </header>
    <main id="main" tabindex="-1">
      ${forbidden
        ? html`<p class="message error" role="alert" data-testid="error">${describeError({ status: 403, error: { message: path, message_en: path } })}</p>`
        : html`<${View} user=${user} path=${path} navigate=${navigate}/>`}
    </main>`;
}

render(html`<${App}/>`, document.getElementById('app'));
