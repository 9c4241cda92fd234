// Monthly series charts in Vega-Lite, embedded with Vega's expression interpreter (no eval: strict CSP).
import { expressionInterpreter } from '/static/vendor/vega-interpreter.mjs';

const PALETTE = ['#c2410c', '#1f5fa8', '#7a1848', '#4b2a87', '#8a5300', '#17683f', '#475467', '#0e7490'];

for (const el of document.querySelectorAll('.chart[data-series]')) {
  const field = el.dataset.field || 'events';
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container', height: 240, autosize: { type: 'fit', contains: 'padding' },
    data: { url: el.dataset.series, format: { type: 'json', property: 'data' } },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'month', type: 'temporal', timeUnit: 'yearmonth', title: null, axis: { format: '%b %Y', labelAngle: 0, tickCount: 6 } },
      y: { field, type: 'quantitative', aggregate: 'sum', title: el.dataset.title || field },
      color: { field: 'series', type: 'nominal', title: null, scale: { range: PALETTE }, legend: { orient: 'bottom', labelFontSize: 11 } },
      tooltip: [{ field: 'month', type: 'temporal', timeUnit: 'yearmonth', title: 'month' }, { field: 'series', title: 'series' },
        { field, aggregate: 'sum', title: field }],
    },
    config: { font: 'system-ui, sans-serif', view: { stroke: null }, axis: { grid: true, gridColor: '#eef0f3', domainColor: '#c5cdd6', labelColor: '#5f6b7a', titleColor: '#5f6b7a' } },
  };
  window.vegaEmbed(el, spec, { actions: false, renderer: 'svg', ast: true, expr: expressionInterpreter })
    .then(() => { el.dataset.rendered = 'true'; })
    .catch((err) => { el.textContent = `Chart unavailable: ${err.message}`; el.dataset.rendered = 'error'; });
}
