// Municipality portal (市区町村): its own packages (download, acknowledge) and
// its contact and support records. Nothing else is offered to this role; the
// server refuses the rest anyway.
import { useState } from 'preact/hooks';
import { html, useLoad, ErrorMessage, Loading, Notice, Missing, shortTime } from '../ui.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { PackageTable } from './packages.js';

const KINDS = ['lm_contacted', 'lm_unreachable', 'lm_meals', 'lm_oximeter', 'lm_worse', 'lm_other'];

export function Municipality({ user }) {
  const [notice, setNotice] = useState('');
  const [error, setError] = useState(null);
  const list = useLoad(() => (api.has('GET', '/api/v1/packages')
    ? api.get(`/api/v1/packages?municipality=${encodeURIComponent(user.scope)}&limit=200`) : null));
  const records = useLoad(() => (api.has('GET', '/api/v1/lastmile') ? api.get('/api/v1/lastmile') : null));
  const ack = async (p) => {
    setError(null);
    try { await api.post(`/api/v1/packages/${encodeURIComponent(p.id)}/acknowledge`, {}); setNotice(t('acked_msg')); list.reload(); }
    catch (e) { setError(e); }
  };
  const record = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    setError(null);
    try {
      await api.post('/api/v1/lastmile', { ref: form.get('ref'), package_id: form.get('package_id') || undefined,
        on: form.get('on'), kind: t(form.get('kind')), note: form.get('note') });
      setNotice(t('recorded'));
      event.target.reset();
      records.reload();
    } catch (e) { setError(e); }
  };
  const packages = api.items(list.data);
  return html`<h1>${t('muni_title')} <small>${user.display_name || ''} ${user.scope}</small></h1>
    <${Notice} text=${notice}/><${ErrorMessage} error=${error || list.error}/><${Loading} when=${list.loading}/>
    ${!api.has('GET', '/api/v1/packages') ? html`<${Missing} path="GET /api/v1/packages"/>`
      : html`<${PackageTable} packages=${packages} onAck=${ack} onError=${setError}/>`}
    <section aria-labelledby="h-lm"><h2 id="h-lm">${t('lastmile_title')}</h2>
      ${!api.has('POST', '/api/v1/lastmile') ? html`<${Missing} path="POST /api/v1/lastmile"/>` : html`
      <form onSubmit=${record} class="inline" data-testid="lastmile">
        <label>${t('ref')} <input name="ref" required/></label>
        <label>${t('package')} <select name="package_id"><option value=""></option>${packages.map((p) => html`<option>${p.id}</option>`)}</select></label>
        <label>${t('date')} <input name="on" type="date" required value=${new Date().toISOString().slice(0, 10)}/></label>
        <label>${t('kind')} <select name="kind">${KINDS.map((k) => html`<option value=${k}>${t(k)}</option>`)}</select></label>
        <label>${t('note')} <input name="note"/></label>
        <button type="submit">${t('record')}</button>
      </form>`}
      ${records.data && html`<table><thead><tr><th scope="col">${t('date')}</th><th scope="col">${t('ref')}</th>
        <th scope="col">${t('kind')}</th><th scope="col">${t('note')}</th><th scope="col">${t('time')}</th></tr></thead>
        <tbody>${api.items(records.data).map((r) => html`<tr><td>${r.on}</td><td>${r.ref}</td><td>${r.kind}</td>
          <td>${r.note}</td><td>${shortTime(r.recorded_at)}</td></tr>`)}</tbody></table>`}
    </section>`;
}
