// Maps: a world choropleth (Overview) and clustered event maps (Country, Neighbourhood watch).
// Country shapes come from this server (Natural Earth, shipped with Signalfire); there are no tiles and no
// text labels (which would need glyphs from elsewhere), so nothing loads from another host.
import * as ml from '/static/vendor/maplibre-gl.mjs';
import { BORDER, LAND, OCEAN, RAMP, getJSON } from '/static/js/mapstyle.mjs';

const maplibregl = ml.default ?? ml;
if (maplibregl.prewarm) maplibregl.prewarm();   // start the worker while the page's data loads

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
function markPainted(map, el) {
  map.once('idle', () => { el.dataset.paintedAt = String(Math.round(performance.now())); el.dataset.painted = 'true'; });
}

function showError(el, message) {
  const div = document.createElement('div');
  div.className = 'map-error';
  div.textContent = `Map unavailable: ${message}`;
  el.replaceChildren(div);
}

function popupContent(title, lines, href) {
  const box = document.createElement('div');
  const head = document.createElement(href ? 'a' : 'strong');
  head.textContent = title;
  if (href) head.href = href;
  box.append(head);
  for (const line of lines) {
    const p = document.createElement('div');
    p.textContent = line;
    box.append(p);
  }
  return box;
}

function breaks(values) {
  const max = Math.max(1, ...values);
  const out = [];
  for (let i = 1; i < RAMP.length; i += 1) out.push(Math.round(Math.pow(max, i / RAMP.length)));
  return [...new Set(out)].filter((b) => b > 0);
}

function bboxOf(features) {
  let [w, s, e, n] = [180, 90, -180, -90];
  const visit = (c) => {
    if (typeof c[0] === 'number') {
      w = Math.min(w, c[0]); e = Math.max(e, c[0]); s = Math.min(s, c[1]); n = Math.max(n, c[1]);
    } else c.forEach(visit);
  };
  features.forEach((f) => visit(f.geometry.coordinates));
  return [[w, s], [e, n]];
}

async function choropleth(el) {
  const map = newMap(el);
  // the worker fetches and tiles the shapes itself (no copy through the main thread); values join by feature state
  const shapesUrl = new URL(el.dataset.shapes, window.location.href).href;
  const values = await getJSON(el.dataset.values);
  const measure = el.dataset.measure || 'deaths';
  const stops = breaks(values.data.map((r) => r[measure]));
  const v = ['coalesce', ['feature-state', 'v'], 0];
  const color = ['step', v, LAND, 1, RAMP[0]];
  stops.forEach((b, i) => { if (b > 1) color.push(b, RAMP[Math.min(i + 1, RAMP.length - 1)]); });
  const byIso = new Map(values.data.map((r) => [r.iso3, r]));
  const ready = () => {
    map.addSource('countries', { type: 'geojson', data: shapesUrl, promoteId: 'iso3', maxzoom: 8, tolerance: 0.5 });
    for (const r of values.data) map.setFeatureState({ source: 'countries', id: r.iso3 }, { v: r[measure] });
    map.addLayer({ id: 'fill', type: 'fill', source: 'countries', paint: { 'fill-color': color, 'fill-opacity': 0.95 } });
    map.addLayer({ id: 'border', type: 'line', source: 'countries', paint: { 'line-color': BORDER, 'line-width': 0.5 } });
    map.on('click', 'fill', (e) => {
      const p = e.features[0].properties;
      const r = byIso.get(p.iso3) || { events: 0, deaths: 0 };
      new maplibregl.Popup({ closeButton: false }).setLngLat(e.lngLat)
        .setDOMContent(popupContent(p.name, [`${Number(r.events).toLocaleString()} events`,
          `${Number(r.deaths).toLocaleString()} deaths`], `/country/${p.iso3}${window.location.search}`))
        .addTo(map);
    });
    markPainted(map, el);
    map.on('mouseenter', 'fill', () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', 'fill', () => { map.getCanvas().style.cursor = ''; });
  };
  if (map.loaded()) ready(); else map.on('load', ready);
  const legend = document.getElementById('legend');
  if (legend) {
    const items = [[LAND, '0'], [RAMP[0], '1+'], ...stops.filter((b) => b > 1).map((b, i) => [RAMP[Math.min(i + 1, RAMP.length - 1)], `${b.toLocaleString()}+`])];
    legend.replaceChildren(...items.flatMap(([c, label]) => {
      const sw = document.createElement('span'); sw.className = 'sw'; sw.style.background = c;
      const lab = document.createElement('span'); lab.className = 'lab'; lab.textContent = label;
      return [sw, lab];
    }));
    legend.prepend(Object.assign(document.createElement('span'), { className: 'lab', textContent: `${measure}:` }));
  }
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
    map.addLayer({ id: 'events', type: 'circle', source: 'events', paint: {
      'circle-color': ['step', ['get', 'deaths'], '#f59e0b', 10, '#ea580c', 100, '#c2410c', 1000, '#7f1d1d'],
      'circle-opacity': 0.82, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1,
      'circle-radius': ['interpolate', ['linear'], ['sqrt', ['get', 'n']], 1, 4, 10, 14, 40, 30] } });
    map.on('click', 'events', async (e) => {
      const f = e.features[0];
      const p = f.properties;
      if (p.cluster) {
        const zoom = await map.getSource('events').getClusterExpansionZoom(p.cluster_id);
        map.easeTo({ center: f.geometry.coordinates, zoom });
        return;
      }
      new maplibregl.Popup({ closeButton: false }).setLngLat(f.geometry.coordinates)
        .setDOMContent(popupContent(`${Number(p.n).toLocaleString()} events`, [`${Number(p.deaths).toLocaleString()} deaths`,
          `near ${f.geometry.coordinates[1].toFixed(2)}, ${f.geometry.coordinates[0].toFixed(2)}`]))
        .addTo(map);
    });
    markPainted(map, el);
    map.on('mouseenter', 'events', () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', 'events', () => { map.getCanvas().style.cursor = ''; });
  };
  if (map.loaded()) ready(); else map.on('load', ready);
  if (el.dataset.bounds) {
    const [w, s, e, n] = el.dataset.bounds.split(',').map(Number);
    // the ring map shows the home country with a margin of the distance band (at least ~3 degrees)
    const pad = ring.length ? Math.max(3, Number(el.dataset.distance || 0) / 80) : 0;
    map.fitBounds([[w - pad * 1.5, s - pad], [e + pad * 1.5, n + pad]], { padding: 30, duration: 0 });
  }
}

for (const el of document.querySelectorAll('.map[data-kind]')) {
  const draw = el.dataset.kind === 'choropleth' ? choropleth : clusterMap;
  draw(el).catch((err) => { showError(el, err.message); el.dataset.painted = 'error'; });
}
