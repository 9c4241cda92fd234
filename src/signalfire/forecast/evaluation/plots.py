"""The calibration (PIT) plot of an evaluation: histograms of the randomised PIT values per forecaster; a
calibrated forecast gives a flat histogram at density 1."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def pit_plot(pits: dict[str, np.ndarray], path: Path, title: str = "PIT, challenge windows") -> Path:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    names = list(pits)
    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 3), sharey=True, squeeze=False)
    for ax, name in zip(axes[0], names):
        ax.hist(pits[name], bins=20, range=(0, 1), density=True, color="#4477aa", edgecolor="white")
        ax.axhline(1.0, color="black", lw=0.8, ls="--")
        ax.set_title(name)
        ax.set_xlabel("PIT")
    axes[0][0].set_ylabel("density")
    fig.suptitle(title)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
