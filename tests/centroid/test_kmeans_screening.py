"""k-means++ subset screening (large n): the same centres as the exact greedy steps."""

from __future__ import annotations

import numpy as np
import pytest

import shoal._kernels.numba_ as kernels
from shoal import kmeans_plusplus
from shoal.centroid import _kmeans_core as core


def _blobs(n, d, k, seed, std):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-10, 10, size=(k, d))
    return centers[rng.integers(0, k, size=n)] + std * rng.standard_normal((n, d))


def _count_calls(monkeypatch, names):
    counts = dict.fromkeys(names, 0)
    for name in names:
        fn = getattr(kernels, name)

        def wrapped(*args, _fn=fn, _name=name):
            counts[_name] += 1
            return _fn(*args)

        monkeypatch.setattr(kernels, name, wrapped)
    return counts


def _exact(X, k, seed, monkeypatch, **kw):
    with monkeypatch.context() as m:
        m.setattr(core, "_SCREEN_MIN_SAMPLES", X.shape[0] + 1)
        return kmeans_plusplus(X, k, random_state=seed, **kw)[1]


@pytest.mark.parametrize("std", [1.0, 4.0])
def test_screening_picks_the_exact_greedy_centres(monkeypatch, std):
    # Separated and overlapping blobs: the screened steps choose what the exact ones choose,
    # and the screening really decides steps (a clear winner is taken without the exact
    # pass, beaten candidates are dropped from it).
    X = _blobs(120_000, 8, 30, seed=1, std=std)
    counts = _count_calls(
        monkeypatch, ["kmpp_screen_gains", "kmpp_add_center", "kmpp_candidate_potentials"]
    )
    screened = [kmeans_plusplus(X, 30, random_state=seed)[1] for seed in range(3)]
    counts = dict(counts)  # the calls of the screened runs only
    for seed in range(3):
        assert screened[seed].tolist() == _exact(X, 30, seed, monkeypatch).tolist()
    assert counts["kmpp_screen_gains"] == 3 * 29
    taken_at_once = counts["kmpp_add_center"] - 3  # the first centre of each seed
    assert taken_at_once >= 10
    assert taken_at_once + counts["kmpp_candidate_potentials"] == 3 * 29


def test_screening_with_weights_and_outliers(monkeypatch):
    # A few far outliers carry large weights: their gains are concentrated in a handful of
    # samples the subset may miss, so the screening must not declare a wrong winner.
    rng = np.random.default_rng(3)
    X = _blobs(110_000, 5, 12, seed=2, std=2.0)
    X[:40] = rng.uniform(-200, 200, size=(40, 5))
    w = rng.uniform(0.5, 2.0, X.shape[0])
    w[:40] = 50.0
    for seed in range(3):
        idx = kmeans_plusplus(X, 25, sample_weight=w, random_state=seed)[1]
        ref = _exact(X, 25, seed, monkeypatch, sample_weight=w)
        assert idx.tolist() == ref.tolist()


def test_screen_gains_kernel_against_brute_force():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3000, 6)).astype(np.float32)
    rows = np.sort(rng.choice(3000, 700, replace=False))
    S = np.ascontiguousarray(X[rows])
    cands = X[[5, 900, 2000]]
    closest = rng.uniform(2.0, 20.0, 3000)
    assigned = rng.integers(0, 4, 3000)
    prune_sq = np.array([0.0, 3.0, 0.0, 10.0])  # samples of centres 1 and 3 partly skipped
    w = rng.uniform(0.5, 2.0, 3000)
    tau = 25.0  # about a tenth of the samples are "heavy"
    sbounds = kernels.block_bounds(700, 7)
    bounds = kernels.block_bounds(3000, 5)
    gain = np.empty((7, 3))
    heavy = np.empty((5, 3))
    kernels.kmpp_screen_gains(
        X, S, rows, w, False, cands, prune_sq, sbounds, bounds, closest, assigned, tau, gain, heavy
    )
    X64 = X.astype(np.float64)
    d2 = ((X64[:, None, :] - cands[None].astype(np.float64)) ** 2).sum(2)
    g = w[:, None] * np.maximum(closest[:, None] - d2, 0.0)
    g[closest <= prune_sq[assigned]] = 0.0
    big = w * closest > tau
    assert 100 < big.sum() < 600
    np.testing.assert_allclose(heavy.sum(0), g[big].sum(0), rtol=1e-5)
    light = g[rows][~big[rows]]
    np.testing.assert_allclose(gain.sum(0), light.sum(0), rtol=1e-5)


def test_contenders_rule():
    rng = np.random.default_rng(0)
    base = rng.uniform(0, 1, (64, 1))
    none = np.zeros(3)
    # Candidate 2 leads candidates 0 and 1 by far in every block: it alone remains.
    gain = np.hstack([base, base + 0.1 * rng.uniform(0, 1, (64, 1)), base + 5.0])
    assert core._contenders(gain, none, 0.125).tolist() == [2]
    # ... unless the exact gains of the heavy samples put candidate 0 ahead by far.
    assert core._contenders(gain, np.array([1e4, 0.0, 0.0]), 0.125).tolist() == [0]
    # Candidate 1 is within noise of the leader 2: both stay, 0 is dropped.
    noise = rng.standard_normal((64, 1))
    gain = np.hstack([base, base + 5.0 + noise, base + 5.0 + noise[::-1]])
    assert sorted(core._contenders(gain, none, 0.125).tolist()) == [1, 2]
    # No candidate gains anything: nobody is ruled out.
    assert core._contenders(np.zeros((64, 3)), none, 0.125).tolist() == [0, 1, 2]
    # Too few blocks for a standard error: nobody is ruled out.
    assert core._contenders(gain[:5], none, 0.125).tolist() == [0, 1, 2]
