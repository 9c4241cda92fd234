"""Scores of sample (ensemble) forecasts, as in the VIEWS prediction challenge 2023/24.

Every function takes ``observations`` of shape ``(n,)`` and ``samples`` of shape ``(n, m)`` (m draws per
observation) and returns one score per observation (lower is better except average precision), so callers average
as they wish.  Formulas are in each docstring; :func:`crps` agrees with ``properscoring.crps_ensemble``.
"""

from __future__ import annotations

import numpy as np

IGN_BINS = (0, 0.5, 2.5, 5.5, 10.5, 25.5, 50.5, 100.5, 250.5, 500.5, 1000.5)
THRESHOLD = 25


def _as_2d(observations, samples) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(observations, dtype=float).reshape(-1)
    x = np.asarray(samples, dtype=float)
    if x.ndim == 1:
        x = x.reshape(-1, 1)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"{y.shape[0]} observations but {x.shape[0]} rows of samples")
    return y, x


def crps(observations, samples) -> np.ndarray:
    """Continuous ranked probability score of an ensemble (the empirical distribution of the m draws):

    CRPS(F, y) = E|X - y| - ½ E|X - X'|,  with X, X' independent draws from the ensemble.

    With the draws sorted, x₍₁₎ ≤ … ≤ x₍ₘ₎, the second term is  (1/m²) Σᵢ (2i - m - 1) x₍ᵢ₎  (exact, O(m log m)).
    A deterministic forecast (m = 1) gives |x - y|.  Same result as ``properscoring.crps_ensemble``.
    """
    y, x = _as_2d(observations, samples)
    m = x.shape[1]
    x = np.sort(x, axis=1)
    first = np.abs(x - y[:, None]).mean(axis=1)
    weights = (2 * np.arange(1, m + 1) - m - 1) / m ** 2
    return first - x @ weights


def ignorance(observations, samples, bins=IGN_BINS) -> np.ndarray:
    """Ignorance (logarithmic) score of the binned ensemble, as in the challenge's evaluation code:

    bins k = 0 … K-1 are [b₀, b₁), [b₁, b₂), …, [b_{K-1}, ∞) with the edges ``bins`` (0, 0.5, 2.5, …, 1000.5;
    K = 11); one pseudo-draw is added to every bin so no probability is zero:

    IGN(F, y) = -log₂ ((#{draws in bin(y)} + 1) / (m + K)).
    """
    y, x = _as_2d(observations, samples)
    edges = np.asarray(bins, dtype=float)
    k = len(edges)
    bx = np.clip(np.digitize(x, edges) - 1, 0, k - 1)
    by = np.clip(np.digitize(y, edges) - 1, 0, k - 1)
    hits = (bx == by[:, None]).sum(axis=1)
    return -np.log2((hits + 1) / (x.shape[1] + k))


def resample_draws(samples, m: int = 1000) -> np.ndarray:
    """An ensemble of another size brought to ``m`` draws as the challenge's evaluation does before the IGN:
    Fourier resampling along the draws (``scipy.signal.resample``: the draws' discrete Fourier transform,
    zero-padded or truncated to m terms and scaled by m/n), values below zero set to zero.  A single draw
    becomes m copies of itself; conflictology's 12 values become 1,000 values on the trigonometric curve through
    them.  Ensembles of m draws are returned as they are."""
    x = np.asarray(samples, dtype=float)
    if x.ndim == 1:
        x = x.reshape(-1, 1)
    if x.shape[1] == m:
        return x
    from scipy.signal import resample
    return np.clip(resample(x, m, axis=1), 0, None)


def interval(observations, samples, level: float = 0.9) -> np.ndarray:
    """Interval score of the central ``level`` prediction interval (MIS when averaged; Gneiting & Raftery 2007):

    with α = 1 - level, l and u the α/2 and 1 - α/2 quantiles of the draws (linear interpolation),

    IS(l, u; y) = (u - l) + (2/α)(l - y)·1{y < l} + (2/α)(y - u)·1{y > u}.
    """
    y, x = _as_2d(observations, samples)
    alpha = 1 - level
    lo, hi = np.quantile(x, [alpha / 2, 1 - alpha / 2], axis=1)
    return (hi - lo) + (2 / alpha) * np.clip(lo - y, 0, None) + (2 / alpha) * np.clip(y - hi, 0, None)


def exceedance(samples, threshold: float = THRESHOLD) -> np.ndarray:
    """P(Y ≥ threshold) from the draws: the share of draws at or above the threshold."""
    x = np.asarray(samples, dtype=float)
    return (x >= threshold).mean(axis=1)


def brier(observations, samples, threshold: float = THRESHOLD) -> np.ndarray:
    """Brier score of the event Y ≥ threshold:  (p - 1{y ≥ threshold})²,  p = share of draws ≥ threshold."""
    y, x = _as_2d(observations, samples)
    return (exceedance(x, threshold) - (y >= threshold)) ** 2


def average_precision(observations, samples, threshold: float = THRESHOLD) -> float:
    """Average precision of p = P(Y ≥ threshold) ranking the events y ≥ threshold (higher is better):

    AP = Σₙ (Rₙ - Rₙ₋₁) Pₙ over the distinct thresholds of p in decreasing order (recall R, precision P), as
    ``sklearn.metrics.average_precision_score``; NaN when no event occurred.
    """
    y, x = _as_2d(observations, samples)
    events = y >= threshold
    if not events.any():
        return float("nan")
    p = exceedance(x, threshold)
    order = np.argsort(-p, kind="mergesort")
    p, events = p[order], events[order]
    last = np.r_[np.flatnonzero(np.diff(p) != 0), len(p) - 1]  # last index of each tied group
    tp = np.cumsum(events)[last]
    precision = tp / (last + 1)
    recall = tp / events.sum()
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def pit(observations, samples, rng: np.random.Generator | None = None) -> np.ndarray:
    """Randomised probability integral transform for count data: u = F(y-) + V·(F(y) - F(y-)), V ~ U(0, 1),
    with F the empirical CDF of the draws.  Uniform when the forecast is calibrated."""
    y, x = _as_2d(observations, samples)
    rng = rng or np.random.default_rng(0)
    below = (x < y[:, None]).mean(axis=1)
    at = (x <= y[:, None]).mean(axis=1)
    return below + rng.uniform(size=len(y)) * (at - below)


SCORES = {"crps": crps, "ign": ignorance, "mis": interval, "brier25": brier}


def per_observation(observations, samples, ign_draws: int | None = None) -> dict[str, np.ndarray]:
    """Each score of :data:`SCORES`, one value per observation.  With ``ign_draws`` the IGN is scored on the
    draws brought to that many (:func:`resample_draws`), as the challenge scores every forecaster on 1,000: the
    IGN of an ensemble depends on its size (one pseudo-draw per bin weighs 1/(m + K))."""
    y, x = _as_2d(observations, samples)
    out = {name: fn(y, x) for name, fn in SCORES.items()}
    if ign_draws is not None and x.shape[1] != ign_draws:
        out["ign"] = ignorance(y, resample_draws(x, ign_draws))
    return out


def summary(observations, samples, scored: dict[str, np.ndarray] | None = None) -> dict[str, float]:
    """Mean CRPS, IGN, MIS (90%), Brier (≥25) and average precision (≥25) over all observations; ``scored``:
    the :func:`per_observation` values when the caller has them already."""
    y, x = _as_2d(observations, samples)
    scored = scored if scored is not None else per_observation(y, x)
    out = {name: float(np.mean(v)) for name, v in scored.items()}
    out["ap25"] = average_precision(y, x)
    return out
