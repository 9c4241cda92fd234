// The country page's timeline across the threat streams: one Vega-Lite panel per series (each its own unit), on
// a shared year axis.  Data from the server-rendered <script type="application/json" id="timeline-data">; labels
// reach the chart as Vega text, never as markup.
import { expressionInterpreter } from '/static/vendor/vega-interpreter.mjs';
import { embed as embedChart } from '/static/js/export.mjs';

const el = document.getElementById('timeline-chart');
const source = document.getElementById('timeline-data');
if (el && source && window.vegaEmbed) {
  const rows = JSON.parse(source.textContent);
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json', data: { values: rows },
    config: { font: 'system-ui, sans-serif', background: '#ffffff', view: { stroke: null },
      axis: { gridColor: '#eef0f3', labelColor: '#475467', titleColor: '#475467' },
      header: { labelColor: '#344054', labelFontSize: 12, labelAnchor: 'start', labelAngle: 0, labelOrient: 'top' } },
    facet: { row: { field: 'label', type: 'nominal', title: null, sort: { field: 'series' } } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: Math.max(220, el.clientWidth - 90), height: 70,
      mark: { type: 'area', line: { color: '#1f5fa8' }, color: '#bcd3ee', tooltip: true },
      encoding: {
        x: { field: 'year', type: 'quantitative', title: null, axis: { format: 'd', labelAngle: 0 } },
        y: { field: 'value', type: 'quantitative', title: null, axis: { format: ',d', tickCount: 3, tickMinStep: 1 } },
        tooltip: [{ field: 'label', title: 'series' }, { field: 'year', format: 'd' },
          { field: 'value', format: ',d' }, { field: 'source' }] } } };
  embedChart(el, spec, { actions: false, renderer: 'svg', ast: true, expr: expressionInterpreter })
    .then(() => { el.dataset.rendered = 'true'; })
    .catch(() => { el.textContent = ''; });
}
