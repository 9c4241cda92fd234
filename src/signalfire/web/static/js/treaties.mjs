// Arms-control pages: the timeline of a state's treaty actions (Vega-Lite, with Vega's expression interpreter:
// no eval under the CSP).  Data comes from the JSON API named in data-timeline; the page also has the same rows
// as a table (the chart's text alternative).  Text from the data is only ever set as text.
import { expressionInterpreter } from '/static/vendor/vega-interpreter.mjs';
import { embed as embedChart } from '/static/js/export.mjs';

const ACTION_COLOURS = { domain: ['signature', 'ratification', 'entry_into_force', 'withdrawal', 'withdrawal_of_ratification', 'end'],
  range: ['#8a5300', '#17683f', '#1f5fa8', '#b42318', '#7a1848', '#475467'] };

function message(el, text) {
  el.replaceChildren(Object.assign(document.createElement('p'), { className: 'empty-chart', textContent: text }));
  el.dataset.rendered = 'empty';
}

async function timeline(el) {
  const response = await fetch(el.dataset.timeline, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`${response.status}`);
  const rows = (await response.json()).data.filter((r) => r.action_date);
  if (!rows.length) { message(el, 'No dated actions.'); return; }
  const instruments = [...new Set(rows.map((r) => r.instrument))];
  await embedChart(el, {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container', height: Math.max(160, 22 * instruments.length), autosize: { type: 'fit', contains: 'padding' },
    config: { font: 'system-ui, sans-serif', background: '#ffffff', view: { stroke: null } },
    data: { values: rows },
    mark: { type: 'point', filled: true, size: 70, tooltip: true },
    encoding: {
      x: { field: 'action_date', type: 'temporal', title: 'date', axis: { format: '%Y', labelAngle: 0 } },
      y: { field: 'instrument', type: 'nominal', title: null, sort: instruments },
      color: { field: 'action', type: 'nominal', title: 'action', scale: ACTION_COLOURS, legend: { orient: 'bottom' } },
      shape: { field: 'source', type: 'nominal', title: 'source', legend: { orient: 'bottom' } },
      tooltip: [{ field: 'instrument' }, { field: 'action' }, { field: 'action_date', type: 'temporal', format: '%Y-%m-%d' }, { field: 'source' }],
    },
  }, { actions: false, renderer: 'svg', ast: true, expr: expressionInterpreter });
  el.dataset.rendered = 'true';
}

for (const el of document.querySelectorAll('[data-timeline]')) {
  timeline(el).catch(() => message(el, 'The chart could not be loaded; the table below has the data.'));
}
