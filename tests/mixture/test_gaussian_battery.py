"""GaussianMixture quality on the benchmark battery (../shared/datasets; skipped when absent).

For each data set (standardised), k is the reference number of clusters; the ARI of the
predicted components against the reference labels, averaged over 3 seeds, must not be worse
than scikit-learn's GaussianMixture on the same seeds (both initialise with k-means, so they
usually find the same mixture, components numbered differently).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _battery import DATASETS, load_battery
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture as SKGaussianMixture

from shoal import GaussianMixture


def _names(max_size: int | None, min_size: int = 0) -> list[tuple[str, str]]:
    out = []
    for f in sorted(DATASETS.glob("*/*.data.gz")):
        size = f.stat().st_size  # a cheap proxy of n * d
        if (max_size is None or size < max_size) and size >= min_size:
            out.append((f.parent.name, f.name.removesuffix(".data.gz")))
    return out or [("missing", "missing")]


def _check(battery: str, name: str) -> None:
    X, labels = load_battery(battery, name)
    y = labels[0]
    k = len(np.unique(y[y > 0]))
    if k < 2 or k > X.shape[0] // 2:
        pytest.skip(f"{name}: reference k={k} does not suit a mixture fit")
    std = X.std(axis=0)
    X = (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)
    ours, ref = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seed in range(3):
            kw = dict(n_components=k, random_state=seed, reg_covar=1e-4)
            ours.append(adjusted_rand_score(y, GaussianMixture(**kw).fit_predict(X)))
            ref.append(adjusted_rand_score(y, SKGaussianMixture(**kw).fit_predict(X)))
    assert np.mean(ours) >= np.mean(ref) - 0.01, (np.mean(ours), np.mean(ref))


@pytest.mark.slow
@pytest.mark.parametrize(("battery", "name"), _names(max_size=400_000))
def test_gmm_battery_ari_not_worse_than_sklearn(battery, name):
    _check(battery, name)
