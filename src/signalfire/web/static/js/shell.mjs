// What every page needs after load (base.html): scrollable regions reachable by keyboard, and a language chosen
// in the URL kept while browsing.

// A table (or panel) wider than the screen scrolls inside its box: make the box focusable so keyboard users can
// scroll it too (WCAG 2.1.1), named after its section's heading.
function markScrollable() {
  for (const box of document.querySelectorAll('.table-wrap, main .panel')) {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute('tabindex')) {
      box.tabIndex = 0;
      box.dataset.scrollRegion = 'true';
      if (!box.matches('section, [role]')) {
        box.setAttribute('role', 'region');
        const heading = box.closest('section')?.querySelector('h2, h3');
        box.setAttribute('aria-label', heading ? heading.textContent.trim() : document.title);
      }
    } else if (!scrolls && box.dataset.scrollRegion) {
      box.removeAttribute('tabindex');
      delete box.dataset.scrollRegion;
    }
  }
}
markScrollable();
let resizeTimer;
window.addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(markScrollable, 200); });
window.addEventListener('load', markScrollable);

// A language chosen in the URL (?lang=pl) stays while browsing without a cookie: links to this site's pages and
// GET forms carry it (remembering it in a cookie needs the preferences consent; see pages.py).
const lang = document.documentElement.dataset.carryLang;
if (lang) {
  const skip = (path) => path.startsWith('/api/') || path.startsWith('/static/');
  for (const a of document.querySelectorAll('a[href]')) {
    if (a.closest('.lang-switch') || a.getAttribute('href').startsWith('#')) continue;
    const url = new URL(a.getAttribute('href'), window.location.href);
    if (url.origin !== window.location.origin || skip(url.pathname) || url.searchParams.has('lang')) continue;
    url.searchParams.set('lang', lang);
    a.setAttribute('href', url.pathname + url.search + url.hash);
  }
  for (const form of document.querySelectorAll('form')) {
    if ((form.getAttribute('method') || 'get').toLowerCase() !== 'get' || form.querySelector('input[name=lang]')) continue;
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = 'lang';
    input.value = lang;
    form.append(input);
  }
}
