// Packages (配信): the operator builds the day's municipal packages and sees
// which are not yet acknowledged. PackageTable is shared with the
// municipality portal.
import { useState } from 'preact/hooks';
import { html, useLoad, ErrorMessage, Loading, Notice, Missing, num, shortTime } from '../ui.js';
import { t } from '../i18n.js';
import * as api from '../api.js';

// The download path of one format, whichever form the server documents.
export function downloadPath(id, format) {
  const enc = encodeURIComponent(id);
  if (api.has('GET', '/api/v1/packages/{id}/download')) return `/api/v1/packages/${enc}/download?format=${format}`;
  if (api.has('GET', '/api/v1/packages/{id}/files/{format}')) return `/api/v1/packages/${enc}/files/${format}`;
  if (api.has('GET', '/api/v1/packages/{id}/{format}')) return `/api/v1/packages/${enc}/${format}`;
  if (api.has('GET', `/api/v1/packages/{id}.${format}`)) return `/api/v1/packages/${enc}.${format}`;
  return `/api/v1/packages/${enc}/download?format=${format}`;
}

const counts = (p) => p.counts || (p.counts_json ? JSON.parse(p.counts_json) : {});

export function PackageTable({ packages, onAck, onError, showMunicipality }) {
  return html`<table data-testid="packages"><thead><tr><th scope="col">${t('package')}</th>
    ${showMunicipality && html`<th scope="col">${t('municipality')}</th>`}<th scope="col">${t('cutoff')}</th>
    <th scope="col" class="n">${t('rows')}</th><th scope="col" class="n">${t('new_rows')}</th><th scope="col" class="n">${t('changed_rows')}</th>
    <th scope="col" class="n">${t('ended_rows')}</th><th scope="col">${t('acknowledged')}</th><th scope="col">${t('download')}</th></tr></thead>
    <tbody>${packages.map((p) => {
      const c = counts(p);
      return html`<tr data-package=${p.id}><td>${p.id}</td>
        ${showMunicipality && html`<td>${p.municipality_name || ''} ${p.municipality_code6 || p.municipality_code || ''}</td>`}
        <td>${shortTime(p.cutoff)}</td><td class="n">${num(p.rows)}</td><td class="n">${num(c.new)}</td>
        <td class="n">${num(c.changed)}</td><td class="n">${num(c.ended)}</td>
        <td>${p.acknowledged_at ? html`<span class="tag good">${t('ack_yes')}</span> ${shortTime(p.acknowledged_at)}`
          : html`<span class="tag bad">${t('ack_no')}</span> ${onAck && html`<button type="button" data-testid="ack"
            onClick=${() => onAck(p)}>${t('acknowledge')}</button>`}`}</td>
        <td class="buttons">${['csv', 'xlsx', 'json'].map((f) => html`<button type="button" data-testid=${'dl-' + f}
          aria-label="${p.id} ${f.toUpperCase()} ${t('download')}"
          onClick=${() => api.download(downloadPath(p.id, f)).catch(onError)}>${f.toUpperCase()}</button>`)}</td></tr>`;
    })}</tbody></table>`;
}

export function Packages() {
  const [notice, setNotice] = useState('');
  const [error, setError] = useState(null);
  const list = useLoad(() => (api.has('GET', '/api/v1/packages') ? api.get('/api/v1/packages?limit=200') : null));
  const canBuild = api.has('POST', '/api/v1/packages');
  const build = async (event) => {
    event.preventDefault();
    const cutoff = new FormData(event.target).get('cutoff');
    setError(null);
    try {
      const made = await api.post('/api/v1/packages', cutoff ? { cutoff } : {});
      setNotice(t('issued_msg', { n: api.items(made?.packages ?? made).length }));
      list.reload();
    } catch (e) { setError(e); }
  };
  return html`<h1>${t('packages_title')}</h1>
    ${canBuild ? html`<form onSubmit=${build} class="inline">
      <label>${t('cutoff')} <input name="cutoff" type="datetime-local"/></label>
      <button type="submit" data-testid="build">${t('issue_packages')}</button></form>`
      : html`<${Missing} path="POST /api/v1/packages"/>`}
    <${Notice} text=${notice}/><${ErrorMessage} error=${error || list.error}/>
    <${Loading} when=${list.loading}/>
    ${!api.has('GET', '/api/v1/packages') ? html`<${Missing} path="GET /api/v1/packages"/>`
      : list.data && html`<${PackageTable} packages=${api.items(list.data)} onError=${setError} showMunicipality=${true}/>`}`;
}
