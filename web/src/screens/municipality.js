// Municipality portal (市区町村): its own packages (download, acknowledge), the
// residents of a package with a form to record a contact result or support
// for each (連絡済, 不通, 配食, …; 体調悪化 and repeated 不通 alert the health
// center), a sheet upload for many at once, and its own records. Nothing
// else is offered to this role; the server refuses the rest anyway.
import { useRef, useState } from 'preact/hooks';
import { html, useLoad, ErrorMessage, Loading, Notice, Missing, shortTime, num } from '../ui.js';
import { t, errorText } from '../i18n.js';
import * as api from '../api.js';
import { PackageTable, downloadPath } from './packages.js';

// The server's kinds (Japanese, as stored) → the label key in i18n.js.
export const KIND_KEYS = {
  連絡済: 'lm_contacted', 不通: 'lm_unreachable', 配食: 'lm_meals',
  パルスオキシメーター貸与: 'lm_oximeter', 体調悪化: 'lm_worse', 要連絡: 'lm_call_back',
};
export const kindLabel = (kind) => (KIND_KEYS[kind] ? t(KIND_KEYS[kind]) : kind);

function todayJst() {
  return new Date(Date.now() + 9 * 3600 * 1000).toISOString().slice(0, 10);
}

// The residents of one package (its JSON file: ref, change, agreed values).
function Residents({ pkg, latest, onPick }) {
  const rows = useLoad(() => api.get(downloadPath(pkg.id, 'json')), [pkg.id]);
  if (rows.loading) return html`<${Loading} when=${true}/>`;
  if (rows.error) return html`<${ErrorMessage} error=${rows.error}/>`;
  const columns = (rows.data?.columns || []).filter((c) => c.key !== 'ref').slice(0, 4);
  const list = rows.data?.rows || [];
  return html`<table data-testid="residents"><caption class="visually-hidden">${t('residents_of', { id: pkg.id })}</caption>
    <thead><tr><th scope="col">${t('ref')}</th><th scope="col">${t('change')}</th>
      ${columns.map((c) => html`<th scope="col">${c.label}</th>`)}
      <th scope="col">${t('last_record')}</th><th scope="col"><span class="visually-hidden">${t('record')}</span></th></tr></thead>
    <tbody>${list.map((r) => {
      const last = latest.get(r.ref);
      return html`<tr data-ref=${r.ref}><td>${r.ref}</td><td>${r.change}${r.reason ? `（${r.reason}）` : ''}</td>
        ${columns.map((c) => html`<td>${r.values?.[c.key] ?? ''}</td>`)}
        <td>${last ? `${last.on} ${kindLabel(last.kind)}` : '—'}</td>
        <td>${r.change !== '終了' && html`<button type="button" data-testid="pick" onClick=${() => onPick(r.ref)}
          aria-label=${t('record_for', { ref: r.ref })}>${t('record')}</button>`}</td></tr>`;
    })}</tbody></table>
    ${list.length === 0 && html`<p class="muted">${t('none')}</p>`}`;
}

function SheetUpload({ onDone, onError }) {
  const [report, setReport] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    if (!form.get('file')?.name) return;
    setBusy(true);
    onError(null);
    try {
      setReport(await api.post('/api/v1/lastmile/upload', form));
      event.target.reset();
      onDone();
    } catch (e) { onError(e); } finally { setBusy(false); }
  };
  return html`<form class="inline" onSubmit=${submit} data-testid="lastmile-upload">
      <label>${t('lm_sheet')} <input type="file" name="file" accept=".csv,.xlsx,text/csv" required/></label>
      <button type="submit" disabled=${busy}>${t('upload_sheet')}</button>
      <span class="muted">${t('lm_sheet_hint')}</span></form>
    ${report && html`<${ImportReport} report=${report}/>`}`;
}

// The counts of a sheet import and its rejected rows.
export function ImportReport({ report }) {
  return html`<div role="status" data-testid="import-report">
    <p class=${report.rejected > 0 ? 'message warn' : 'message ok'}>${t('sheet_result', {
      recorded: num(report.recorded), rejected: num(report.rejected), format: report.format, encoding: report.encoding })}
      ${report.alerts > 0 ? ' ' + t('alerts_raised', { n: report.alerts }) : ''}</p>
    ${report.errors?.length > 0 && html`<table><thead><tr><th scope="col">${t('line')}</th><th scope="col">${t('reason')}</th></tr></thead>
      <tbody>${report.errors.map((e) => html`<tr><td class="n">${e.line}</td><td>${errorText(e)}
        ${e.context ? html` <span class="muted">（${e.context}）</span>` : ''}</td></tr>`)}</tbody></table>`}</div>`;
}

export function Municipality({ user }) {
  const [notice, setNotice] = useState('');
  const [error, setError] = useState(null);
  const [picked, setPicked] = useState('');
  const [shown, setShown] = useState('');
  const refInput = useRef(null);
  const kindSelect = useRef(null);
  const list = useLoad(() => (api.has('GET', '/api/v1/packages')
    ? api.get(`/api/v1/packages?municipality=${encodeURIComponent(user.scope)}&limit=200`) : null));
  const records = useLoad(() => (api.has('GET', '/api/v1/lastmile') ? api.get('/api/v1/lastmile?limit=200') : null));
  const kinds = useLoad(() => (api.has('GET', '/api/v1/lastmile/kinds') ? api.get('/api/v1/lastmile/kinds')
    : { items: Object.keys(KIND_KEYS) }));
  const ack = async (p) => {
    setError(null);
    try { await api.post(`/api/v1/packages/${encodeURIComponent(p.id)}/acknowledge`, {}); setNotice(t('acked_msg')); list.reload(); }
    catch (e) { setError(e); }
  };
  const pick = (ref) => {
    setPicked(ref);
    if (refInput.current) refInput.current.value = ref;
    kindSelect.current?.focus();
  };
  const record = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    setError(null);
    setNotice('');
    try {
      const made = await api.post('/api/v1/lastmile', { ref: form.get('ref'), on: form.get('on'),
        kind: form.get('kind'), note: form.get('note') });
      setNotice(made.alert_raised ? t('recorded_alert', { ref: made.ref }) : t('recorded_ref', { ref: made.ref }));
      event.target.reset();
      setPicked('');
      records.reload();
    } catch (e) { setError(e); }
  };
  const packages = api.items(list.data);
  const entries = api.items(records.data);
  // Newest record per ref (the list is newest first).
  const latest = new Map();
  for (const r of entries) if (!latest.has(r.ref)) latest.set(r.ref, r);
  const shownPackage = packages.find((p) => p.id === shown) || null;
  return html`<h1>${t('muni_title')} <small>${user.display_name || ''} ${user.scope}</small></h1>
    <${Notice} text=${notice}/><${ErrorMessage} error=${error || list.error}/><${Loading} when=${list.loading}/>
    ${!api.has('GET', '/api/v1/packages') ? html`<${Missing} path="GET /api/v1/packages"/>`
      : html`<${PackageTable} packages=${packages} onAck=${ack} onError=${setError}/>`}
    <section aria-labelledby="h-lm"><h2 id="h-lm">${t('lastmile_title')}</h2>
      ${!api.has('POST', '/api/v1/lastmile') ? html`<${Missing} path="POST /api/v1/lastmile"/>` : html`
      <form class="inline" onSubmit=${(e) => { e.preventDefault(); setShown(new FormData(e.target).get('package')); }}>
        <label>${t('package')} <select name="package" data-testid="resident-package">
          ${packages.map((p) => html`<option value=${p.id}>${p.id}（${num(p.rows)} ${t('rows')}）</option>`)}</select></label>
        <button type="submit" disabled=${packages.length === 0} data-testid="show-residents">${t('show_residents')}</button></form>
      ${shownPackage && html`<${Residents} pkg=${shownPackage} latest=${latest} onPick=${pick}/>`}
      <form onSubmit=${record} class="inline" data-testid="lastmile" aria-label=${t('lastmile_form')}>
        <label>${t('ref')} <input name="ref" required ref=${refInput} value=${picked} autocomplete="off"/></label>
        <label>${t('date')} <input name="on" type="date" required value=${todayJst()}/></label>
        <label>${t('kind')} <select name="kind" ref=${kindSelect} data-testid="kind">
          ${api.items(kinds.data).map((k) => html`<option value=${k}>${kindLabel(k)}</option>`)}</select></label>
        <label>${t('note')} <input name="note" maxlength="300" size="30"/></label>
        <button type="submit">${t('record')}</button>
      </form>
      <p class="muted">${t('lm_alert_hint')}</p>
      ${api.has('POST', '/api/v1/lastmile/upload') && html`<${SheetUpload} onDone=${records.reload} onError=${setError}/>`}`}
      <h3>${t('my_records')}</h3>
      ${records.data && html`<table data-testid="lastmile-records"><thead><tr><th scope="col">${t('date')}</th><th scope="col">${t('ref')}</th>
        <th scope="col">${t('kind')}</th><th scope="col">${t('note')}</th><th scope="col">${t('recorded_by')}</th><th scope="col">${t('time')}</th></tr></thead>
        <tbody>${entries.map((r) => html`<tr><td>${r.on}</td><td>${r.ref}</td><td>${kindLabel(r.kind)}</td>
          <td>${r.note}</td><td>${r.recorded_by}</td><td>${shortTime(r.recorded_at)}</td></tr>`)}</tbody></table>`}
      ${records.data && entries.length === 0 && html`<p class="muted">${t('none')}</p>`}
    </section>`;
}
