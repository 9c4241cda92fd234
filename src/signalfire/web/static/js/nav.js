// The header's menus (classic script, run as soon as the header is parsed so phones never see the open menu).
// Wide screens: the nav is always shown and each group is a <details> drop-down (Escape or a click elsewhere
// closes it). Phones: the nav hides behind the "Menu" disclosure, with every group listed open inside it.
(function () {
  var wrap = document.getElementById('nav-wrap');
  if (!wrap) return;
  var groups = wrap.querySelectorAll('details.nav-group');
  var menus = document.querySelectorAll('header.top details.nav-group');   // the nav's groups and "data to"
  var wide = window.matchMedia('(min-width: 761px)');
  function layout() {
    wrap.open = wide.matches;
    for (var i = 0; i < groups.length; i += 1) groups[i].open = !wide.matches;
  }
  layout();
  wide.addEventListener('change', layout);
  function dropdown(menu) { return wide.matches || !wrap.contains(menu); }
  function closeOthers(keep) {
    for (var i = 0; i < menus.length; i += 1) if (menus[i] !== keep && dropdown(menus[i])) menus[i].open = false;
  }
  for (var i = 0; i < menus.length; i += 1) {
    menus[i].addEventListener('toggle', function (ev) { if (ev.target.open) closeOthers(ev.target); });
  }
  document.addEventListener('click', function (ev) {
    for (var i = 0; i < menus.length; i += 1) {
      if (menus[i].open && dropdown(menus[i]) && !menus[i].contains(ev.target)) menus[i].open = false;
    }
  });
  document.addEventListener('keydown', function (ev) {
    if (ev.key !== 'Escape') return;
    for (var i = 0; i < menus.length; i += 1) {
      if (menus[i].open && dropdown(menus[i])) {
        menus[i].open = false;
        menus[i].querySelector('summary').focus();
      }
    }
  });
}());
