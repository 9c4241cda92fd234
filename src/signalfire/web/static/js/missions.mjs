// Missions pages: Vega-Lite charts and the MapLibre map of deployment sites.  Data comes from
// <script type="application/json"> blocks the server rendered (the same rows as the JSON API); text from the data
// reaches the page only through textContent (tooltips) or Vega's own text rendering, never as markup.
//   .missions-chart[data-kind=stack]  a country's personnel per month, stacked by personnel type
//   .missions-chart[data-kind=lines]  a mission's deployed strength against its authorised strength
//   .missions-chart[data-kind=hbars]  a mission's contributors, stacked by personnel type
//   .missions-chart[data-kind=bars]   fatalities per year, stacked by cause
//   .missions-map[data-kind=sites]    deployment sites of a contributor (circles sized by troops, with a legend)
// The Vega interpreter needs the vega globals (chart pages load them) and MapLibre is large (the map page only):
// both are imported when a page has something for them.
import { BORDER, LAND, OCEAN, drawLegend, fmt, tooltipBox } from '/static/js/mapstyle.mjs';
import { embed as embedChart } from '/static/js/export.mjs';

const PALETTE = ['#1f5fa8', '#c2410c', '#17683f', '#7a1848', '#8a5300', '#4b2a87', '#475467', '#0e7490'];
const CONFIG = { font: 'system-ui, sans-serif', background: '#ffffff', view: { stroke: null },
  axis: { grid: true, gridColor: '#eef0f3', domainColor: '#c5cdd6', labelColor: '#475467', titleColor: '#475467' },
  legend: { labelColor: '#475467' } };
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

async function embed(el, spec) {
  const { expressionInterpreter } = await import('/static/vendor/vega-interpreter.mjs');
  await embedChart(el, { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: CONFIG,
    width: 'container', autosize: { type: 'fit', contains: 'padding' }, ...spec },
  { actions: false, renderer: 'svg', ast: true, expr: expressionInterpreter });
  el.dataset.rendered = 'true';
}

const LEGEND = { orient: 'bottom', labelFontSize: 11, columns: window.innerWidth < 600 ? 1 : 2, labelLimit: 260 };
const monthAxis = { format: '%Y', labelAngle: 0, tickCount: 8 };

const SPECS = {
  stack: (rows, title) => ({
    // bars, not an area: a month no source reports stays a gap instead of a slope across it
    height: 260, data: { values: rows }, mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'month', type: 'temporal', timeUnit: 'yearmonth', title: null, axis: monthAxis },
      y: { field: 'total', type: 'quantitative', aggregate: 'sum', stack: 'zero', title, axis: COUNT_AXIS },
      color: { field: 'label', type: 'nominal', title: null, scale: { range: PALETTE }, legend: LEGEND },
      tooltip: [{ field: 'month', type: 'temporal', timeUnit: 'yearmonth', format: '%Y-%m', title: 'month' },
        { field: 'label', title: 'type' }, { field: 'total', aggregate: 'sum', format: ',d', title }],
    },
  }),
  lines: (rows, title) => ({
    height: 260, data: { values: rows }, mark: { type: 'line', tooltip: true, strokeWidth: 2, interpolate: 'step-after' },
    encoding: {
      x: { field: 'month', type: 'temporal', title: null, axis: monthAxis },
      y: { field: 'value', type: 'quantitative', title, axis: COUNT_AXIS },
      color: { field: 'series', type: 'nominal', title: null, scale: { range: PALETTE }, legend: LEGEND },
      strokeDash: { field: 'series', type: 'nominal', legend: null },
      tooltip: [{ field: 'month', type: 'temporal', format: '%Y-%m', title: 'month' }, { field: 'series' },
        { field: 'value', format: ',d', title }],
    },
  }),
  hbars: (rows, title) => {
    const totals = new Map();
    for (const r of rows) totals.set(r.contributor, (totals.get(r.contributor) || 0) + r.total);
    const top = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25).map((e) => e[0]);
    const keep = new Set(top);
    return {
      height: { step: 16 }, data: { values: rows.filter((r) => keep.has(r.contributor)) },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        y: { field: 'contributor', type: 'nominal', sort: top, title: null, axis: { labelLimit: 140 } },
        x: { field: 'total', type: 'quantitative', aggregate: 'sum', title, axis: { ...COUNT_AXIS, tickCount: 5 } },
        color: { field: 'label', type: 'nominal', title: null, scale: { range: PALETTE }, legend: LEGEND },
        tooltip: [{ field: 'contributor' }, { field: 'label', title: 'type' }, { field: 'total', aggregate: 'sum', format: ',d', title }],
      },
    };
  },
  bars: (rows, title) => ({
    height: 240, data: { values: rows }, mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'year', type: 'ordinal', title: null, axis: { labelAngle: -90, labelOverlap: 'greedy' } },
      y: { field: 'deaths', type: 'quantitative', aggregate: 'sum', title, axis: COUNT_AXIS },
      color: { field: 'cause', type: 'nominal', title: null, scale: { range: PALETTE }, legend: LEGEND },
      tooltip: [{ field: 'year' }, { field: 'cause' }, { field: 'deaths', aggregate: 'sum', format: ',d', title }],
    },
  }),
};

async function chart(el) {
  const rows = rowsOf(el);
  const field = { stack: 'total', lines: 'value', hbars: 'total', bars: 'deaths' }[el.dataset.kind];
  if (!rows.length || !rows.some((r) => r[field] > 0)) { empty(el); return; }
  await embed(el, SPECS[el.dataset.kind](rows, el.dataset.title || 'people'));
}

// -- the deployment-site map ----------------------------------------------------------------------------------
const SIZE_CLASSES = [[0, 5, '1–99'], [100, 8, '100–499'], [500, 12, '500+']];
const KNOWN = '#1f5fa8';
const UNKNOWN = '#98a2b3';

async function sitesMap(el) {
  // the map's words in the page's language (data-* attributes written by the template)
  const unknown = el.dataset.unknown || 'size unknown';
  const troops = el.dataset.troops || 'troops';
  const ml = await import('/static/vendor/maplibre-gl.mjs');
  const maplibregl = ml.default ?? ml;
  const rows = rowsOf(el);
  const features = rows.map((r, i) => ({ type: 'Feature', id: i, geometry: { type: 'Point', coordinates: [r.longitude, r.latitude] },
    properties: { i, troops: r.troops === null ? -1 : r.troops } }));
  const map = new maplibregl.Map({ container: el, style: { version: 8, sources: {}, layers: [{ id: 'ocean', type: 'background', paint: { 'background-color': OCEAN } }] },
    center: [20, 10], zoom: 1.2, minZoom: 0.5, maxZoom: 12, attributionControl: false, renderWorldCopies: false,
    dragRotate: false, pitchWithRotate: false, canvasContextAttributes: { preserveDrawingBuffer: true } });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  const radius = ['step', ['get', 'troops'], 5, 100, 8, 500, 12];
  map.on('load', () => {
    map.addSource('countries', { type: 'geojson', data: new URL(el.dataset.shapes, window.location.href).href });
    map.addLayer({ id: 'land', type: 'fill', source: 'countries', paint: { 'fill-color': LAND } });
    map.addLayer({ id: 'border', type: 'line', source: 'countries', paint: { 'line-color': BORDER, 'line-width': 0.5 } });
    map.addSource('sites', { type: 'geojson', data: { type: 'FeatureCollection', features } });
    map.addLayer({ id: 'sites', type: 'circle', source: 'sites', paint: {
      'circle-radius': radius, 'circle-color': ['case', ['<', ['get', 'troops'], 0], UNKNOWN, KNOWN],
      'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1, 'circle-opacity': 0.85 } });
    if (features.length) {
      const bounds = new maplibregl.LngLatBounds();
      for (const f of features) bounds.extend(f.geometry.coordinates);
      map.fitBounds(bounds, { padding: 40, maxZoom: 7, duration: 0 });
    }
    const popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false, className: 'map-tip', maxWidth: '260px' });
    map.on('mousemove', 'sites', (e) => {
      const r = rows[e.features[0].properties.i];
      map.getCanvas().style.cursor = 'pointer';
      popup.setLngLat(e.lngLat).setDOMContent(tooltipBox(`${r.location} (${r.mission})`,
        [`${r.contributor}: ${r.troops === null ? unknown : `${fmt(r.troops)} ${troops}`}`])).addTo(map);
    });
    map.on('mouseleave', 'sites', () => { map.getCanvas().style.cursor = ''; popup.remove(); });
    map.once('idle', () => { el.dataset.painted = 'true'; });
  });
  drawLegend(document.getElementById(el.dataset.legend), el.dataset.legendTitle || 'Troops at a site:',
    [...SIZE_CLASSES.map(([, size, label]) => [KNOWN, label, { size: size * 2 }]), [UNKNOWN, unknown, { size: 10 }]]);
}

for (const el of document.querySelectorAll('.missions-chart[data-kind]')) {
  chart(el).catch((err) => { el.textContent = `Chart unavailable: ${err.message}`; el.dataset.rendered = 'error'; });
}
for (const el of document.querySelectorAll('.missions-map[data-kind=sites]')) {
  sitesMap(el).catch((err) => { el.textContent = `Map unavailable: ${err.message}`; el.dataset.painted = 'error'; });
}
