// Forecasts: the world choropleth of one forecast month (P(>=25 deaths) or expected deaths, switchable without a
// reload) and the per-country fan chart (Vega-Lite: median, 50% and 90% bands, observed deaths, other models).
// Everything comes from this server's /api/v1/forecasts endpoints; no tiles, no glyphs, nothing from elsewhere.

import { BORDER, NODATA, OCEAN, RAMP, ZERO, getJSON, tooltipBox } from '/static/js/mapstyle.mjs';
import { fmtInt, fmtNum, fmtPct, fmtSigned, vegaLocale } from '/static/js/format.mjs';
import { embed as embedChart } from '/static/js/export.mjs';

// the interface text in the page's language (templates/_forecast_text.html); English when the page has none
const TEXT = {
  pGe25: 'P(≥25 deaths)', expectedDeaths: 'expected deaths', onsetTitle: 'risk of new conflict, P(≥25 deaths in some month of 12)',
  noForecast: 'no forecast', inConflict: 'in conflict (>25 deaths in a month of the last 12)', noEarlierRun: 'no earlier run',
  highest: 'Highest %(what)s', highestMean: 'expected deaths', highestP: 'probability of ≥25 deaths',
  tipP: '%(month)s: P(≥25 deaths) %(p)s (%(change)s)', tipMean: 'expected %(mean)s deaths (%(change)s)',
  tipMedian: 'median %(median)s, 90%% interval %(low)s–%(high)s', tipNone: 'no forecast for this country',
  tipOnset: 'risk of new conflict in 12 months: ≥25 deaths %(p25)s, ≥100 %(p100)s', tipInConflict: 'in conflict at the cut-off: no onset risk',
  titleMean: 'Expected deaths, %(month)s', titleP: 'Probability of 25 or more deaths, %(month)s',
  titleOnset: 'Risk of new conflict: P(≥25 deaths in some month of the 12 after %(cutoff)s)',
  viewsBinary: 'VIEWS published (0 or 1)', viewsPoint: 'VIEWS published (point)', modelMedian: '%(model)s median',
  dataTo: '%(name)s (data to %(cutoff)s)', cutoffRule: 'data to %(cutoff)s', month: 'month', deathsPerMonth: 'deaths per month',
  median: 'median', mean: 'mean', series: 'series', deaths: 'deaths', observed: 'observed (UCDP state-based, country-month)',
  noCountryForecast: 'No forecast stored for this country.', pAria: 'P(≥25 deaths) per forecast month; the table below has the numbers',
  mapUnavailable: 'Map unavailable: %(message)s', chartUnavailable: 'Chart unavailable: %(message)s',
};
try { Object.assign(TEXT, JSON.parse(document.getElementById('forecast-text')?.textContent || '{}')); } catch (e) { /* English */ }
const t = (key, values = {}) => TEXT[key].replace(/%\((\w+)\)s/g, (_, k) => String(values[k] ?? '')).replace(/%%/g, '%');

// 'no forecast' (mid grey) must not look like '< 1%' (the palest class)
const NONE = NODATA;
const LAND = ZERO;
// fixed class breaks, so that months and runs are comparable at a glance
const SCALES = {
  p_ge25: { title: t('pGe25'), breaks: [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9], label: (b) => `${Math.round(b * 100)}%` },
  mean: { title: t('expectedDeaths'), breaks: [1, 5, 25, 100, 250, 1000, 5000], label: (b) => b.toLocaleString() },
  // risk of new conflict (countries quiet at the cut-off); a country already in conflict is -0.5, its own class
  onset: { title: t('onsetTitle'), breaks: [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5], label: (b) => `${Math.round(b * 100)}%` },
};
const IN_CONFLICT = '#5b6472';

function colourExpression(metric) {
  const v = ['coalesce', ['feature-state', metric], -1];
  const expr = metric === 'onset' ? ['step', v, NONE, -0.5, IN_CONFLICT, 0, LAND] : ['step', v, NONE, 0, LAND];
  SCALES[metric].breaks.forEach((b, i) => expr.push(b, RAMP[i]));
  return expr;
}

function drawLegend(metric) {
  const legend = document.getElementById('legend');
  if (!legend) return;
  const { title, breaks, label } = SCALES[metric];
  const items = [[NONE, t('noForecast')], ...(metric === 'onset' ? [[IN_CONFLICT, t('inConflict')]] : []),
    [LAND, `< ${label(breaks[0])}`], ...breaks.map((b, i) => [RAMP[i], `${label(b)}+`])];
  legend.replaceChildren(Object.assign(document.createElement('span'), { className: 'lab', textContent: `${title}:` }),
    ...items.flatMap(([c, text]) => {
      const sw = document.createElement('span'); sw.className = 'sw'; sw.style.background = c;
      const lab = document.createElement('span'); lab.className = 'lab'; lab.textContent = text;
      return [sw, lab];
    }));
}

// a probability as a percentage; above 0 but under 0.5% is '<1%', never '0%'
function pct(p) { return fmtPct(p); }

function fmtChange(v, digits, unit) {
  if (v === null || v === undefined) return t('noEarlierRun');
  return `${fmtSigned(v, digits)}${unit}`;
}

// the table holds the top countries by either metric: show the top ones of the metric on the map
function sortTable(metric) {
  const body = document.querySelector('#forecast-table tbody');
  const head = document.getElementById('fc-table-title');
  if (!body || metric === 'onset') return;   // the risk of new conflict has its own table
  const other = metric === 'mean' ? 'p_ge25' : 'mean';
  const rows = [...body.querySelectorAll('tr[data-mean]')];
  const key = (tr, m) => Number(tr.dataset[m]);
  rows.sort((a, b) => key(b, metric) - key(a, metric) || key(b, other) - key(a, other));
  rows.forEach((tr, i) => { tr.hidden = i >= 20; });
  body.replaceChildren(...rows);
  if (head && head.firstChild) head.firstChild.textContent = `${t('highest', { what: metric === 'mean' ? t('highestMean') : t('highestP') })} `;
}

async function forecastMap(el) {
  const ml = await import('/static/vendor/maplibre-gl.mjs');
  const maplibregl = ml.default ?? ml;
  const values = await getJSON(el.dataset.forecastMap);
  const map = new maplibregl.Map({
    container: el, style: { version: 8, sources: {}, layers: [{ id: 'ocean', type: 'background', paint: { 'background-color': OCEAN } }] },
    center: [15, 20], zoom: 1.2, minZoom: 0.5, maxZoom: 10, attributionControl: false, renderWorldCopies: false,
    dragRotate: false, pitchWithRotate: false, canvasContextAttributes: { preserveDrawingBuffer: true },
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  const byIso = new Map(values.data.map((r) => [r.iso3, r]));
  const onset = values.onset || {};
  let metric = ['mean', 'onset'].includes(el.dataset.metric) ? el.dataset.metric : 'p_ge25';
  const painted = () => map.once('idle', () => { el.dataset.painted = 'true'; el.dataset.paintedMetric = metric; });
  const ready = () => {
    map.addSource('countries', { type: 'geojson', data: new URL(el.dataset.shapes, window.location.href).href,
      promoteId: 'iso3', maxzoom: 8, tolerance: 0.5 });
    for (const r of values.data) {
      const o = onset[r.iso3];
      map.setFeatureState({ source: 'countries', id: r.iso3 }, { p_ge25: r.p_ge25, mean: r.mean, onset: o ? (o.quiet ? o.p_ge25 : -0.5) : null });
    }
    map.addLayer({ id: 'fill', type: 'fill', source: 'countries', paint: { 'fill-color': colourExpression(metric), 'fill-opacity': 0.95 } });
    map.addLayer({ id: 'border', type: 'line', source: 'countries', paint: { 'line-color': BORDER, 'line-width': 0.5 } });
    const popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false, focusAfterOpen: false, className: 'map-tip', maxWidth: '280px' });
    map.on('mousemove', 'fill', (e) => {
      const p = e.features[0].properties;
      const r = byIso.get(p.iso3);
      map.getCanvas().style.cursor = 'pointer';
      const lines = r ? [t('tipP', { month: values.month, p: pct(r.p_ge25), change: fmtChange(r.p_ge25_change === null ? null : r.p_ge25_change * 100, 0, ' pt') }),
        t('tipMean', { mean: fmtNum(r.mean), change: fmtChange(r.mean_change, 1, '') }),
        t('tipMedian', { median: fmtInt(r.q50), low: fmtInt(r.q05), high: fmtInt(r.q95) })] : [t('tipNone')];
      const o = onset[p.iso3];
      if (o) lines.push(o.quiet ? t('tipOnset', { p25: pct(o.p_ge25), p100: pct(o.p_ge100) }) : t('tipInConflict'));
      popup.setLngLat(e.lngLat).setDOMContent(tooltipBox(p.name, lines, `/country/${p.iso3}#forecasts`)).addTo(map);
    });
    map.on('mouseleave', 'fill', () => { map.getCanvas().style.cursor = ''; popup.remove(); });
    map.on('click', 'fill', (e) => { window.location.href = `/country/${e.features[0].properties.iso3}#forecasts`; });
    painted();
  };
  if (map.loaded()) ready(); else map.on('load', ready);
  drawLegend(metric);

  const title = document.getElementById('fc-map-title');
  const field = document.getElementById('fc-metric-field');
  for (const button of document.querySelectorAll('button[data-metric]')) {
    button.addEventListener('click', () => {
      metric = button.dataset.metric;
      el.dataset.metric = metric;
      el.dataset.painted = 'false';
      for (const b of document.querySelectorAll('button[data-metric]')) {
        const on = b === button;
        b.classList.toggle('primary', on);
        b.setAttribute('aria-pressed', String(on));
      }
      if (field) field.value = metric;
      if (title && metric !== 'onset') title.textContent = t(metric === 'mean' ? 'titleMean' : 'titleP', { month: values.month });
      if (title && metric === 'onset') title.textContent = t('titleOnset', { cutoff: values.run.cutoff });
      const url = new URL(window.location.href);
      url.searchParams.set('metric', metric);
      window.history.replaceState(null, '', url);
      sortTable(metric);
      map.setPaintProperty('fill', 'fill-color', colourExpression(metric));
      drawLegend(metric);
      painted();
    });
  }
}

// The month and model selects apply when the form is submitted (Apply or Enter), never on change (WCAG 3.2.2): the
// table is rendered by the server for that month.  A changed model drops the month (it may not be one of its months).
const controls = document.getElementById('forecast-controls');
if (controls) {
  controls.addEventListener('submit', () => {
    const model = document.getElementById('fc-model');
    const month = document.getElementById('fc-month');
    if (model && month && !model.options[model.selectedIndex].defaultSelected) month.disabled = true;
  });
}

const MODEL_COLOURS = ['#1f5fa8', '#7a1848', '#17683f', '#4b2a87'];
const OBSERVED = t('observed');

// P(≥25 deaths) per forecast month, per run: bars on a 0–100% axis under the fan chart
function probabilitySpec(data, narrow = false) {
  const label = (run) => t('dataTo', { name: run.model === 'views-published' ? t('viewsBinary') : run.model, cutoff: run.cutoff });
  const rows = data.runs.flatMap((run) => run.rows.map((r) => ({ date: `${r.month}-01`, p: r.p_ge25, run: label(run) })));
  const domain = data.runs.map(label);   // the fan chart's order and colours: our run first
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container', height: 90, autosize: { type: 'fit-x', contains: 'padding' },
    data: { values: rows },
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2, point: { size: 10 } },
    encoding: {
      x: { field: 'date', type: 'temporal', title: null, axis: { format: '%Y-%m', labelAngle: 0, tickCount: 8 } },
      y: { field: 'p', type: 'quantitative', title: t('pGe25'), scale: { domain: [0, 1] }, axis: { format: '.0%', tickCount: 3 } },
      color: { field: 'run', type: 'nominal', title: null, scale: { domain, range: ['#c2410c', ...MODEL_COLOURS] }, legend: { orient: 'bottom', labelFontSize: 11, labelLimit: narrow ? 320 : 420, columns: narrow ? 1 : 2 } },
      tooltip: [{ field: 'date', type: 'temporal', title: t('month'), format: '%Y-%m' }, { field: 'run', title: t('series') }, { field: 'p', title: t('pGe25'), format: '.0%' }],
    },
    config: { font: 'system-ui, sans-serif', background: '#ffffff', view: { stroke: null }, axis: { grid: true, gridColor: '#eef0f3', labelColor: '#475467', titleColor: '#475467' } },
  };
}

function fanSpec(data, narrow = false) {
  const [main, ...others] = data.runs;
  const mainName = t('dataTo', { name: t('modelMedian', { model: main.model }), cutoff: main.cutoff });
  const date = (m) => `${m}-01`;
  const band = main.rows.map((r) => ({ date: date(r.month), q05: r.q05, q25: r.q25, q50: r.q50, q75: r.q75, q95: r.q95, mean: r.mean, p: r.p_ge25 }));
  const lines = [
    ...data.observed.map((r) => ({ date: date(r.month), value: r.deaths, series: OBSERVED })),
    ...main.rows.map((r) => ({ date: date(r.month), value: r.q50, series: mainName })),
  ];
  const domain = [OBSERVED, mainName];
  const range = ['#1d2430', '#c2410c'];
  others.forEach((run, i) => {
    const name = t('dataTo', { name: run.model === 'views-published' ? t('viewsPoint') : t('modelMedian', { model: run.model }), cutoff: run.cutoff });
    domain.push(name); range.push(MODEL_COLOURS[i % MODEL_COLOURS.length]);
    for (const r of run.rows) lines.push({ date: date(r.month), value: r.q50, series: name });
  });
  const x = { field: 'date', type: 'temporal', title: null, axis: { format: '%Y-%m', labelAngle: 0, tickCount: 8 } };
  // a rule after each run's cut-off (the first forecast month), labelled with the cut-off
  const next = (m) => { const [y, mm] = m.split('-').map(Number); return mm === 12 ? `${y + 1}-01` : `${y}-${String(mm + 1).padStart(2, '0')}`; };
  const cutoffs = [...new Map(data.runs.map((r) => [r.cutoff, { date: date(next(r.cutoff)), label: t('cutoffRule', { cutoff: r.cutoff }) }])).values()];
  const tip = { field: 'date', type: 'temporal', timeUnit: 'yearmonth', title: t('month') };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container', height: 280, autosize: { type: 'fit', contains: 'padding' },
    layer: [
      { data: { values: band }, mark: { type: 'area', color: '#fdd0a2', opacity: 0.55 },
        encoding: { x, y: { field: 'q05', type: 'quantitative', title: t('deathsPerMonth'), axis: { format: ',d', tickMinStep: 1 } }, y2: { field: 'q95' },
          tooltip: [tip, { field: 'q05', title: '5%', format: '.0f' }, { field: 'q95', title: '95%', format: '.0f' }] } },
      { data: { values: band }, mark: { type: 'area', color: '#fb8c4a', opacity: 0.55 },
        encoding: { x, y: { field: 'q25', type: 'quantitative' }, y2: { field: 'q75' },
          tooltip: [tip, { field: 'q25', title: '25%', format: '.0f' }, { field: 'q50', title: t('median'), format: '.0f' },
            { field: 'q75', title: '75%', format: '.0f' }, { field: 'mean', title: t('mean'), format: '.1f' }, { field: 'p', title: 'P(≥25)', format: '.0%' }] } },
      // one dashed rule per cut-off, labelled: runs with different cut-offs are not like for like
      { data: { values: cutoffs }, mark: { type: 'rule', color: '#667085', strokeDash: [2, 3] }, encoding: { x } },
      { data: { values: cutoffs }, mark: { type: 'text', align: 'left', dx: 3, dy: 4, baseline: 'top', fontSize: 10, color: '#475467' },
        encoding: { x, y: { value: 0 }, text: { field: 'label' } } },
      { data: { values: lines }, mark: { type: 'line', strokeWidth: 2, point: { size: 14 } },
        encoding: { x, y: { field: 'value', type: 'quantitative' },
          color: { field: 'series', type: 'nominal', title: null, scale: { domain, range }, legend: { orient: 'bottom', labelFontSize: 11, labelLimit: narrow ? 320 : 420, columns: narrow ? 1 : 2 } },
          strokeDash: { field: 'series', type: 'nominal', legend: null, scale: { domain, range: domain.map((d, i) => (i < 2 ? [1, 0] : [5, 3])) } },
          tooltip: [tip, { field: 'series', title: t('series') }, { field: 'value', title: t('deaths'), format: '.0f' }] } },
    ],
    config: { font: 'system-ui, sans-serif', background: '#ffffff', view: { stroke: null }, axis: { grid: true, gridColor: '#eef0f3', domainColor: '#c5cdd6', labelColor: '#475467', titleColor: '#475467' } },
  };
}

async function fanChart(el) {
  const data = await getJSON(el.dataset.fan);
  if (!data.runs.length) { el.textContent = data.message || t('noCountryForecast'); el.dataset.rendered = 'empty'; return; }
  const { expressionInterpreter } = await import('/static/vendor/vega-interpreter.mjs');
  const narrow = el.clientWidth < 600;   // one legend entry per line on phones
  await embedChart(el, fanSpec(data, narrow), { ...vegaLocale(), actions: false, renderer: 'svg', ast: true, expr: expressionInterpreter });
  const prob = Object.assign(document.createElement('div'), { className: 'chart fan-p', id: 'fan-p-chart' });
  prob.setAttribute('role', 'img');
  prob.setAttribute('aria-label', t('pAria'));
  el.after(prob);
  await embedChart(prob, probabilitySpec(data, narrow), { ...vegaLocale(), actions: false, renderer: 'svg', ast: true, expr: expressionInterpreter });
  el.dataset.rendered = 'true';
}

for (const el of document.querySelectorAll('#map[data-forecast-map]')) {
  forecastMap(el).catch((err) => {
    const div = Object.assign(document.createElement('div'), { className: 'map-error', textContent: t('mapUnavailable', { message: err.message }) });
    el.replaceChildren(div); el.dataset.painted = 'error';
  });
}
for (const el of document.querySelectorAll('.chart[data-fan]')) {
  fanChart(el).catch((err) => { el.textContent = t('chartUnavailable', { message: err.message }); el.dataset.rendered = 'error'; });
}
