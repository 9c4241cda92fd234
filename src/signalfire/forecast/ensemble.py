"""Combining forecasters by quantile averaging (Vincentization), and the combinations the rolling evaluation
scores as candidates of its model choice (:mod:`.rolling`).

**Quantile averaging.**  Each forecaster gives draws x₁ … xₘ per country-month; sorted, they are its empirical
quantile function Qᵢ(u) = x₍⌈u·m⌉₎.  The combination with weights wᵢ ≥ 0, Σ wᵢ = 1, is the forecast whose
quantile function is the weighted mean of the members':

    Q(u) = Σᵢ wᵢ Qᵢ(u),    taken at u = (k + ½)/M, k = 0 … M − 1 (M draws, rounded to whole deaths).

Unlike a mixture of the draws (which keeps every member's spread and adds the spread between their medians), it
keeps the members' common shape and averages their locations and spreads, so its intervals are no wider than the
widest member's.  Since the CRPS is the integral over u of the pinball loss of Q(u) and that loss is convex in
Q(u), the combination's CRPS (before rounding) is at most Σ wᵢ CRPS(Qᵢ): a combination is never worse than the
weighted mean of its members (``tests/test_forecast_ensemble.py`` checks both formulas).

A member with fewer draws (conflictology's 12 values) is read through its empirical quantile function at the same
M levels, so each of its values counts 1/m.
"""

from __future__ import annotations

import numpy as np

# the combinations the rolling evaluation scores: (our model, the reference, conflictology) weights.  A small
# grid, because every candidate is scored on every window; the rolling choice picks among them on earlier windows.
MEMBERS = ("qgbm", "reference", "conflictology")
WEIGHTS = ((0.8, 0.2, 0.0), (0.6, 0.4, 0.0), (0.5, 0.5, 0.0), (0.8, 0.0, 0.2), (0.6, 0.2, 0.2))


def quantile_function(draws: np.ndarray, levels: int) -> np.ndarray:
    """The empirical quantile function of the draws (…, m) at u = (k + ½)/levels, k = 0 … levels − 1:
    x₍⌈u·m⌉₎ of the sorted draws (…, levels).  With m = levels, the sorted draws themselves."""
    x = np.sort(np.asarray(draws, dtype=float), axis=-1)
    m = x.shape[-1]
    if m == levels:
        return x
    idx = np.ceil((np.arange(levels) + 0.5) / levels * m).astype(int) - 1
    return x[..., idx]


def quantile_average(members, weights, draws: int = 1000) -> np.ndarray:
    """Vincentization: the forecast (…, draws) whose quantile function is Σ wᵢ Qᵢ(u) over the ``members``'
    draws (each …, mᵢ; the same leading shape), rounded to whole deaths.  ``weights`` ≥ 0 are normalised to sum 1;
    members of weight 0 are skipped."""
    weights = np.asarray(weights, dtype=float)
    if len(weights) != len(members) or (weights < 0).any() or weights.sum() <= 0:
        raise ValueError(f"need one non-negative weight per member, not all 0: {weights.tolist()}")
    weights = weights / weights.sum()
    out = None
    for d, w in zip(members, weights):
        if w == 0:
            continue
        part = w * quantile_function(d, draws)
        out = part if out is None else out + part
    return np.rint(out)


def name(weights) -> str:
    """The candidate's name: ``ensemble-0.6-0.2-0.2`` for weights of our model, the reference, conflictology."""
    return "ensemble-" + "-".join(f"{w:g}" for w in weights)


def combinations(forecasts: dict[str, np.ndarray], draws: int = 1000, weights=WEIGHTS) -> dict[str, np.ndarray]:
    """Each combination of :data:`WEIGHTS` whose members are all in ``forecasts`` (draws per forecaster)."""
    out = {}
    for w in weights:
        used = [m for m, x in zip(MEMBERS, w) if x > 0]
        if all(m in forecasts for m in used):
            out[name(w)] = quantile_average([forecasts[m] for m in used], [x for x in w if x > 0], draws)
    return out
