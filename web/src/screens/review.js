// Review (名寄せ確認): the incoming row beside its candidates, field by
// field, with the score's explanation; one key per decision, and undo.
import { useEffect, useState } from 'preact/hooks';
import { html, useLoad, ErrorMessage, Loading, Notice, Missing } from '../ui.js';
import { t, lang } from '../i18n.js';
import * as api from '../api.js';

const FIELDS = ['hersys_id', 'name', 'name_kana', 'birth_date', 'sex', 'phone', 'address'];
const norm = (v) => String(v ?? '').normalize('NFKC').replace(/[\s\u3000-]/g, '');

async function candidatesOf(item) {
  if (Array.isArray(item.candidates)) return item.candidates;
  if (api.has('GET', '/api/v1/review-items/{id}/candidates')) {
    return api.items(await api.get(`/api/v1/review-items/${item.id}/candidates`));
  }
  if (item.candidate_patient_id) {
    try { return [{ patient_id: item.candidate_patient_id, ...(await api.get(`/api/v1/patients/${item.candidate_patient_id}`)) }]; } catch { return []; }
  }
  return [];
}

export function Review() {
  const [index, setIndex] = useState(0);
  const [chosen, setChosen] = useState(0);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState(null);
  const [last, setLast] = useState(null);
  const queue = useLoad(() => api.get('/api/v1/review-items?limit=200'));
  const list = api.items(queue.data);
  const item = list[Math.min(index, Math.max(0, list.length - 1))];
  const cands = useLoad(() => (item ? candidatesOf(item) : []), [item?.id]);
  const candidates = cands.data || [];
  const canDecide = api.has('POST', '/api/v1/review-items/{id}/link');

  const decide = async (what) => {
    if (!item) return;
    const path = `/api/v1/review-items/${item.id}/${what}`;
    if (!api.has('POST', `/api/v1/review-items/{id}/${what}`)) { setNotice(t('decisions_missing')); return; }
    const body = what === 'link' ? { patient_id: candidates[chosen]?.patient_id } : {};
    if (what === 'link' && !body.patient_id) return;
    setError(null);
    try {
      await api.post(path, body);
      setLast(item.id);
      setNotice(t('decided', { what: t(what === 'link' ? 'link' : what === 'new' ? 'new_person' : 'reject_row') }));
      setChosen(0);
      queue.reload();
    } catch (e) { setError(e); }
  };
  const undo = async () => {
    const id = last;
    if (!id || !api.has('POST', '/api/v1/review-items/{id}/undo')) return;
    try { await api.post(`/api/v1/review-items/${id}/undo`, {}); setLast(null); setNotice(t('undone')); queue.reload(); }
    catch (e) { setError(e); }
  };

  useEffect(() => {
    const onKey = (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      if (['INPUT', 'TEXTAREA', 'SELECT'].includes(event.target.tagName)) return;
      const key = event.key.toLowerCase();
      const actions = { l: () => decide('link'), n: () => decide('new'), r: () => decide('reject'), u: undo,
        j: () => setIndex((i) => Math.min(i + 1, list.length - 1)), k: () => setIndex((i) => Math.max(i - 1, 0)) };
      if (actions[key]) { event.preventDefault(); actions[key](); return; }
      const n = Number(key);
      if (n >= 1 && n <= candidates.length) setChosen(n - 1);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  if (queue.loading && !queue.data) return html`<${Loading} when=${true}/>`;
  const row = item?.row || {};
  const cand = candidates[chosen];
  return html`<h1>${t('review_title')}</h1>
    <p class="keys" id="review-keys">${t('review_keys')}</p>
    <${ErrorMessage} error=${queue.error || error}/>
    <${Notice} text=${notice}/>
    ${!canDecide && html`<${Missing} path="POST /api/v1/review-items/{id}/link"/>`}
    ${!item ? html`<p class="message ok" data-testid="review-empty">${t('review_empty')}</p>` : html`
      <p aria-live="polite" data-testid="review-position">${t('review_of', { i: Math.min(index, list.length - 1) + 1, n: queue.data.total ?? list.length })}${'　'}${t('reason')}: ${lang.get() === 'en' ? item.reason_en : item.reason}</p>
      ${candidates.length > 1 && html`<div role="radiogroup" aria-label=${t('candidate', { n: '' })} class="chooser">
        ${candidates.map((c, i) => html`<label><input type="radio" name="cand" checked=${i === chosen} onChange=${() => setChosen(i)}/>
          ${t('candidate', { n: i + 1 })} (${t('score')} ${c.score?.toFixed ? c.score.toFixed(1) : c.score ?? '—'})</label>`)}</div>`}
      <table class="compare" data-testid="compare"><caption class="visually-hidden">${t('incoming')} / ${t('candidate', { n: chosen + 1 })}</caption>
        <thead><tr><th scope="col">${t('field')}</th><th scope="col">${t('incoming')}</th>
          <th scope="col">${cand ? t('candidate', { n: chosen + 1 }) : t('no_candidates')}</th><th scope="col">${t('score')}</th></tr></thead>
        <tbody>${FIELDS.map((f) => {
          const a = row[f]; const b = cand?.[f];
          const differs = cand && norm(a) !== norm(b) && (a || b);
          const ev = (cand?.fields || []).find((x) => x.field === f);
          return html`<tr class=${differs ? 'differs' : ''}><th scope="row">${t(f)}</th><td>${a ?? '—'}</td>
            <td>${b ?? '—'} ${differs ? html`<span class="tag bad">${t('diff')}</span>` : cand && html`<span class="tag good">${t('same')}</span>`}</td>
            <td>${ev ? html`${ev.weight?.toFixed ? ev.weight.toFixed(1) : ev.weight} <small>${lang.get() === 'en' ? ev.en : ev.ja}</small>` : ''}</td></tr>`;
        })}</tbody></table>
      ${Object.keys(row).some((k) => !FIELDS.includes(k) && row[k]) && html`<dl class="facts" aria-label=${t('incoming')}>
        ${Object.entries(row).filter(([k, v]) => !FIELDS.includes(k) && v).map(([k, v]) => html`<dt>${t(k)}</dt><dd>${String(v)}</dd>`)}</dl>`}
      ${cand?.vetoes?.length > 0 && html`<ul class="message warn">${cand.vetoes.map((v) => html`<li>${v.ja}</li>`)}</ul>`}
      ${cand && cand.score !== undefined && html`<p>${t('score')}: <strong>${Number(cand.score).toFixed(1)}</strong></p>`}
      <div class="actions" aria-describedby="review-keys">
        <button type="button" onClick=${() => decide('link')} disabled=${!cand} data-testid="link"><kbd>L</kbd> ${t('link')}</button>
        <button type="button" onClick=${() => decide('new')} data-testid="new"><kbd>N</kbd> ${t('new_person')}</button>
        <button type="button" onClick=${() => decide('reject')} data-testid="reject"><kbd>R</kbd> ${t('reject_row')}</button>
        <button type="button" onClick=${undo} disabled=${!last} data-testid="undo"><kbd>U</kbd> ${t('undo')}</button>
        <button type="button" onClick=${() => setIndex((i) => Math.max(i - 1, 0))}><kbd>K</kbd> ${t('prev')}</button>
        <button type="button" onClick=${() => setIndex((i) => Math.min(i + 1, list.length - 1))}><kbd>J</kbd> ${t('next')}</button>
      </div>`}`;
}
