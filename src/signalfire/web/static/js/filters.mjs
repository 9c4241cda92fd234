// Filters are applied only when their form is submitted (a button or Enter), never on input, change or arrow
// keys (WCAG 3.2.2 On Input): a select can be browsed with the keyboard and two dates typed at leisure.
// Submitting a GET form puts the filters in the URL, so every view can be shared.
for (const form of document.querySelectorAll('form[data-filters]')) {
  form.addEventListener('submit', () => {
    // drop empty fields so URLs stay short (re-enabled if the page comes back from the history cache)
    for (const field of form.querySelectorAll('select, input')) field.disabled = field.value === '';
  });
}
window.addEventListener('pageshow', () => {
  for (const field of document.querySelectorAll('form[data-filters] :disabled')) field.disabled = false;
});
// "Go to a country" forms: go to /country/<code> on submit, keeping the page's other filters. A form without
// its own button gets one (a select alone cannot be submitted from the keyboard).
for (const form of document.querySelectorAll('form[data-jump]')) {
  if (!form.querySelector('button, input[type=submit]')) {
    const go = document.createElement('button');
    go.type = 'submit';
    go.className = 'btn';
    go.textContent = document.body.dataset.goLabel || 'Go';
    form.append(go);
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const field = form.querySelector('select, input[name=goto]');
    const code = (field.value || '').trim().toUpperCase();
    if (!code) return;
    const params = new URLSearchParams(window.location.search);
    params.delete('page');
    params.delete('country');
    const qs = params.toString();
    window.location.assign(`/country/${encodeURIComponent(code)}${qs ? '?' + qs : ''}`);
  });
}
