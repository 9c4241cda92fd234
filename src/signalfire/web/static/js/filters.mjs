// Filters live in the URL: changing a select or date submits the (GET) form, so every view can be shared.
for (const form of document.querySelectorAll('form[data-autosubmit]')) {
  for (const field of form.querySelectorAll('select, input[type=date]')) {
    field.addEventListener('change', () => {
      // drop empty fields so URLs stay short
      for (const f of form.querySelectorAll('select, input')) f.disabled = f.value === '';
      form.submit();
    });
  }
}
for (const form of document.querySelectorAll('form[data-jump]')) {
  const select = form.querySelector('select');
  select.addEventListener('change', () => {
    const params = new URLSearchParams(window.location.search);
    params.delete('page');
    params.delete('country');
    const qs = params.toString();
    window.location.assign(`/country/${encodeURIComponent(select.value)}${qs ? '?' + qs : ''}`);
  });
}
