// Chart export: PNG and SVG buttons under a Vega chart, made in the browser from the chart itself (nothing is
// sent anywhere). Call it with the view Vega-Embed returns:
//   import { addExport } from '/static/js/export.mjs';
//   const result = await window.vegaEmbed(el, spec, options);
//   addExport(el, result.view, 'ukraine-deaths-by-month');
// The file name should say what the chart shows (and its period); the buttons are labelled in the page's
// language from base.html's data-export-label.

function save(url, filename) {
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
}

export function addExport(el, view, name = 'chart') {
  const safe = String(name).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'chart';
  const label = document.body.dataset.exportLabel || 'Download the chart as';
  const bar = document.createElement('div');
  bar.className = 'chart-actions';
  for (const type of ['png', 'svg']) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'btn';
    button.dataset.export = type;
    const hidden = document.createElement('span');
    hidden.className = 'sr-only';
    hidden.textContent = `${label} `;
    button.append(hidden, type.toUpperCase());
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        // PNG at twice the size on a white background (readable when pasted into a dark document)
        const url = await view.background('#ffffff').toImageURL(type, type === 'png' ? 2 : 1);
        save(url, `${safe}.${type}`);
      } finally {
        button.disabled = false;
      }
    });
    bar.append(button);
  }
  el.after(bar);
  return bar;
}

// Vega-Embed with the export buttons: the same arguments as window.vegaEmbed; the file is named after the chart's
// element (data-export-name, else its id).
export async function embed(el, spec, options) {
  const result = await window.vegaEmbed(el, spec, options);
  addExport(el, result.view, el.dataset.exportName || el.id || document.title);
  return result;
}
