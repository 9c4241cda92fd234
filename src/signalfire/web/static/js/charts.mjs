// Charts in Vega-Lite, embedded with Vega's expression interpreter (no eval: strict CSP).
//   .chart[data-series]: monthly bars by category or source, fetched from /api/v1/series
//   .chart[data-lines]:  one line per country, from a <script type="application/json"> block in the page
//   .chart[data-bars]:   horizontal bars (e.g. deaths by admin1), from a JSON block
// Counts get integer axes (no tick at 0.2 events, no "0.000000"); a chart with nothing to draw says so instead.
import { expressionInterpreter } from '/static/vendor/vega-interpreter.mjs';
import { vegaLocale } from '/static/js/format.mjs';
import { embed as embedChart } from '/static/js/export.mjs';

// neighbouring colours differ in hue (lines of 3–4 countries stay apart: orange, blue, green, purple, …)
const PALETTE = ['#c2410c', '#1f5fa8', '#17683f', '#7a1848', '#8a5300', '#4b2a87', '#475467', '#0e7490', '#b42318', '#0b5130'];
const CONFIG = { font: 'system-ui, sans-serif', background: '#ffffff', view: { stroke: null },
  axis: { grid: true, gridColor: '#eef0f3', domainColor: '#c5cdd6', labelColor: '#475467', titleColor: '#475467' },
  legend: { labelColor: '#475467' } };
// whole numbers with thousands separators; the scale's ticks stay on whole numbers
const COUNT_AXIS = { format: ',d', tickMinStep: 1 };
// the charts' words in the page's language (_chart_scripts.html): category labels, tooltip titles
const TEXT = (() => { try { return JSON.parse(document.getElementById('chart-text')?.textContent || '{}'); } catch (e) { return {}; } })();

function empty(el, message) {
  const p = Object.assign(document.createElement('p'), { className: 'empty-chart', textContent: message || 'No events in this period.' });
  el.replaceChildren(p);
  el.style.minHeight = '0';     // the message alone: no 260 px blank box under it
  el.dataset.rendered = 'empty';
}

async function embed(el, spec) {
  await embedChart(el, { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: CONFIG, ...spec },
    { ...vegaLocale(), actions: false, renderer: 'svg', ast: true, expr: expressionInterpreter });
  el.dataset.rendered = 'true';
}

async function seriesChart(el) {
  const field = el.dataset.field || 'events';
  const response = await fetch(el.dataset.series, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`${response.status}`);
  const labels = el.dataset.series.includes('by=category') ? (TEXT.labels || {}) : {};
  const rows = (await response.json()).data.map((r) => ({ ...r, series: labels[r.series] || r.series }));
  if (!rows.length || !rows.some((r) => r[field] > 0)) { empty(el, el.dataset.empty); return; }
  // the legend in columns, the chart grown by its rows: in one row a phone cut the labels ("przer…")
  const columns = el.clientWidth < 600 ? 2 : 4;
  const legendRows = Math.ceil(new Set(rows.map((r) => r.series)).size / columns);
  await embed(el, {
    width: 'container', height: 240 + Math.max(0, legendRows - 1) * 18, autosize: { type: 'fit', contains: 'padding' },
    data: { values: rows },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'month', type: 'temporal', timeUnit: 'yearmonth', title: null, axis: { format: '%Y-%m', labelAngle: 0, tickCount: el.clientWidth < 500 ? 3 : 6, labelOverlap: true, labelSeparation: 8 } },
      y: { field, type: 'quantitative', aggregate: 'sum', title: el.dataset.title || field, axis: COUNT_AXIS },
      color: { field: 'series', type: 'nominal', title: null, scale: { range: PALETTE },
        legend: { orient: 'bottom', labelFontSize: 11, columns, labelLimit: Math.max(80, Math.floor(el.clientWidth / columns) - 30) } },
      tooltip: [{ field: 'month', type: 'temporal', timeUnit: 'yearmonth', title: TEXT.month || 'month', format: '%Y-%m' },
        { field: 'series', title: TEXT.series || 'series' }, { field, aggregate: 'sum', title: el.dataset.title || field, format: ',d' }],
    },
  });
}

async function linesChart(el) {
  const rows = JSON.parse(document.getElementById(el.dataset.lines).textContent);
  if (!rows.length || !rows.some((r) => r.value > 0)) { empty(el, el.dataset.empty); return; }
  // the legend sits inside the chart's height: grow the chart by its rows, so 14 countries on a phone still
  // leave the lines a readable plot (not a 20 px strip)
  const columns = el.clientWidth < 600 ? 2 : 4;
  const legendRows = Math.ceil(new Set(rows.map((r) => r.country)).size / columns);
  await embed(el, {
    width: 'container', height: Number(el.dataset.height || 260) + Math.max(0, legendRows - 1) * 18,
    autosize: { type: 'fit', contains: 'padding' },
    data: { values: rows },
    mark: { type: 'line', point: { size: 12 }, tooltip: true, strokeWidth: 2 },
    encoding: {
      x: { field: 'month', type: 'temporal', title: null, axis: { format: '%Y-%m', labelAngle: 0, tickCount: el.clientWidth < 500 ? 3 : 6, labelOverlap: true, labelSeparation: 8 } },
      y: { field: 'value', type: 'quantitative', title: el.dataset.title || 'per month', axis: COUNT_AXIS },
      color: { field: 'country', type: 'nominal', title: null, scale: { range: PALETTE }, legend: { orient: 'bottom', labelFontSize: 11, columns } },
      tooltip: [{ field: 'country' }, { field: 'month', type: 'temporal', title: TEXT.month || 'month', format: '%Y-%m' }, { field: 'value', title: el.dataset.title || 'value', format: ',d' }],
    },
  });
}

async function barsChart(el) {
  const rows = JSON.parse(document.getElementById(el.dataset.bars).textContent);
  const field = el.dataset.field || 'deaths';
  if (!rows.length || !rows.some((r) => r[field] > 0)) { empty(el, el.dataset.empty); return; }
  await embed(el, {
    width: 'container', height: Math.max(120, rows.length * 18), autosize: { type: 'fit', contains: 'padding' },
    data: { values: rows },
    mark: { type: 'bar', color: '#c2410c', tooltip: true },
    encoding: {
      y: { field: el.dataset.category, type: 'nominal', sort: '-x', title: null, axis: { labelLimit: 140 } },
      x: { field, type: 'quantitative', title: el.dataset.title || field, axis: COUNT_AXIS },
      tooltip: [{ field: el.dataset.category }, { field: 'deaths', format: ',d' }, { field: 'events', format: ',d' }],
    },
  });
}

for (const el of document.querySelectorAll('.chart[data-series], .chart[data-lines], .chart[data-bars]')) {
  const draw = el.dataset.series ? seriesChart : el.dataset.lines ? linesChart : barsChart;
  draw(el).catch((err) => { el.textContent = `Chart unavailable: ${err.message}`; el.dataset.rendered = 'error'; });
}
