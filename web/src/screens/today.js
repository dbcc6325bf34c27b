// Today (ダッシュボード): what came in, what needs the operator, what went out.
import { html, useLoad, ErrorMessage, Loading, num, shortTime } from '../ui.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { LineChart } from '../chart.js';

const today = () => new Date().toISOString().slice(0, 10);

async function optional(method, template, path) {
  if (!api.has(method, template)) return null;
  try { return await api.get(path); } catch { return null; }
}

// The charts read the materialized figures (GET /api/v1/stats/daily and
// /api/v1/stats/census, the last 90 days the store has figures for).
// Daily: new cases by notification date and their 7-day average.
export function dailySeries(data) {
  const rows = api.items(data);
  return {
    dates: rows.map((r) => r.date),
    series: [
      { name: t('series_new_cases'), values: rows.map((r) => r.total ?? 0) },
      { name: t('series_average7'), values: rows.map((r) => Math.round((r.average7 ?? 0) * 10) / 10) },
    ],
  };
}

// Census: the statuses still in care (死亡 and 療養解除 are cumulative and
// would flatten the rest).
const CENSUS_SLOTS = ['hospitalized', 'severe', 'lodging', 'home_recuperation', 'arranging'];
export function censusSeries(data) {
  const rows = api.items(data);
  return {
    dates: rows.map((r) => r.date),
    series: CENSUS_SLOTS.map((slot) => ({
      name: t(`census_${slot}`),
      values: rows.map((r) => (r.by_status && r.by_status[slot]) ?? 0),
    })),
  };
}

export function Today({ navigate }) {
  const { data, error, loading } = useLoad(async () => {
    const day = today();
    const [batches, review, packages, alerts, daily, census, conflicts] = await Promise.all([
      api.get('/api/v1/batches?limit=200'),
      api.get('/api/v1/review-items?limit=1'),
      optional('GET', '/api/v1/packages', '/api/v1/packages?unacknowledged=true&limit=200'),
      optional('GET', '/api/v1/alerts', '/api/v1/alerts'),
      optional('GET', '/api/v1/stats/daily', '/api/v1/stats/daily?last=90'),
      optional('GET', '/api/v1/stats/census', '/api/v1/stats/census?last=90'),
      optional('GET', '/api/v1/conflicts', '/api/v1/conflicts?limit=1'),
    ]);
    const todays = api.items(batches).filter((b) => String(b.started_at || '').slice(0, 10) === day);
    return { todays, review, packages, alerts, daily, census, conflicts };
  });
  if (loading && !data) return html`<${Loading} when=${true}/>`;
  if (error) return html`<${ErrorMessage} error=${error}/>`;
  const unacked = data.packages ? api.items(data.packages).filter((p) => !p.acknowledged_at) : null;
  const alerts = data.alerts ? api.items(data.alerts) : null;
  const daily = dailySeries(data.daily);
  const census = censusSeries(data.census);
  const tile = (label, value, testid, action) => html`<section class="tile" aria-label=${label} data-testid=${testid}>
    <h2>${label}</h2><p class="big">${value === null ? '—' : num(value)}</p>${action}</section>`;
  const conflicts = data.conflicts ? (data.conflicts.total ?? api.items(data.conflicts).length) : null;
  return html`<h1>${t('today_title')}</h1>
    <div class="tiles">
      ${tile(t('batches_today'), data.todays.length, 'tile-batches')}
      ${tile(t('review_queue'), data.review?.total ?? 0, 'tile-review',
        html`<button type="button" onClick=${() => navigate('/review')}>${t('open_review')}</button>`)}
      ${tile(t('conflicts'), conflicts, 'tile-conflicts')}
      ${tile(t('unacked'), unacked ? unacked.length : null, 'tile-unacked',
        html`<button type="button" onClick=${() => navigate('/packages')}>${t('nav_packages')}</button>`)}
      ${tile(t('alerts'), alerts ? alerts.length : null, 'tile-alerts')}
    </div>
    <section aria-labelledby="h-batches"><h2 id="h-batches">${t('batches_today')}</h2>
      ${data.todays.length === 0 ? html`<p class="muted">${t('none')}</p>` : html`<${BatchTable} batches=${data.todays}/>`}
    </section>
    ${alerts && alerts.length > 0 && html`<section aria-labelledby="h-alerts"><h2 id="h-alerts">${t('alerts')}</h2>
      <ul data-testid="alerts">${alerts.slice(0, 20).map((a) => html`<li>${a.on || a.raised_at} ${a.municipality_name || a.municipality_code6 || ''} — ${a.message_ja || a.message || a.kind}</li>`)}</ul></section>`}
    <div class="charts">
      <${LineChart} title=${t('chart_new')} dates=${daily.dates} series=${daily.series}/>
      <${LineChart} title=${t('chart_census')} dates=${census.dates} series=${census.series}/>
    </div>`;
}

export function BatchTable({ batches }) {
  return html`<table><thead><tr><th scope="col">${t('time')}</th><th scope="col">${t('file')}</th>
    <th scope="col">${t('profile')}</th><th scope="col" class="n">${t('rows')}</th><th scope="col" class="n">${t('accepted')}</th>
    <th scope="col" class="n">${t('merged')}</th><th scope="col" class="n">${t('review')}</th><th scope="col" class="n">${t('rejected')}</th></tr></thead>
    <tbody>${batches.map((b) => html`<tr><td>${shortTime(b.started_at)}</td><td>${b.file}</td><td>${b.profile}</td>
      <td class="n">${num(b.rows)}</td><td class="n">${num(b.accepted)}</td><td class="n">${num(b.merged)}</td>
      <td class="n">${num(b.review)}</td><td class="n ${b.rejected ? 'bad' : ''}">${num(b.rejected)}</td></tr>`)}</tbody></table>`;
}
