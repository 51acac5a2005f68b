"""Kernel unit tests: the tiled distance primitive and the EMI kernel against references."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from scipy.special import gammaln
from scipy.stats import hypergeom

from shoal._kernels.numba_.emi import expected_mutual_information
from shoal._kernels.numba_.pairwise import METRIC_CODES, tile_distances

SCIPY = {"euclidean": "euclidean", "sqeuclidean": "sqeuclidean", "manhattan": "cityblock",
         "cosine": "cosine"}  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("metric", list(METRIC_CODES))
def test_tile_distances_match_cdist(metric, dtype):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 7)).astype(dtype)
    if metric == "cosine":  # the kernel expects unit rows
        X = (X / np.linalg.norm(X.astype(np.float64), axis=1)[:, None]).astype(np.float64)
    XT = np.ascontiguousarray(X.T)
    out = np.full(64, np.nan)
    x = X[3].astype(np.float64)
    tile_distances(XT, x, 10, 40, METRIC_CODES[metric], True, out)
    want = cdist(x[None, :], X[10:40].astype(np.float64), metric=SCIPY[metric])[0]
    np.testing.assert_allclose(out[:30], want, rtol=1e-12, atol=1e-12)
    assert np.isnan(out[30:]).all()  # only the tile's slots are written


def test_emi_matches_hypergeometric_sum():
    a = np.array([3, 3, 5, 9])
    b = np.array([4, 6, 10])
    n = int(a.sum())
    want = 0.0
    for ai in a:
        for bj in b:
            dist = hypergeom(n, ai, bj)
            for nij in range(max(1, ai + bj - n), min(ai, bj) + 1):
                want += nij / n * np.log(n * nij / (ai * bj)) * dist.pmf(nij)
    av, am = np.unique(a, return_counts=True)
    bv, bm = np.unique(b, return_counts=True)
    log_fact = gammaln(np.arange(n + 1) + 1.0)
    got = expected_mutual_information(av, am, bv, bm, n, log_fact)
    assert got == pytest.approx(want, rel=1e-10)
