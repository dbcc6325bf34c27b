// Admin (管理): users and data-sharing agreements for the administrator;
// audit-trail verification and export for the auditor (the server allows
// the audit endpoints to the auditor role only).
import { useState } from 'preact/hooks';
import { html, useLoad, ErrorMessage, Notice, Missing, shortTime } from '../ui.js';
import { t, lang } from '../i18n.js';
import * as api from '../api.js';

const ROLES = ['operator', 'health_center', 'facility', 'municipality', 'auditor', 'admin'];

export function Admin({ user }) {
  const [notice, setNotice] = useState('');
  const [error, setError] = useState(null);
  const [verify, setVerify] = useState(null);
  const isAdmin = user.role === 'admin';
  const users = useLoad(() => (isAdmin ? api.get('/api/v1/users?limit=200') : null));
  const agreements = useLoad(() => (isAdmin && api.has('GET', '/api/v1/agreements') ? api.get('/api/v1/agreements') : null));
  const addUser = async (event) => {
    event.preventDefault();
    const form = Object.fromEntries(new FormData(event.target));
    setError(null);
    try {
      const made = await api.post('/api/v1/users', form);
      setNotice(made.password ? t('temp_password', { p: made.password }) : t('recorded'));
      event.target.reset();
      users.reload();
    } catch (e) { setError(e); }
  };
  const runVerify = async () => {
    setError(null);
    try { setVerify(await api.get('/api/v1/audit/verify')); } catch (e) { setError(e); }
  };
  return html`<h1>${t('admin_title')}</h1>
    <${Notice} text=${notice}/><${ErrorMessage} error=${error}/>
    ${isAdmin && html`<section aria-labelledby="h-users"><h2 id="h-users">${t('users')}</h2>
      <${ErrorMessage} error=${users.error}/>
      <table><thead><tr><th scope="col">${t('login_col')}</th><th scope="col">${t('display_name')}</th><th scope="col">${t('role')}</th>
        <th scope="col">${t('scope')}</th><th scope="col">${t('disabled')}</th><th scope="col">${t('created')}</th></tr></thead>
        <tbody>${api.items(users.data).map((u) => html`<tr><td>${u.login}</td><td>${u.display_name}</td><td>${u.role}</td>
          <td>${u.scope}</td><td>${u.disabled ? '✔' : ''}</td><td>${shortTime(u.created_at)}</td></tr>`)}</tbody></table>
      <form class="inline" onSubmit=${addUser}><fieldset><legend>${t('add_user')}</legend>
        <label>${t('login_col')} <input name="login" required/></label>
        <label>${t('display_name')} <input name="display_name"/></label>
        <label>${t('role')} <select name="role">${ROLES.map((r) => html`<option>${r}</option>`)}</select></label>
        <label>${t('scope')} <input name="scope"/></label>
        <button type="submit">${t('add_user')}</button></fieldset></form>
    </section>
    <section aria-labelledby="h-agr"><h2 id="h-agr">${t('agreements')}</h2>
      ${!api.has('GET', '/api/v1/agreements') ? html`<${Missing} path="GET /api/v1/agreements"/>` : html`
        <${ErrorMessage} error=${agreements.error}/>
        <table><thead><tr><th scope="col">${t('municipality')}</th><th scope="col">${t('version')}</th><th scope="col">${t('fields')}</th></tr></thead>
        <tbody>${api.items(agreements.data).map((a) => html`<tr><td>${a.municipality_name || ''} ${a.municipality_code6 || a.municipality_code || ''}</td>
          <td>${a.version}</td><td>${(a.fields || []).join('、')}</td></tr>`)}</tbody></table>`}
    </section>`}
    ${user.role === 'auditor' && html`<section aria-labelledby="h-audit"><h2 id="h-audit">${t('audit')}</h2>
      <button type="button" onClick=${runVerify} data-testid="verify">${t('verify')}</button>
      <button type="button" onClick=${() => api.download('/api/v1/audit/export').catch(setError)}>${t('export_audit')}</button>
      ${verify && html`<p class=${verify.ok ? 'message ok' : 'message error'} role="status" data-testid="verify-result">
        ${verify.ok ? t('audit_ok', { n: verify.entries }) : t('audit_bad', { n: verify.problems.length })}</p>
        ${verify.problems?.length > 0 && html`<ul>${verify.problems.map((p) => html`<li>#${p.seq} ${lang.get() === 'en' ? p.message_en : p.message}</li>`)}</ul>`}`}
    </section>`}`;
}
