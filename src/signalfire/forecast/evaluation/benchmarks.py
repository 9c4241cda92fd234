"""The four benchmarks of the VIEWS prediction challenge 2023/24, for any cut-off.

Each takes ``history`` (countries × months up to and including the cut-off month, deaths) and returns draws of
shape ``(countries, horizons, draws)``, the same for every horizon:

* ``zero``: every draw 0;
* ``last``: Poisson draws around the value of the cut-off month;
* ``boot``: draws with replacement from all countries' values over the 12 months to the cut-off (one global pool);
* ``conflictology``: each country's own 12 values to the cut-off, as 12 equally weighted draws.
"""

from __future__ import annotations

import numpy as np

BENCHMARKS = ("zero", "last", "boot", "conflictology")


def benchmark(name: str, history: np.ndarray, horizons: int, draws: int = 1000, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = history.shape[0]
    if name == "zero":
        return np.zeros((n, horizons, 1))
    if name == "last":
        return rng.poisson(history[:, -1][:, None, None], size=(n, horizons, draws)).astype(float)
    if name == "boot":
        pool = history[:, -12:].reshape(-1)
        return rng.choice(pool, size=(n, horizons, draws)).astype(float)
    if name == "conflictology":
        return np.repeat(history[:, None, -12:], horizons, axis=1).astype(float)
    raise ValueError(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}")
