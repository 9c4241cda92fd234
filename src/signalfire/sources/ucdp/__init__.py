"""The Uppsala Conflict Data Program's published formats: GED events as CSV (``ucdp_ged``, with its SQL plan for
large files, ``ucdp_ged_sql``) and as GeoJSON (``ucdp_ged_geojson``), the UCDP/PRIO Armed Conflict Dataset
(``ucdp_acd``), the Country-Year Dataset on Organized Violence (``ucdp_cy``) and Battle-Related Deaths
(``ucdp_brd``). The CLI names are listed in ``sources/__init__.py``."""
