// Cyber pages: Vega-Lite charts and the MapLibre map of victim states.  Data comes from
// <script type="application/json"> blocks the server rendered (the same rows as the JSON API); text from the data
// reaches the page only through textContent (tooltips, legend) or Vega's own text rendering, never as markup.
//   .cyber-chart[data-kind=timeline]  incidents per year, stacked by type
//   .cyber-chart[data-kind=roles]     a country's incidents per year as victim and as sponsor
//   .cyber-chart[data-kind=tactics]   an ATT&CK group's techniques per tactic
//   .cyber-map                        incidents per victim state (classes, with a legend)
import { expressionInterpreter } from '/static/vendor/vega-interpreter.mjs';
import * as ml from '/static/vendor/maplibre-gl.mjs';
import { BORDER, LAND, NODATA, OCEAN, RAMP, drawLegend, fmt, tooltipBox } from '/static/js/mapstyle.mjs';
import { embed as embedChart } from '/static/js/export.mjs';

const maplibregl = ml.default ?? ml;
const PALETTE = ['#1f5fa8', '#c2410c', '#17683f', '#7a1848', '#8a5300', '#4b2a87', '#0e7490', '#98a2b3'];
const CONFIG = { font: 'system-ui, sans-serif', background: '#ffffff', view: { stroke: null },
  axis: { grid: true, gridColor: '#eef0f3', domainColor: '#c5cdd6', labelColor: '#475467', titleColor: '#475467' },
  legend: { labelColor: '#475467' } };
const COUNT_AXIS = { format: ',d', tickMinStep: 1 };
const LEGEND = { orient: 'bottom', labelFontSize: 11, columns: 2, labelLimit: 220 };

function rowsOf(el) {
  const block = document.getElementById(el.dataset.rows);
  return block ? JSON.parse(block.textContent) : [];
}

function empty(el) {
  el.replaceChildren(Object.assign(document.createElement('p'), { className: 'empty-chart', textContent: el.dataset.empty || 'No data.' }));
  el.style.minHeight = '0';     // the note alone: no blank box under it (as charts.mjs)
  el.dataset.rendered = 'empty';
}

async function embed(el, spec) {
  await embedChart(el, { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: CONFIG,
    width: 'container', autosize: { type: 'fit', contains: 'padding' }, ...spec },
  { actions: false, renderer: 'svg', ast: true, expr: expressionInterpreter });
  el.dataset.rendered = 'true';
}

const SPECS = {
  timeline: (rows) => ({
    height: 240, data: { values: rows }, mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'year', type: 'ordinal', title: null, axis: { labelAngle: -90, labelOverlap: 'greedy' } },
      y: { field: 'incidents', type: 'quantitative', aggregate: 'sum', title: 'incidents', axis: COUNT_AXIS },
      color: { field: 'label', type: 'nominal', title: null, scale: { range: PALETTE }, legend: LEGEND },
      tooltip: [{ field: 'year' }, { field: 'label', title: 'type' }, { field: 'incidents', aggregate: 'sum', format: ',d', title: 'incidents' }],
    },
  }),
  roles: (rows) => ({
    height: 200, data: { values: rows }, mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'year', type: 'ordinal', title: null, axis: { labelAngle: -90, labelOverlap: 'greedy' } },
      xOffset: { field: 'role' },
      y: { field: 'incidents', type: 'quantitative', title: 'incidents', axis: COUNT_AXIS },
      color: { field: 'role', type: 'nominal', title: null, scale: { domain: ['victim', 'sponsor'], range: ['#c2410c', '#1f5fa8'] }, legend: LEGEND },
      tooltip: [{ field: 'year' }, { field: 'role' }, { field: 'incidents', format: ',d' }],
    },
  }),
  tactics: (rows) => ({
    height: { step: 18 }, data: { values: rows }, mark: { type: 'bar', tooltip: true, color: '#1f5fa8' },
    encoding: {
      y: { field: 'tactic', type: 'nominal', sort: '-x', title: null, axis: { labelLimit: 160 } },
      x: { field: 'techniques', type: 'quantitative', title: 'techniques', axis: COUNT_AXIS },
      tooltip: [{ field: 'tactic' }, { field: 'techniques', format: ',d' }],
    },
  }),
};

async function chart(el) {
  const rows = rowsOf(el);
  if (!rows.length) { empty(el); return; }
  await embed(el, SPECS[el.dataset.kind](rows));
}

const CLASSES = [[1, '1'], [2, '2–4'], [5, '5–19'], [20, '20–49'], [50, '50–99'], [100, '100+']];

function colourOf(n) {
  let colour = NODATA;
  CLASSES.forEach(([lower], i) => { if (n >= lower) colour = RAMP[Math.min(i + 1, RAMP.length - 1)]; });
  return colour;
}

function victimsMap(el) {
  const rows = rowsOf(el);
  const byIso = new Map(rows.map((r) => [r.country_iso3, r]));
  const map = new maplibregl.Map({ container: el, style: { version: 8, sources: {}, layers: [{ id: 'ocean', type: 'background', paint: { 'background-color': OCEAN } }] },
    center: [20, 25], zoom: 0.6, minZoom: 0.3, maxZoom: 6, attributionControl: false, renderWorldCopies: false,
    dragRotate: false, pitchWithRotate: false, canvasContextAttributes: { preserveDrawingBuffer: true } });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.on('load', async () => {
    const response = await fetch(new URL(el.dataset.shapes, window.location.href).href);
    const shapes = await response.json();
    for (const f of shapes.features) {
      const r = byIso.get(f.properties.iso3);
      f.properties.n = r ? r.incidents : 0;
      f.properties.colour = r ? colourOf(r.incidents) : LAND;
    }
    map.addSource('countries', { type: 'geojson', data: shapes });
    map.addLayer({ id: 'fill', type: 'fill', source: 'countries', paint: { 'fill-color': ['get', 'colour'] } });
    map.addLayer({ id: 'border', type: 'line', source: 'countries', paint: { 'line-color': BORDER, 'line-width': 0.5 } });
    const popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false, className: 'map-tip', maxWidth: '260px' });
    map.on('mousemove', 'fill', (e) => {
      const p = e.features[0].properties;
      map.getCanvas().style.cursor = p.n ? 'pointer' : '';
      popup.setLngLat(e.lngLat).setDOMContent(tooltipBox(p.name || p.iso3, [`${fmt(p.n)} incidents as victim`])).addTo(map);
    });
    map.on('mouseleave', 'fill', () => { map.getCanvas().style.cursor = ''; popup.remove(); });
    map.on('click', 'fill', (e) => {
      const p = e.features[0].properties;
      if (p.n) window.location.assign(`/cyber/country?country=${encodeURIComponent(p.iso3)}`);
    });
    map.once('idle', () => { el.dataset.painted = 'true'; });
  });
  drawLegend(document.getElementById(el.dataset.legend), 'Incidents as victim:',
    [[LAND, 'none'], ...CLASSES.map(([lower, label]) => [colourOf(lower), label])]);
}

for (const el of document.querySelectorAll('.cyber-chart[data-kind]')) {
  chart(el).catch((err) => { el.textContent = `Chart unavailable: ${err.message}`; el.dataset.rendered = 'error'; });
}
for (const el of document.querySelectorAll('.cyber-map')) {
  try { victimsMap(el); } catch (err) { el.textContent = `Map unavailable: ${err.message}`; }
}
