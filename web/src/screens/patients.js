// Patient (患者): search, then one patient's facts and timeline.
import { useState } from 'preact/hooks';
import { html, useLoad, ErrorMessage, Loading } from '../ui.js';
import { t } from '../i18n.js';
import * as api from '../api.js';

const SHOWN = ['hersys_id', 'name', 'name_kana', 'sex', 'birth_date', 'address', 'municipality_code', 'phone',
  'notified_on', 'onset_on', 'diagnosed_on', 'care_start_on', 'health_center', 'severity', 'care_status'];

export function Patients({ path, navigate }) {
  const id = path.split('/')[2];
  return id ? html`<${Detail} id=${id} navigate=${navigate}/>` : html`<${Search} navigate=${navigate}/>`;
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

function Detail({ id, navigate }) {
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
      </section>`}`;
}
