// WMD page: missile tests per year, stacked by testing state, drawn with Vega-Lite from the page's JSON block
// (no eval: strict CSP).  The table under the chart is its text alternative.
import { expressionInterpreter } from '/static/vendor/vega-interpreter.mjs';
import { embed as embedChart } from '/static/js/export.mjs';

const CONFIG = { font: 'system-ui, sans-serif', background: null, view: { stroke: null },
  axis: { grid: true, gridColor: '#e2e6eb', domainColor: '#c5cdd6', labelColor: '#56606e', titleColor: '#56606e' } };

async function tests(el) {
  const values = JSON.parse(document.getElementById(el.dataset.json).textContent);
  await embedChart(el, { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: CONFIG,
    width: 'container', height: 240, autosize: { type: 'fit', contains: 'padding' }, data: { values },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'year', type: 'ordinal', title: null,
        axis: { labelAngle: 0, labelExpr: "datum.value % 5 == 0 ? datum.label : ''", ticks: false } },
      y: { field: 'tests', type: 'quantitative', stack: 'zero', title: 'tests', axis: { format: ',d' } },
      color: { field: 'country_iso3', type: 'nominal', title: 'state',
        scale: { range: ['#1f5fa8', '#c0392b', '#2e8b57', '#8e5ba8', '#b8860b'] } },
      tooltip: [{ field: 'year', title: 'year' }, { field: 'country_iso3', title: 'state' },
        { field: 'tests', title: 'tests', format: ',d' }, { field: 'successful', title: 'successful', format: ',d' },
        { field: 'failed', title: 'failed', format: ',d' }, { field: 'unknown', title: 'outcome unknown', format: ',d' }],
    },
  }, { actions: false, renderer: 'svg', ast: true, expr: expressionInterpreter });
  el.dataset.rendered = 'true';
}

const el = document.getElementById('chart-tests');
if (el) tests(el).catch((err) => { el.textContent = `The chart could not be drawn (${err.message}); the table has the numbers.`; });
