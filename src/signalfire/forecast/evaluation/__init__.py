"""How forecasts are scored, in the open: the challenge's scores (``scores``: CRPS, IGN, MIS, Brier, one function
each), its benchmarks (``benchmarks``) and the reference model on a country's own history (``reference``), the
evaluation of a model against them on the 2018-2023 windows (``evaluate``) and on every window since 2005 with the
model chosen only on earlier ones (``rolling``), and the PIT plot (``plots``). Nothing here makes a forecast that
is stored; ``forecast/runs.py`` does."""
