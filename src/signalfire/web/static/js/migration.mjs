// Migration and terrorism pages: Vega-Lite charts and the MapLibre map of IOM Missing Migrants incidents.  Chart
// data comes from <script type="application/json"> blocks the server rendered (the same rows as the JSON API); the
// map fetches the incidents as GeoJSON from this server's API.  Text from the data reaches the page only through
// textContent (tooltips, legend) or Vega's own text rendering, never as markup.
//   .migration-chart[data-kind=lines]  one line per series (data-series) of data-y over data-x (year or month)
//   .migration-chart[data-kind=bars]   bars of data-y per data-x, stacked by data-series
//   .migration-map[data-kind=incidents] circles sized by dead + missing, with a legend
import { expressionInterpreter } from '/static/vendor/vega-interpreter.mjs';
import * as ml from '/static/vendor/maplibre-gl.mjs';
import { BORDER, LAND, OCEAN, drawLegend, fmt, getJSON, tooltipBox } from '/static/js/mapstyle.mjs';
import { embed as embedChart } from '/static/js/export.mjs';

const maplibregl = ml.default ?? ml;
const PALETTE = ['#1f5fa8', '#c2410c', '#17683f', '#7a1848', '#8a5300', '#4b2a87', '#475467', '#0e7490', '#b42318'];
const CONFIG = { font: 'system-ui, sans-serif', background: '#ffffff', view: { stroke: null },
  axis: { grid: true, gridColor: '#eef0f3', domainColor: '#c5cdd6', labelColor: '#475467', titleColor: '#475467' },
  legend: { labelColor: '#475467' } };
const LEGEND = { orient: 'bottom', labelFontSize: 11, columns: 2, labelLimit: 260 };
const COUNT_AXIS = { format: ',d', tickMinStep: 1 };

function rowsOf(el) {
  const block = document.getElementById(el.dataset.rows);
  return block ? JSON.parse(block.textContent) : [];
}

function empty(el) {
  el.replaceChildren(Object.assign(document.createElement('p'), { className: 'empty-chart', textContent: el.dataset.empty || 'No data.' }));
  el.style.minHeight = '0';     // the note alone: no blank box under it (as charts.mjs)
  el.dataset.rendered = 'empty';
}

function spec(el, rows) {
  const { x, y, series, title } = el.dataset;
  const temporal = el.dataset.temporal === 'true';
  const xEnc = temporal
    ? { field: x, type: 'temporal', title: null, axis: { format: '%Y', labelAngle: 0, tickCount: 8 } }
    : { field: x, type: 'ordinal', title: null, axis: { labelAngle: -90, labelOverlap: 'greedy' } };
  const tip = [{ field: x, type: temporal ? 'temporal' : 'ordinal', format: temporal ? '%Y-%m' : undefined, title: x },
    { field: series, title: series }, { field: y, format: ',d', title }];
  if (el.dataset.kind === 'bars') {
    return { height: 260, data: { values: rows }, mark: { type: 'bar', tooltip: true },
      encoding: { x: xEnc, y: { field: y, type: 'quantitative', aggregate: 'sum', title, axis: COUNT_AXIS },
        color: { field: series, type: 'nominal', title: null, scale: { range: PALETTE }, legend: LEGEND },
        tooltip: [tip[0], tip[1], { field: y, aggregate: 'sum', format: ',d', title }] } };
  }
  return { height: 280, data: { values: rows }, mark: { type: 'line', tooltip: true, strokeWidth: 2, point: !temporal },
    encoding: { x: temporal ? xEnc : { ...xEnc, type: 'quantitative', axis: { format: 'd', labelAngle: 0 }, scale: { zero: false } },
      y: { field: y, type: 'quantitative', title, axis: COUNT_AXIS },
      color: { field: series, type: 'nominal', title: null, scale: { range: PALETTE }, legend: LEGEND },
      tooltip: tip } };
}

async function chart(el) {
  const rows = rowsOf(el);
  if (!rows.length || !rows.some((r) => r[el.dataset.y] > 0)) { empty(el); return; }
  await embedChart(el, { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: CONFIG,
    width: 'container', autosize: { type: 'fit', contains: 'padding' }, ...spec(el, rows) },
  { actions: false, renderer: 'svg', ast: true, expr: expressionInterpreter });
  el.dataset.rendered = 'true';
}

// -- the incident map -----------------------------------------------------------------------------------------
const SIZE_CLASSES = [[1, 4, '1–4'], [5, 7, '5–49'], [50, 11, '50–499'], [500, 16, '500+']];
const DEAD = '#b42318';
const UNKNOWN = '#98a2b3';

function toll(p) { return (p.dead ?? 0) + (p.missing ?? 0); }

async function incidentsMap(el) {
  const data = await getJSON(el.dataset.url);
  for (const f of data.features) f.properties.toll = toll(f.properties);
  const map = new maplibregl.Map({ container: el, style: { version: 8, sources: {}, layers: [{ id: 'ocean', type: 'background', paint: { 'background-color': OCEAN } }] },
    center: [15, 30], zoom: 1.2, minZoom: 0.5, maxZoom: 12, attributionControl: false, renderWorldCopies: false,
    dragRotate: false, pitchWithRotate: false, canvasContextAttributes: { preserveDrawingBuffer: true } });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  const radius = ['step', ['get', 'toll'], 3, 1, 4, 5, 7, 50, 11, 500, 16];
  map.on('load', () => {
    map.addSource('countries', { type: 'geojson', data: new URL(el.dataset.shapes, window.location.href).href });
    map.addLayer({ id: 'land', type: 'fill', source: 'countries', paint: { 'fill-color': LAND } });
    map.addLayer({ id: 'border', type: 'line', source: 'countries', paint: { 'line-color': BORDER, 'line-width': 0.5 } });
    map.addSource('incidents', { type: 'geojson', data });
    map.addLayer({ id: 'incidents', type: 'circle', source: 'incidents', paint: {
      'circle-radius': radius, 'circle-color': ['case', ['>', ['get', 'toll'], 0], DEAD, UNKNOWN],
      'circle-stroke-color': '#ffffff', 'circle-stroke-width': 0.6, 'circle-opacity': 0.75 } });
    const popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false, className: 'map-tip', maxWidth: '280px' });
    map.on('mousemove', 'incidents', (e) => {
      const p = e.features[0].properties;
      map.getCanvas().style.cursor = 'pointer';
      popup.setLngLat(e.lngLat).setDOMContent(tooltipBox(`${p.date ?? ''} ${p.route ?? ''}`.trim(),
        [String(p.location ?? '').slice(0, 160), `dead ${p.dead === null || p.dead === undefined ? '–' : fmt(p.dead)}, missing ${p.missing === null || p.missing === undefined ? '–' : fmt(p.missing)}`])).addTo(map);
    });
    map.on('mouseleave', 'incidents', () => { map.getCanvas().style.cursor = ''; popup.remove(); });
    map.once('idle', () => { el.dataset.painted = 'true'; });
  });
  el.dataset.features = String(data.features.length);
  drawLegend(document.getElementById(el.dataset.legend), 'Dead and missing in an incident:',
    [...SIZE_CLASSES.map(([, size, label]) => [DEAD, label, { size: size * 2 }]), [UNKNOWN, 'none reported', { size: 6 }]]);
}

for (const el of document.querySelectorAll('.migration-chart[data-kind]')) {
  chart(el).catch((err) => { el.textContent = `Chart unavailable: ${err.message}`; el.dataset.rendered = 'error'; });
}
for (const el of document.querySelectorAll('.migration-map[data-kind=incidents]')) {
  incidentsMap(el).catch((err) => { el.textContent = `Map unavailable: ${err.message}`; el.dataset.painted = 'error'; });
}
