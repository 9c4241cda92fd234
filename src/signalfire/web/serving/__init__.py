"""What the routes and pages read, behind the HTTP side: the server's read connection and its per-data-version
caches (``datastore``), the aggregates the dashboard shows (``analytics``, ``country_month``, ``trends``), the
in-memory rollups that keep them fast on millions of events (``rollup``) and the period presets (``periods``).
Nothing here renders a page or knows a route."""
