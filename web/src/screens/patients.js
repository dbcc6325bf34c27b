// Patient (患者): search, then one patient's facts and timeline, and for
// prefecture staff the consent to share with the municipality (同意): its
// history and a form to record consent or its withdrawal.
import { useState } from 'preact/hooks';
import { html, useLoad, ErrorMessage, Loading, Notice } from '../ui.js';
import { t } from '../i18n.js';
import * as api from '../api.js';

const SHOWN = ['hersys_id', 'name', 'name_kana', 'sex', 'birth_date', 'address', 'municipality_code', 'phone',
  'notified_on', 'onset_on', 'diagnosed_on', 'care_start_on', 'health_center', 'severity', 'care_status'];

export function Patients({ path, navigate, user }) {
  const id = path.split('/')[2];
  return id ? html`<${Detail} id=${id} navigate=${navigate} user=${user}/>` : html`<${Search} navigate=${navigate}/>`;
}

function todayJst() {
  return new Date(Date.now() + 9 * 3600 * 1000).toISOString().slice(0, 10);
}

function ConsentSection({ id }) {
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState('');
  const history = useLoad(() => api.get(`/api/v1/patients/${id}/consent`), [id]);
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    setError(null);
    try {
      await api.post(`/api/v1/patients/${id}/consent`, { consent: form.get('consent'), source: form.get('source'), on: form.get('on') });
      setNotice(t('recorded'));
      event.target.reset();
      history.reload();
    } catch (e) { setError(e); }
  };
  const word = (c) => t(`consent_${c}`);
  return html`<section aria-labelledby="h-consent"><h2 id="h-consent">${t('consent_share')}</h2>
    <${Notice} text=${notice}/><${ErrorMessage} error=${error || history.error}/>
    ${history.data && html`<p data-testid="consent-current">${t('consent_now')}: <strong>${word(history.data.current)}</strong></p>
      ${history.data.items.length > 0 && html`<table data-testid="consent-history"><thead><tr><th scope="col">${t('date')}</th>
        <th scope="col">${t('consent')}</th><th scope="col">${t('consent_source')}</th><th scope="col">${t('time')}</th></tr></thead>
        <tbody>${history.data.items.map((c) => html`<tr><td>${c.on}</td><td>${word(c.consent)}</td><td>${c.source}</td>
          <td>${c.recorded_at.replace('T', ' ').slice(0, 16)}</td></tr>`)}</tbody></table>`}`}
    <form class="inline" onSubmit=${submit} data-testid="consent-form">
      <label>${t('consent')} <select name="consent"><option value="given">${word('given')}</option>
        <option value="withdrawn">${word('withdrawn')}</option></select></label>
      <label>${t('consent_source')} <input name="source" required placeholder=${t('consent_source_hint')}/></label>
      <label>${t('date')} <input name="on" type="date" required value=${todayJst()}/></label>
      <button type="submit">${t('record')}</button></form></section>`;
}

function Search({ navigate }) {
  const [query, setQuery] = useState(null);
  const result = useLoad(() => (query ? api.get(`/api/v1/patients?${query}`) : null), [query]);
  const submit = (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(event.target)) if (String(v).trim()) params.set(k, String(v).trim());
    params.set('limit', '50');
    setQuery(params.toString());
  };
  return html`<h1>${t('patients_title')}</h1>
    <form class="search" onSubmit=${submit} role="search">
      ${['name', 'kana', 'hersys_id', 'phone', 'birth_date'].map((f) => html`<label>${t(f === 'kana' ? 'kana' : f)}<input name=${f}/></label>`)}
      <button type="submit">${t('search')}</button>
    </form>
    <${ErrorMessage} error=${result.error}/>
    ${result.data && html`<p aria-live="polite">${t('results', { n: result.data.total })}</p>
      <table><thead><tr>${['hersys_id', 'name', 'name_kana', 'birth_date', 'address', 'care_status'].map((f) => html`<th scope="col">${t(f === 'name_kana' ? 'kana' : f)}</th>`)}</tr></thead>
      <tbody>${api.items(result.data).map((p) => html`<tr>
        <td><a href="/patients/${p.id}" onClick=${(e) => { e.preventDefault(); navigate(`/patients/${p.id}`); }}>${p.hersys_id || `#${p.id}`}</a></td>
        <td>${p.name}</td><td>${p.name_kana}</td><td>${p.birth_date}</td><td>${p.address}</td><td>${p.care_status}</td></tr>`)}</tbody></table>`}`;
}

function Detail({ id, navigate, user }) {
  const patient = useLoad(() => api.get(`/api/v1/patients/${id}`), [id]);
  const events = useLoad(() => (api.has('GET', '/api/v1/patients/{id}/events') ? api.get(`/api/v1/patients/${id}/events`) : null), [id]);
  if (patient.loading) return html`<${Loading} when=${true}/>`;
  const p = patient.data;
  return html`<p><a href="/patients" onClick=${(e) => { e.preventDefault(); navigate('/patients'); }}>← ${t('back')}</a></p>
    <${ErrorMessage} error=${patient.error}/>
    ${p && html`<h1>${p.name || ''} <small>${p.hersys_id || ''}</small></h1>
      <dl class="facts">${SHOWN.filter((f) => f in p).map((f) => html`<dt>${t(f === 'municipality_code' ? 'municipality' : f === 'name_kana' ? 'kana' : f)}</dt><dd>${p[f] ?? '—'}</dd>`)}</dl>
      ${p.withheld_fields && html`<p class="muted">${t('withheld', { f: p.withheld_fields.join(', ') })}</p>`}
      <section aria-labelledby="h-tl"><h2 id="h-tl">${t('timeline')}</h2>
        ${events.data ? html`<ol class="timeline">${api.items(events.data).map((e) => html`<li>
          <time>${e.effective_on || e.on || e.date}</time> <strong>${e.kind_ja || e.kind || e.event}</strong>
          ${e.facility ? ` — ${e.facility}` : ''} <span class="muted">${e.source || ''}${e.batch_id ? ` (batch ${e.batch_id})` : ''}</span>
          ${e.conflict ? html` <span class="tag bad">${t('conflicts')}</span>` : ''}</li>`)}</ol>`
          : html`<ol class="timeline">${['notified_on', 'onset_on', 'diagnosed_on', 'care_start_on'].filter((f) => p[f]).map((f) => html`<li><time>${p[f]}</time> ${t(f)}</li>`)}</ol>`}
      </section>
      ${['admin', 'operator'].includes(user?.role) && api.has('GET', '/api/v1/patients/{id}/consent') && html`<${ConsentSection} id=${id}/>`}`}`;
}
