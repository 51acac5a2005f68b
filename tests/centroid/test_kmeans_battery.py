"""k-means++ quality on the benchmark battery (../shared/datasets; skipped when absent).

For each data set, k is the reference number of clusters; the inertia after convergence,
averaged over 10 seeds, must not be worse than scikit-learn's greedy k-means++ (the same
seeds). shoal draws its candidates the way scikit-learn does, so the averages agree to
rounding unless the pruned seeding chose a different centre.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _battery import DATASETS, load_battery
from sklearn.cluster import KMeans as SKKMeans

from shoal import KMeans


def _names(max_n: int | None, min_n: int = 0) -> list[tuple[str, str]]:
    out = []
    for f in sorted(DATASETS.glob("*/*.data.gz")):
        # Sizes from the battery's README would need parsing; the file size is a cheap proxy.
        size = f.stat().st_size
        if (max_n is None or size < max_n) and size >= min_n:
            out.append((f.parent.name, f.name.removesuffix(".data.gz")))
    return out or [("missing", "missing")]


def _check(battery: str, name: str) -> None:
    X, labels = load_battery(battery, name)
    k = len(np.unique(labels[0][labels[0] > 0]))
    ours, ref = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seed in range(10):
            ours.append(KMeans(k, n_init=1, random_state=seed).fit(X).inertia_)
            ref.append(SKKMeans(k, n_init=1, random_state=seed).fit(X).inertia_)
    assert np.mean(ours) <= np.mean(ref) * (1 + 1e-9), (np.mean(ours), np.mean(ref))


@pytest.mark.parametrize(("battery", "name"), _names(max_n=20_000))
def test_kmeanspp_quality_small(battery, name):
    _check(battery, name)


@pytest.mark.slow
@pytest.mark.parametrize(("battery", "name"), _names(max_n=None, min_n=20_000))
def test_kmeanspp_quality_large(battery, name):
    _check(battery, name)
