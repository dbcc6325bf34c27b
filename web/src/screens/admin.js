// Admin (管理): users, data-sharing agreements (覚書: the version in force, its
// history, and a form for a new version), the consent sheet import, and the
// reference data (municipalities, health centers, recuperation rules) for
// the administrator; audit-trail verification and export for the auditor
// (the server allows the audit endpoints to the auditor role only).
import { useState } from 'preact/hooks';
import { html, useLoad, ErrorMessage, Notice, Missing, shortTime, num } from '../ui.js';
import { t, lang } from '../i18n.js';
import * as api from '../api.js';
import { ImportReport } from './municipality.js';

const ROLES = ['operator', 'health_center', 'facility', 'municipality', 'auditor', 'admin'];

function fieldLabels(fields, catalogue) {
  const label = (name) => {
    const entry = catalogue.find((f) => f.name === name);
    return entry && lang.get() === 'ja' ? entry.label_ja : name;
  };
  return (fields || []).map(label).join('、');
}

function AgreementRow({ item, catalogue }) {
  const a = item.current || item.history[item.history.length - 1];
  const pending = item.history.filter((v) => !item.current || v.version > item.current.version);
  return html`<tr data-municipality=${item.municipality_code}>
    <td>${item.municipality_name} ${item.municipality_code}</td>
    <td class="n">${item.current ? item.current.version : '—'}</td>
    <td>${item.current ? item.current.valid_from : t('not_in_force')}</td>
    <td>${a.receives_data ? fieldLabels(a.fields, catalogue) : t('sharing_stopped')}</td>
    <td>${a.purposes}</td>
    <td>${[a.include_arranging && t('include_arranging'), a.roll_up && t('roll_up'),
      a.consent_required ? t('consent_required') : t('consent_not_required')].filter(Boolean).join('・')}</td>
    <td>${pending.length > 0 ? pending.map((v) => t('pending_version', { v: v.version, from: v.valid_from })).join(' ') : ''}
      <details><summary>${t('history_n', { n: item.history.length })}</summary><ol>${item.history.map((v) => html`
        <li>v${v.version} ${v.valid_from}〜 ${v.receives_data ? fieldLabels(v.fields, catalogue) : t('sharing_stopped')}</li>`)}</ol></details></td></tr>`;
}

function Agreements({ onNotice }) {
  const [error, setError] = useState(null);
  const agreements = useLoad(() => api.get('/api/v1/agreements'));
  const catalogue = agreements.data?.fields || [];
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = {
      municipality_code: form.get('municipality_code').trim(),
      fields: form.getAll('fields'),
      valid_from: form.get('valid_from') || undefined,
      purposes: form.get('purposes') || undefined,
      include_arranging: form.get('include_arranging') === 'on',
      roll_up: form.get('roll_up') === 'on',
      stop: form.get('stop') === 'on',
    };
    if (form.get('consent_required') !== '') body.consent_required = form.get('consent_required') === 'true';
    setError(null);
    try {
      const made = await api.post('/api/v1/agreements', body);
      onNotice(t('agreement_saved', { code: made.municipality_code, v: made.version, from: made.valid_from }));
      event.target.reset();
      agreements.reload();
    } catch (e) { setError(e); }
  };
  return html`<section aria-labelledby="h-agr"><h2 id="h-agr">${t('agreements')}</h2>
    <${ErrorMessage} error=${agreements.error || error}/>
    <table data-testid="agreements"><thead><tr><th scope="col">${t('municipality')}</th><th scope="col" class="n">${t('version')}</th>
      <th scope="col">${t('valid_from')}</th><th scope="col">${t('fields')}</th><th scope="col">${t('purposes')}</th>
      <th scope="col">${t('conditions')}</th><th scope="col">${t('history')}</th></tr></thead>
      <tbody>${api.items(agreements.data).map((item) => html`<${AgreementRow} item=${item} catalogue=${catalogue}/>`)}</tbody></table>
    ${agreements.data && api.items(agreements.data).length === 0 && html`<p class="muted">${t('none')}</p>`}
    ${api.has('POST', '/api/v1/agreements') && html`<form onSubmit=${submit} data-testid="agreement-form">
      <fieldset><legend>${t('set_agreement')}</legend>
        <label>${t('municipality_code')} <input name="municipality_code" required pattern="[0-9]{6}" inputmode="numeric" size="8"/></label>
        <label>${t('valid_from')} <input name="valid_from" type="date"/></label>
        <label>${t('purposes')} <input name="purposes" size="30" placeholder=${t('purposes_hint')}/></label>
        <label>${t('consent')} <select name="consent_required"><option value="">${t('policy_default')}</option>
          <option value="true">${t('consent_required')}</option><option value="false">${t('consent_not_required')}</option></select></label>
        <fieldset class="checks"><legend>${t('fields')}</legend>
          ${catalogue.map((f) => html`<label class="check"><input type="checkbox" name="fields" value=${f.name}/>
            ${lang.get() === 'ja' ? f.label_ja : f.name}</label>`)}</fieldset>
        <label class="check"><input type="checkbox" name="include_arranging"/> ${t('include_arranging')}</label>
        <label class="check"><input type="checkbox" name="roll_up"/> ${t('roll_up')}</label>
        <label class="check"><input type="checkbox" name="stop"/> ${t('stop_sharing')}</label>
        <button type="submit">${t('save_agreement')}</button>
      </fieldset><p class="muted">${t('agreement_hint')}</p></form>`}
  </section>`;
}

function ConsentImport() {
  const [error, setError] = useState(null);
  const [report, setReport] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    setBusy(true);
    setError(null);
    try { setReport(await api.post('/api/v1/consent/upload', form)); event.target.reset(); }
    catch (e) { setError(e); } finally { setBusy(false); }
  };
  return html`<section aria-labelledby="h-consent"><h2 id="h-consent">${t('consent_import')}</h2>
    <p class="muted">${t('consent_hint')}</p>
    <form class="inline" onSubmit=${submit} data-testid="consent-upload">
      <label>${t('consent_sheet')} <input type="file" name="file" accept=".csv,.xlsx,text/csv" required/></label>
      <button type="submit" disabled=${busy}>${t('upload_sheet')}</button></form>
    <${ErrorMessage} error=${error}/>${report && html`<${ImportReport} report=${report}/>`}</section>`;
}

function Reference() {
  const [prefecture, setPrefecture] = useState('14');
  const [tab, setTab] = useState('municipalities');
  const [filter, setFilter] = useState('');
  // The answer remembers its tab: while the next tab loads, the previous
  // tab's rows must not be drawn in the next tab's table.
  const data = useLoad(async () => ({ tab, body: await (tab === 'rules' ? api.get('/api/v1/reference/recuperation-rules')
    : api.get(`/api/v1/reference/${tab === 'centers' ? 'health-centers' : 'municipalities'}?prefecture=${encodeURIComponent(prefecture)}`)) }),
  [tab, prefecture]);
  const current = data.data?.tab === tab ? data.data.body : null;
  const rows = api.items(current).filter((r) => !filter || JSON.stringify(r).includes(filter));
  const tabs = [['municipalities', t('ref_municipalities')], ['centers', t('ref_health_centers')], ['rules', t('ref_rules')]];
  return html`<section aria-labelledby="h-ref"><h2 id="h-ref">${t('reference')}</h2>
    <div class="chooser" role="radiogroup" aria-label=${t('reference')}>${tabs.map(([key, label]) => html`
      <label><input type="radio" name="ref-tab" checked=${tab === key} onChange=${() => setTab(key)}/> ${label}</label>`)}</div>
    ${tab !== 'rules' && html`<form class="inline" onSubmit=${(e) => e.preventDefault()}>
      <label>${t('prefecture_code')} <input type="number" min="1" max="47" value=${prefecture} size="3"
        onChange=${(e) => setPrefecture(e.target.value)}/></label>
      <label>${t('filter')} <input type="search" value=${filter} onInput=${(e) => setFilter(e.target.value)}/></label></form>`}
    <${ErrorMessage} error=${data.error}/>
    ${tab === 'municipalities' && html`<table data-testid="ref-municipalities"><thead><tr><th scope="col">${t('code')}</th>
      <th scope="col">${t('municipality')}</th><th scope="col">${t('prefecture')}</th><th scope="col">${t('health_center')}</th></tr></thead>
      <tbody>${rows.map((m) => html`<tr><td>${m.code}</td><td>${m.name}${m.designated_city ? html` <span class="tag good">${t('designated_city')}</span>` : ''}</td>
        <td>${m.prefecture}</td><td>${m.health_center}</td></tr>`)}</tbody></table>`}
    ${tab === 'centers' && html`<table data-testid="ref-centers"><thead><tr><th scope="col">${t('health_center')}</th>
      <th scope="col">${t('prefecture')}</th><th scope="col">${t('area')}</th></tr></thead>
      <tbody>${rows.map((c) => html`<tr><td>${c.name}</td><td>${c.prefecture}</td>
        <td>${(c.municipalities || []).map((m) => m.name).join('、')}</td></tr>`)}</tbody></table>`}
    ${tab === 'rules' && html`<table data-testid="ref-rules"><thead><tr><th scope="col">${t('valid_from')}</th>
      <th scope="col">${t('basis')}</th><th scope="col">${t('symptomatic')}</th><th scope="col" class="n">${t('days')}</th>
      <th scope="col">${t('note')}</th></tr></thead>
      <tbody>${rows.map((r) => html`<tr><td>${r.valid_from}</td><td>${t('basis_' + r.basis)}</td>
        <td>${t('symptomatic_' + r.symptomatic)}</td><td class="n">${num(r.days)}</td><td>${r.note}</td></tr>`)}</tbody></table>`}
  </section>`;
}

export function Admin({ user }) {
  const [notice, setNotice] = useState('');
  const [error, setError] = useState(null);
  const [verify, setVerify] = useState(null);
  const isAdmin = user.role === 'admin';
  const users = useLoad(() => (isAdmin ? api.get('/api/v1/users?limit=200') : null));
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
    ${api.has('GET', '/api/v1/agreements') ? html`<${Agreements} onNotice=${setNotice}/>` : html`<${Missing} path="GET /api/v1/agreements"/>`}
    ${api.has('POST', '/api/v1/consent/upload') && html`<${ConsentImport}/>`}`}
    ${api.has('GET', '/api/v1/reference/municipalities') && html`<${Reference}/>`}
    ${user.role === 'auditor' && html`<section aria-labelledby="h-audit"><h2 id="h-audit">${t('audit')}</h2>
      <button type="button" onClick=${runVerify} data-testid="verify">${t('verify')}</button>
      <button type="button" onClick=${() => api.download('/api/v1/audit/export').catch(setError)}>${t('export_audit')}</button>
      ${verify && html`<p class=${verify.ok ? 'message ok' : 'message error'} role="status" data-testid="verify-result">
        ${verify.ok ? t('audit_ok', { n: verify.entries }) : t('audit_bad', { n: verify.problems.length })}</p>
        ${verify.problems?.length > 0 && html`<ul>${verify.problems.map((p) => html`<li>#${p.seq} ${lang.get() === 'en' ? p.message_en : p.message}</li>`)}</ul>`}`}
    </section>`}`;
}
