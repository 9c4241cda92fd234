// UN voting pages: agreement of two states per session (Vega-Lite lines with Vega's expression interpreter: no
// eval under the CSP), fetched from the JSON API in data-agreement; the rows also fill the table beside it
// (the chart's text alternative), set as text only.
import { expressionInterpreter } from '/static/vendor/vega-interpreter.mjs';
import { embed as embedChart } from '/static/js/export.mjs';

function message(el, text) {
  el.replaceChildren(Object.assign(document.createElement('p'), { className: 'empty-chart', textContent: text }));
  el.dataset.rendered = 'empty';
}

function fillTable(table, rows) {
  const body = table.tBodies[0];
  body.replaceChildren(...rows.map((r) => {
    const tr = document.createElement('tr');
    const cells = [String(r.session), r.first_vote || '', r.votes.toLocaleString('en'),
      `${(100 * r.identical).toFixed(1)}%`, r.coincidence.toFixed(3)];
    cells.forEach((text, i) => {
      const td = document.createElement('td');
      td.textContent = text;
      if (i >= 2) td.className = 'num';
      tr.append(td);
    });
    return tr;
  }));
}

async function agreement(el) {
  const response = await fetch(el.dataset.agreement, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`${response.status}`);
  const rows = (await response.json()).data;
  const table = document.querySelector('[data-pair-table]');
  if (table) fillTable(table, rows);
  if (!rows.length) { message(el, 'These two states never voted in the same roll call.'); return; }
  const long = rows.flatMap((r) => [
    { session: r.session, measure: 'coincidence index', value: r.coincidence, votes: r.votes },
    { session: r.session, measure: 'identical share', value: r.identical, votes: r.votes }]);
  await embedChart(el, {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container', height: 240, autosize: { type: 'fit', contains: 'padding' },
    config: { font: 'system-ui, sans-serif', background: '#ffffff', view: { stroke: null } },
    data: { values: long },
    mark: { type: 'line', point: true, tooltip: true },
    encoding: {
      x: { field: 'session', type: 'quantitative', title: 'General Assembly session', axis: { format: 'd' } },
      y: { field: 'value', type: 'quantitative', title: 'agreement', scale: { domain: [0, 1] } },
      color: { field: 'measure', type: 'nominal', title: null, scale: { range: ['#c2410c', '#1f5fa8'] }, legend: { orient: 'bottom' } },
      tooltip: [{ field: 'session' }, { field: 'measure' }, { field: 'value', format: '.3f' }, { field: 'votes' }],
    },
  }, { actions: false, renderer: 'svg', ast: true, expr: expressionInterpreter });
  el.dataset.rendered = 'true';
}

for (const el of document.querySelectorAll('[data-agreement]')) {
  agreement(el).catch(() => message(el, 'The chart could not be loaded.'));
}
