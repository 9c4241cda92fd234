// Military context page: SIPRI expenditure (bars, constant US$, with share of GDP in the tooltip) and the
// Archigos leaders timeline, drawn with Vega-Lite from the page's JSON blocks (no eval: strict CSP).
// The tables beside each chart are their text alternative.
import { expressionInterpreter } from '/static/vendor/vega-interpreter.mjs';
import { embed as embedChart } from '/static/js/export.mjs';

const CONFIG = { font: 'system-ui, sans-serif', background: null, view: { stroke: null },
  axis: { grid: true, gridColor: '#e2e6eb', domainColor: '#c5cdd6', labelColor: '#56606e', titleColor: '#56606e' } };

function rows(el) {
  return JSON.parse(document.getElementById(el.dataset.json).textContent);
}

async function embed(el, spec) {
  await embedChart(el, { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: CONFIG,
    width: 'container', autosize: { type: 'fit', contains: 'padding' }, ...spec },
  { actions: false, renderer: 'svg', ast: true, expr: expressionInterpreter });
  el.dataset.rendered = 'true';
}

function milex(el) {
  const values = rows(el).map((r) => ({ ...r, share: r.milex_share_gdp == null ? null : r.milex_share_gdp * 100 }));
  return embed(el, {
    height: 240, data: { values },
    mark: { type: 'bar', color: '#1f5fa8', tooltip: true },
    encoding: {
      x: { field: 'year', type: 'ordinal', title: null,
        axis: { labelAngle: 0, labelExpr: "datum.value % 5 == 0 ? datum.label : ''", ticks: false } },
      y: { field: 'milex_constant_usd_m', type: 'quantitative', title: 'US$ m. (constant prices)', axis: { format: ',d' } },
      tooltip: [{ field: 'year', title: 'year' }, { field: 'milex_constant_usd_m', title: 'US$ m. constant', format: ',.0f' },
        { field: 'milex_current_usd_m', title: 'US$ m. current', format: ',.0f' }, { field: 'share', title: '% of GDP', format: '.2f' }],
    },
  });
}

function leaders(el) {
  return embed(el, {
    height: { step: 16 },
    data: { values: rows(el).map((r) => ({ ...r, label: `${r.leader} ${r.start_date}` })) },
    mark: { type: 'bar', color: '#7a1848', tooltip: true },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: { field: 'start_date' }, title: null, scale: { padding: 0.2 },
        axis: { labelLimit: 200 } },
      x: { field: 'start_date', type: 'temporal', title: null, axis: { format: '%Y' } },
      x2: { field: 'end_date' },
      tooltip: [{ field: 'leader', title: 'leader' }, { field: 'start_date', title: 'from' }, { field: 'end_date', title: 'to' }],
    },
  });
}

for (const [id, draw] of [['chart-milex', milex], ['chart-leaders', leaders]]) {
  const el = document.getElementById(id);
  if (el) draw(el).catch((err) => { el.textContent = `The chart could not be drawn (${err.message}); the table has the numbers.`; });
}
