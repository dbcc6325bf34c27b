// A small SVG line chart: one or more series over dates, with axis labels
// and a text summary for screen readers. No library, works offline.
import { html } from './ui.js';
import { t } from './i18n.js';

const COLORS = ['#1f5fa8', '#c0392b', '#2e8b57', '#b8860b', '#6a3d9a', '#555'];

export function LineChart({ title, dates, series, height = 180 }) {
  if (!dates || dates.length === 0) {
    return html`<figure class="chart"><figcaption>${title}</figcaption><p class="muted">${t('chart_empty')}</p></figure>`;
  }
  const width = 560;
  const pad = { l: 48, r: 8, t: 8, b: 22 };
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const x = (i) => pad.l + (dates.length === 1 ? 0 : (i * (width - pad.l - pad.r)) / (dates.length - 1));
  const y = (v) => height - pad.b - (v * (height - pad.t - pad.b)) / max;
  const ticks = [0, max / 2, max].map((v) => Math.round(v));
  const summary = series
    .map((s) => `${s.name}: ${s.values[s.values.length - 1] ?? 0}`)
    .join('、');
  return html`<figure class="chart">
    <figcaption>${title}</figcaption>
    <svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${title}: ${dates[0]}〜${dates[dates.length - 1]}、${summary}">
      ${ticks.map((v) => html`<g><line x1=${pad.l} x2=${width - pad.r} y1=${y(v)} y2=${y(v)} class="grid"/>
        <text x=${pad.l - 4} y=${y(v) + 4} text-anchor="end" class="axis">${v.toLocaleString('ja-JP')}</text></g>`)}
      <text x=${pad.l} y=${height - 4} class="axis">${dates[0]}</text>
      <text x=${width - pad.r} y=${height - 4} text-anchor="end" class="axis">${dates[dates.length - 1]}</text>
      ${series.map((s, k) => html`<polyline fill="none" stroke=${COLORS[k % COLORS.length]} stroke-width="2"
        points=${s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}/>`)}
    </svg>
    ${series.length > 1 && html`<ul class="legend">${series.map((s, k) => html`<li>
      <span class="swatch" style="background:${COLORS[k % COLORS.length]}"></span>${s.name}</li>`)}</ul>`}
  </figure>`;
}
