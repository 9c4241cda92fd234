// What the map modules share: the palette of the maps, the legend, the hover tooltip, and the JSON fetch that turns
// an API error into its message.

export const OCEAN = '#dce7f1';
export const LAND = '#f3f0ea';
export const BORDER = '#b9c2cc';
// no data: a mid grey, unlike the pale 'zero' / lowest class and unlike every colour of the ramp
export const NODATA = '#a3abb5';
export const ZERO = '#fbf7ef';
export const RAMP = ['#fee8c8', '#fdd49e', '#fdbb84', '#fc8d59', '#ef6548', '#d7301f', '#990000'];
// event circles: colour by deaths, size by the number of events
export const CIRCLE_CLASSES = [[0, '#f59e0b', '0–9'], [10, '#ea580c', '10–99'], [100, '#c2410c', '100–999'], [1000, '#7f1d1d', `${fmtInt(1000)}+`]];   // 1,000+ / 1000+ as the page's language writes it

import { fmtInt } from '/static/js/format.mjs';

export const fmt = fmtInt;   // numbers as the page's language writes them (format.mjs, the twin of formatting.py)

export async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!response.ok) {
    let message = `${response.status}`;
    try { message = (await response.json()).error.message; } catch (e) { /* keep status */ }
    throw new Error(message);
  }
  return response.json();
}

// a legend: a title, then swatches ([colour, label, shape]) — textContent only
export function drawLegend(el, title, items) {
  if (!el) return;
  const parts = [Object.assign(document.createElement('span'), { className: 'lab legend-title', textContent: title })];
  for (const [colour, label, shape] of items) {
    const sw = document.createElement('span');
    sw.className = shape === 'circle' ? 'sw circle' : 'sw';
    sw.style.background = colour;
    if (shape && shape.size) { sw.style.width = `${shape.size}px`; sw.style.height = `${shape.size}px`; }
    // a swatch and its label wrap together (never a swatch at a line's end and its label on the next)
    const item = Object.assign(document.createElement('span'), { className: 'legend-item' });
    Object.assign(item.style, { display: 'inline-flex', alignItems: 'center', gap: '.2rem', whiteSpace: 'nowrap' });
    item.append(sw, Object.assign(document.createElement('span'), { className: 'lab', textContent: label }));
    parts.push(item);
  }
  el.replaceChildren(...parts);
}

export function tooltipBox(title, lines, href) {
  const box = document.createElement('div');
  const head = document.createElement(href ? 'a' : 'strong');
  head.textContent = title;
  if (href) head.href = href;
  box.append(head);
  for (const line of lines) box.append(Object.assign(document.createElement('div'), { textContent: line }));
  return box;
}
