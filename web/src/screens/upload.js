// Upload (取込): drop a file, watch the import job, see the counts and get
// the reject report.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html, useLoad, ErrorMessage, num, describeError } from '../ui.js';
import { t, errorText } from '../i18n.js';
import * as api from '../api.js';
import { BatchTable } from './today.js';

const PROFILES = ['auto', 'hersys', 'updates', 'press', 'opendata'];

export function Upload({ user }) {
  const [file, setFile] = useState(null);
  const [over, setOver] = useState(false);
  const [job, setJob] = useState(null);
  const [error, setError] = useState(null);
  const input = useRef();
  const prefecture = user.role === 'admin' || user.role === 'operator';
  const recent = useLoad(() => (prefecture ? api.get('/api/v1/batches?limit=10') : null), [job?.state]);

  useEffect(() => {
    if (!job || job.state === 'done' || job.state === 'failed') return undefined;
    const timer = setTimeout(async () => {
      try { setJob(await api.get(`/api/v1/jobs/${job.id}`)); } catch (e) { setError(e); }
    }, 400);
    return () => clearTimeout(timer);
  }, [job]);

  const submit = async (event) => {
    event.preventDefault();
    if (!file) return;
    const form = new FormData(event.target);
    const body = new FormData();
    body.append('source', form.get('source') || '');
    body.append('profile', form.get('profile') || 'auto');
    body.append('file', file, file.name);
    setError(null);
    setJob(null);
    try {
      const accepted = await api.call('POST', '/api/v1/batches', body);
      setJob({ id: accepted.job_id, state: 'queued', rows: 0, file: accepted.file });
    } catch (e) { setError(e); }
  };
  const drop = (event) => {
    event.preventDefault();
    setOver(false);
    if (event.dataTransfer.files.length) setFile(event.dataTransfer.files[0]);
  };
  const report = job?.report;
  const busy = job && job.state !== 'done' && job.state !== 'failed';
  const percent = job?.total_bytes ? Math.round((100 * job.bytes_read) / job.total_bytes) : null;
  return html`<h1>${t('upload_title')}</h1>
    <form onSubmit=${submit} class="upload">
      <div class="drop ${over ? 'over' : ''}" onDragOver=${(e) => { e.preventDefault(); setOver(true); }}
        onDragLeave=${() => setOver(false)} onDrop=${drop} data-testid="drop">
        <p>${t('drop_here')} <button type="button" onClick=${() => input.current.click()}>${t('choose_file')}</button></p>
        <input ref=${input} type="file" accept=".csv,.xlsx,.txt" class="visually-hidden" aria-label=${t('choose_file')}
          data-testid="file" onChange=${(e) => setFile(e.target.files[0] || null)}/>
        ${file && html`<p class="filename" aria-live="polite">${file.name}（${num(file.size)} bytes）</p>`}
      </div>
      ${prefecture && html`<label>${t('source')} <input name="source" placeholder=${t('source_hint')}/></label>`}
      <label>${t('profile')} <select name="profile">${PROFILES.map((p) => html`<option value=${p}>${p === 'auto' ? t('profile_auto') : p}</option>`)}</select></label>
      <button type="submit" disabled=${!file || busy} data-testid="import">${t('start_import')}</button>
    </form>
    <${ErrorMessage} error=${error}/>
    ${job && html`<section aria-live="polite" class="job" data-testid="job" data-state=${job.state}>
      ${busy && html`<p>${t('importing', { rows: num(job.rows) })}</p>
        <progress max="100" value=${percent ?? undefined} aria-label=${t('importing', { rows: job.rows })}></progress>`}
      ${job.state === 'failed' && html`<p class="message error" role="alert">${t('import_failed')}: ${errorText(job.error)}</p>`}
      ${job.state === 'done' && report && html`
        <h2>${t('import_done')}: ${String(report.file).split('/').pop()}</h2>
        ${report.duplicate_file && html`<p class="message warn">${t('duplicate')}</p>`}
        <dl class="facts">
          <dt>${t('profile')}</dt><dd data-testid="profile">${report.profile}</dd>
          <dt>${t('encoding')}</dt><dd data-testid="encoding">${report.encoding}</dd>
        </dl>
        <div class="tiles">
          ${[['rows', report.rows], ['accepted', report.accepted], ['merged', report.merged], ['review', report.review], ['rejected', report.rejected]]
            .map(([k, v]) => html`<section class="tile" data-testid=${'count-' + k}><h3>${t(k)}</h3><p class="big">${num(v)}</p></section>`)}
        </div>
        ${prefecture && report.rejected > 0 && html`<p><button type="button" data-testid="rejects"
          onClick=${() => api.download(`/api/v1/batches/${report.batch_id}/rejects.csv`).catch(setError)}>${t('download_rejects')}</button></p>`}`}
    </section>`}
    ${prefecture && html`<section aria-labelledby="h-recent"><h2 id="h-recent">${t('recent_batches')}</h2>
      ${recent.error ? html`<p class="message error">${describeError(recent.error)}</p>`
        : html`<${BatchTable} batches=${api.items(recent.data)}/>`}</section>`}`;
}
