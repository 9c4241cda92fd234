// Maps: world choropleths (Overview: the complete country-month series with a month slider, or the events loaded)
// and clustered event maps (Country, Neighbourhood watch).  Every layer has a legend; hovering a country or a
// circle shows its name and value; a country's row in the table beside the map shows the same tooltip on keyboard
// focus.  Country shapes come from this server (Natural Earth); no tiles, no glyphs, nothing from another host.
import * as ml from '/static/vendor/maplibre-gl.mjs';
import {
  BORDER, CIRCLE_CLASSES, LAND, NODATA, OCEAN, RAMP, ZERO, drawLegend, fmt, getJSON, tooltipBox,
} from '/static/js/mapstyle.mjs';
import { fmtNum } from '/static/js/format.mjs';

const maplibregl = ml.default ?? ml;
if (maplibregl.prewarm) maplibregl.prewarm();   // start the worker while the page's data loads

// interface text of the maps in the page's language: the page embeds it as JSON (_map_text.html); English if absent
const TEXT = {
  unavailable: 'Map unavailable: %(message)s', noData: 'no data', noneLoaded: 'none loaded',
  eventsLoaded: '%(events)s events, %(deaths)s deaths (events loaded)', noDataIn: 'no data in %(source)s',
  deathsIn: '%(deaths)s deaths in %(month)s', legendEvents: '%(measure)s (events loaded):',
  legendCm: 'deaths in the month (%(source)s):', caption: 'state-based deaths, %(month)s',
  measures: { deaths: 'deaths', events: 'events' },
  keys: 'Map: Page Down / Page Up step through the countries (largest first), Enter opens one, Escape closes the tooltip.',
  circles: 'circles: colour = deaths', size: '; size = number of events (%(n)s on the map)',
  noPoints: ' — no events with coordinates in this period', event: '%(n)s event', events: '%(n)s events',
  deaths: '%(n)s deaths', cluster: 'a cluster: click to zoom in', near: 'near %(lat)s, %(lon)s',
};
try { Object.assign(TEXT, JSON.parse(document.getElementById('map-text')?.textContent || '{}')); } catch (e) { /* English */ }
const fmtCoord = (x) => fmtNum(x, 2);
const t = (key, values = {}) => TEXT[key].replace(/%\((\w+)\)s/g, (_, k) => String(values[k] ?? ''));

function baseStyle() {
  return { version: 8, sources: {}, layers: [{ id: 'ocean', type: 'background', paint: { 'background-color': OCEAN } }] };
}

function newMap(el, options = {}) {
  const map = new maplibregl.Map({
    container: el, style: baseStyle(), center: [15, 25], zoom: 1.2, minZoom: 0.5, maxZoom: 12,
    attributionControl: false, renderWorldCopies: false, dragRotate: false, pitchWithRotate: false,
    canvasContextAttributes: { preserveDrawingBuffer: true }, ...options,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  return map;
}

// marks the map painted once the data layers are drawn (tests and the benchmark wait for this)
// and removes the server's picture of the map (geometry.map_picture), which stood in for it until then
function markPainted(map, el) {
  map.once('idle', () => {
    el.querySelector('.map-picture')?.remove();
    el.dataset.paintedAt = String(Math.round(performance.now())); el.dataset.painted = 'true';
  });
}

function showError(el, message) {
  const div = document.createElement('div');
  div.className = 'map-error';
  div.textContent = t('unavailable', { message });
  el.replaceChildren(div);
}

// class breaks for a choropleth: powers of ten-ish from the data's maximum, at least 1
function breaks(values) {
  const max = Math.max(1, ...values);
  const out = [];
  for (let i = 1; i < RAMP.length; i += 1) out.push(Math.round(Math.pow(max, i / RAMP.length)));
  return [...new Set(out)].filter((b) => b > 1);
}

// 'step' colour expression on a feature-state value: no data (-1) grey, 0 pale, then the ramp
function stepColour(stops, missing = -1) {
  const v = ['coalesce', ['feature-state', 'v'], missing];
  const expr = ['step', v, NODATA, 0, ZERO, 1, RAMP[0]];
  stops.forEach((b, i) => expr.push(b, RAMP[Math.min(i + 1, RAMP.length - 1)]));
  return expr;
}

function stepLegend(stops, title, zeroLabel, noData = true) {
  const items = [...(noData ? [[NODATA, t('noData')]] : []), [ZERO, zeroLabel], [RAMP[0], stops.length ? `1–${fmt(stops[0] - 1)}` : '1+']];
  stops.forEach((b, i) => {
    const next = stops[i + 1];
    items.push([RAMP[Math.min(i + 1, RAMP.length - 1)], next ? `${fmt(b)}–${fmt(next - 1)}` : `${fmt(b)}+`]);
  });
  drawLegend(document.getElementById('legend'), title, items);
}

// the live region that reads a tooltip opened from the keyboard to screen readers (one per map)
function liveRegion(el) {
  let live = document.getElementById(`${el.id}-live`);
  if (!live) {
    live = Object.assign(document.createElement('p'), { id: `${el.id}-live`, className: 'sr-only' });
    live.setAttribute('aria-live', 'polite');
    live.setAttribute('role', 'status');
    el.after(live);
  }
  return live;
}

// a tooltip that follows the pointer over a layer, and opens from the keyboard: on a table row's country
// (focus), and on the map itself (Page Down / Page Up step through the countries, largest first; Enter opens
// the country, Escape closes).  What the keyboard opens is also announced (aria-live).
// order() gives the countries' iso3 codes in stepping order; href(iso3) the country's page.
function hoverTooltips(map, el, layer, describe, points, order, href) {
  const popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false, focusAfterOpen: false, className: 'map-tip', maxWidth: '260px' });
  const live = liveRegion(el);
  let hovered = null;
  const setHover = (id) => {
    if (hovered !== null) map.setFeatureState({ source: 'countries', id: hovered }, { hover: false });
    hovered = id;
    if (id !== null) map.setFeatureState({ source: 'countries', id }, { hover: true });
  };
  map.on('mousemove', layer, (e) => {
    const f = e.features[0];
    map.getCanvas().style.cursor = 'pointer';
    setHover(f.properties.iso3);
    popup.setLngLat(e.lngLat).setDOMContent(describe(f.properties.iso3, f.properties.name)).addTo(map);
  });
  map.on('mouseleave', layer, () => { map.getCanvas().style.cursor = ''; setHover(null); popup.remove(); });
  // opened from the keyboard: at the country's label point, and read out
  const open = (iso3, name, announce) => {
    setHover(iso3);
    const at = points && points[iso3];
    if (!at) return false;
    const box = describe(iso3, name);
    popup.setLngLat(at).setDOMContent(box).addTo(map);
    if (announce) live.textContent = [...box.childNodes].map((n) => n.textContent).join(': ');
    return true;
  };
  const close = () => { setHover(null); popup.remove(); };
  // delegated, so rows rebuilt by the month slider keep it
  const linkOf = (e) => (e.target.closest ? e.target.closest('[data-map-table] a[data-iso3]') : null);
  document.addEventListener('focusin', (e) => { const a = linkOf(e); if (a) open(a.dataset.iso3, a.textContent, true); });
  document.addEventListener('mouseover', (e) => { const a = linkOf(e); if (a) open(a.dataset.iso3, a.textContent, false); });
  document.addEventListener('focusout', (e) => { if (linkOf(e)) close(); });
  document.addEventListener('mouseout', (e) => { if (linkOf(e)) close(); });
  // on the map: MapLibre keeps the arrow keys (pan) and +/- (zoom); Page Down / Page Up choose a country
  const canvas = map.getCanvas();
  canvas.setAttribute('aria-describedby', `${el.id}-keys`);
  if (!document.getElementById(`${el.id}-keys`)) {
    el.after(Object.assign(document.createElement('p'), { id: `${el.id}-keys`, className: 'sr-only', textContent: t('keys') }));
  }
  let at = -1;
  const nameOf = (iso3) => {
    const link = document.querySelector(`[data-map-table] a[data-iso3="${iso3}"]`);
    return (link && link.textContent) || (map.querySourceFeatures('countries', { filter: ['==', ['get', 'iso3'], iso3] })[0]?.properties.name) || iso3;
  };
  canvas.addEventListener('focus', () => { at = -1; live.textContent = t('keys'); });
  canvas.addEventListener('blur', close);
  canvas.addEventListener('keydown', (e) => {
    const codes = order().filter((c) => points && points[c]);
    if (!codes.length) return;
    if (e.key === 'PageDown' || e.key === 'PageUp') {
      e.preventDefault();
      at = e.key === 'PageDown' ? (at + 1) % codes.length : (at <= 0 ? codes.length - 1 : at - 1);
      open(codes[at], nameOf(codes[at]), true);
    } else if (e.key === 'Escape') {
      close();
    } else if (e.key === 'Enter' && at >= 0 && codes[at]) {
      window.location.href = href(codes[at]);
    }
  });
  return popup;
}

function countryLayers(map, shapesUrl) {
  map.addSource('countries', { type: 'geojson', data: shapesUrl, promoteId: 'iso3', maxzoom: 8, tolerance: 0.5 });
  map.addLayer({ id: 'border', type: 'line', source: 'countries', paint: { 'line-color': BORDER, 'line-width': 0.5 } });
  map.addLayer({ id: 'hover', type: 'line', source: 'countries', paint: {
    'line-color': '#1d2430', 'line-width': ['case', ['boolean', ['feature-state', 'hover'], false], 2, 0] } });
}

// the events loaded, per country, for the filters in the URL (Overview's "events" layer)
async function choropleth(el) {
  const map = newMap(el);
  const shapesUrl = new URL(el.dataset.shapes, window.location.href).href;
  const values = await getJSON(el.dataset.values);
  const measure = el.dataset.measure || 'deaths';
  const stops = breaks(values.data.map((r) => r[measure]));
  const byIso = new Map(values.data.map((r) => [r.iso3, r]));
  const points = el.dataset.points ? JSON.parse(document.getElementById(el.dataset.points).textContent) : null;
  const ready = () => {
    countryLayers(map, shapesUrl);
    // countries without events loaded are 0 here (the events layer cannot tell 'none' from 'not covered')
    map.addLayer({ id: 'fill', type: 'fill', source: 'countries', paint: { 'fill-color': stepColour(stops, 0), 'fill-opacity': 0.95 } }, 'border');
    for (const r of values.data) map.setFeatureState({ source: 'countries', id: r.iso3 }, { v: r[measure] });
    const ranked = [...values.data].sort((a, b) => b[measure] - a[measure] || a.iso3.localeCompare(b.iso3)).map((r) => r.iso3);
    hoverTooltips(map, el, 'fill', (iso3, name) => {
      const r = byIso.get(iso3) || { events: 0, deaths: 0 };
      return tooltipBox(name, [t('eventsLoaded', { events: fmt(r.events), deaths: fmt(r.deaths) })]);
    }, points, () => ranked, (iso3) => `/country/${iso3}${window.location.search}`);
    map.on('click', 'fill', (e) => { window.location.href = `/country/${e.features[0].properties.iso3}${window.location.search}`; });
    markPainted(map, el);
  };
  if (map.loaded()) ready(); else map.on('load', ready);
  stepLegend(stops, t('legendEvents', { measure: TEXT.measures[measure] || measure }), t('noneLoaded'), false);
}

// the complete country-month series, one month at a time (Overview's default layer, with the month slider)
function cmChoropleth(el) {
  const data = JSON.parse(document.getElementById(el.dataset.source).textContent);
  const map = newMap(el);
  const shapesUrl = new URL(el.dataset.shapes, window.location.href).href;
  const all = Object.values(data.values).flat();
  const stops = breaks(all);   // one scale for every month, so months compare at a glance
  let index = Number(el.dataset.month) - data.first;
  const valueOf = (iso3) => (data.values[iso3] ? data.values[iso3][index] : null);
  const paint = () => {
    for (const iso3 of Object.keys(data.values)) map.setFeatureState({ source: 'countries', id: iso3 }, { v: valueOf(iso3) });
  };
  const ready = () => {
    countryLayers(map, shapesUrl);
    map.addLayer({ id: 'fill', type: 'fill', source: 'countries', paint: { 'fill-color': stepColour(stops), 'fill-opacity': 0.95 } }, 'border');
    paint();
    const ranked = () => Object.keys(data.values).sort((a, b) => valueOf(b) - valueOf(a) || a.localeCompare(b));
    hoverTooltips(map, el, 'fill', (iso3, name) => {
      const v = valueOf(iso3);
      const month = data.months[index];
      return tooltipBox(name, [v === null ? t('noDataIn', { source: data.source }) : t('deathsIn', { deaths: fmt(v), month })], `/country/${iso3}`);
    }, data.points, ranked, (iso3) => `/country/${iso3}`);
    map.on('click', 'fill', (e) => { window.location.href = `/country/${e.features[0].properties.iso3}`; });
    // fit the view to the countries the series covers (the whole world when it is global)
    const pts = Object.values(data.points);
    if (pts.length) {
      const lons = pts.map((p) => p[0]); const lats = pts.map((p) => p[1]);
      map.fitBounds([[Math.min(...lons) - 8, Math.max(-58, Math.min(...lats) - 8)], [Math.max(...lons) + 8, Math.min(78, Math.max(...lats) + 8)]],
        { padding: 10, duration: 0 });
    }
    markPainted(map, el);
  };
  if (map.loaded()) ready(); else map.on('load', ready);
  stepLegend(stops, t('legendCm', { source: data.source }), '0');
  monthSlider(el, data, (i) => { index = i; el.dataset.painted = 'false'; paint(); markPainted(map, el); });
}

// the month slider: the label follows the thumb; the map and table change when the thumb is let go (change), or
// after the arrow keys rest for 300 ms — never on every input event
function monthSlider(el, data, apply) {
  const slider = document.getElementById('map-month');
  const out = document.getElementById('map-month-out');
  if (!slider) return;
  const label = () => data.months[Number(slider.value) - data.first];
  let timer = null;
  const commit = () => {
    clearTimeout(timer);
    const i = Number(slider.value) - data.first;
    apply(i);
    el.dataset.month = slider.value;
    for (const id of ['map-month-label']) { const t = document.getElementById(id); if (t) t.textContent = label(); }
    const caption = document.getElementById('top-caption');
    if (caption) caption.textContent = t('caption', { month: label() });
    rebuildTable(data, i);
    const url = new URL(window.location.href);
    url.searchParams.set('m', slider.value); url.searchParams.set('layer', 'cm');
    window.history.replaceState(null, '', url);
  };
  slider.addEventListener('input', () => { out.textContent = label(); slider.setAttribute('aria-valuetext', label()); });
  slider.addEventListener('change', () => { clearTimeout(timer); timer = setTimeout(commit, 300); });
  slider.addEventListener('pointerup', commit);
  slider.form.addEventListener('submit', (e) => { e.preventDefault(); commit(); });
}

function rebuildTable(data, i) {
  const body = document.querySelector('#top-table tbody');
  if (!body) return;
  const rows = Object.entries(data.values).map(([iso3, v]) => [iso3, v[i]]).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 12);
  body.replaceChildren(...rows.map(([iso3, v]) => {
    const tr = document.createElement('tr');
    const a = Object.assign(document.createElement('a'), { href: `/country/${iso3}`, textContent: data.names[iso3] || iso3 });
    a.dataset.iso3 = iso3;
    const td1 = document.createElement('td'); td1.append(a);
    const td2 = Object.assign(document.createElement('td'), { className: 'num', textContent: fmt(v) });
    tr.append(td1, td2);
    return tr;
  }));
}

function pointsBounds(points) {
  let [w, s, e, n] = [180, 90, -180, -90];
  for (const f of points.features) {
    const [x, y] = f.geometry.coordinates;
    w = Math.min(w, x); e = Math.max(e, x); s = Math.min(s, y); n = Math.max(n, y);
  }
  return points.features.length ? [w, s, e, n] : null;
}

async function clusterMap(el) {
  const map = newMap(el);
  const [shapes, points] = await Promise.all([getJSON(el.dataset.shapes), getJSON(el.dataset.points)]);
  const home = el.dataset.highlight || '';
  const ring = (el.dataset.ring || '').split(',').filter(Boolean);
  const ready = () => {
    map.addSource('countries', { type: 'geojson', data: shapes, maxzoom: 8, tolerance: 0.5 });
    map.addLayer({ id: 'land', type: 'fill', source: 'countries', paint: {
      'fill-color': ['case', ['==', ['get', 'iso3'], home], '#fde3cf', ['in', ['get', 'iso3'], ['literal', ring]], '#fbf1e4', LAND] } });
    map.addLayer({ id: 'border', type: 'line', source: 'countries', paint: {
      'line-color': ['case', ['==', ['get', 'iso3'], home], '#c2410c', BORDER],
      'line-width': ['case', ['==', ['get', 'iso3'], home], 1.5, 0.6] } });
    map.addSource('events', { type: 'geojson', data: points, cluster: true, clusterRadius: 38, clusterMaxZoom: 9,
      clusterProperties: { n: ['+', ['get', 'n']], deaths: ['+', ['get', 'deaths']] } });
    const colour = ['step', ['get', 'deaths'], CIRCLE_CLASSES[0][1]];
    CIRCLE_CLASSES.slice(1).forEach(([b, c]) => colour.push(b, c));
    map.addLayer({ id: 'events', type: 'circle', source: 'events', paint: {
      'circle-color': colour, 'circle-opacity': 0.82, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1,
      'circle-radius': ['interpolate', ['linear'], ['sqrt', ['get', 'n']], 1, 4, 10, 14, 40, 30] } });
    const popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false, focusAfterOpen: false, className: 'map-tip' });
    map.on('mousemove', 'events', (e) => {
      const f = e.features[0]; const p = f.properties;
      map.getCanvas().style.cursor = 'pointer';
      popup.setLngLat(f.geometry.coordinates).setDOMContent(tooltipBox(t(p.n === 1 ? 'event' : 'events', { n: fmt(p.n) }),
        [t('deaths', { n: fmt(p.deaths) }), p.cluster ? t('cluster') : t('near', { lat: fmtCoord(f.geometry.coordinates[1]), lon: fmtCoord(f.geometry.coordinates[0]) })])).addTo(map);
    });
    map.on('mouseleave', 'events', () => { map.getCanvas().style.cursor = ''; popup.remove(); });
    map.on('mousemove', 'land', (e) => {
      if (map.queryRenderedFeatures(e.point, { layers: ['events'] }).length) return;
      popup.setLngLat(e.lngLat).setDOMContent(tooltipBox(e.features[0].properties.name, [])).addTo(map);
    });
    map.on('mouseleave', 'land', () => popup.remove());
    map.on('click', 'events', async (e) => {
      const f = e.features[0];
      if (f.properties.cluster) {
        const zoom = await map.getSource('events').getClusterExpansionZoom(f.properties.cluster_id);
        map.easeTo({ center: f.geometry.coordinates, zoom });
      }
    });
    markPainted(map, el);
  };
  if (map.loaded()) ready(); else map.on('load', ready);
  // fit the view to what is shown: the highlighted country and every event point (the ring's events are never cropped)
  let box = el.dataset.bounds ? el.dataset.bounds.split(',').map(Number) : null;
  const pb = pointsBounds(points);
  if (pb) box = box ? [Math.min(box[0], pb[0]), Math.min(box[1], pb[1]), Math.max(box[2], pb[2]), Math.max(box[3], pb[3])] : pb;
  if (box) {
    const pad = ring.length ? 1.5 : 0.3;
    map.fitBounds([[box[0] - pad, box[1] - pad], [box[2] + pad, box[3] + pad]], { padding: 30, duration: 0, maxZoom: 8 });
  }
  const legend = el.parentElement.querySelector('.legend');
  drawLegend(legend, t('circles'), CIRCLE_CLASSES.map(([, c, label]) => [c, label, 'circle']));
  if (legend) {
    legend.append(Object.assign(document.createElement('span'), { className: 'lab', textContent: t('size', { n: fmt(points.features.reduce((a, f) => a + f.properties.n, 0)) }) }));
    if (!points.features.length) legend.append(Object.assign(document.createElement('span'), { className: 'lab empty-note', textContent: t('noPoints') }));
  }
}

for (const el of document.querySelectorAll('.map[data-kind]')) {
  const kind = el.dataset.kind;
  const draw = kind === 'choropleth' ? choropleth : kind === 'cm-choropleth' ? cmChoropleth : clusterMap;
  Promise.resolve().then(() => draw(el)).catch((err) => { showError(el, err.message); el.dataset.painted = 'error'; });
}
