"""Memory properties of the quadratic indices: no n x n matrix is ever allocated.

tracemalloc sees numpy's allocations (numpy reports them to it); the kernels' own scratch
(numba's allocator) is not traced, but it is a few (row_block x n_clusters) blocks by
construction.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from shoal.metrics import dunn_index, silhouette_samples


def _blobs(n: int, d: int, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=4.0, size=(k, d))
    labels = rng.integers(0, k, n)
    return centres[labels] + rng.normal(size=(n, d)), labels


def _peak(fn) -> tuple[int, object]:
    tracemalloc.start()
    try:
        out = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, out


def _brute_silhouette_rows(X: np.ndarray, labels: np.ndarray, rows: np.ndarray) -> np.ndarray:
    k = labels.max() + 1
    counts = np.bincount(labels, minlength=k)
    out = []
    for i in rows:
        d = np.sqrt(((X - X[i]) ** 2).sum(axis=1))
        sums = np.bincount(labels, weights=d, minlength=k)
        own = labels[i]
        a = sums[own] / (counts[own] - 1)
        b = min(sums[c] / counts[c] for c in range(k) if c != own)
        out.append((b - a) / max(a, b))
    return np.array(out)


def test_silhouette_samples_memory_n20000():
    n = 20_000
    X, labels = _blobs(n, 8, 6, seed=0)
    silhouette_samples(X[:50], labels[:50])  # compile outside the traced region
    peak, s = _peak(lambda: silhouette_samples(X, labels))
    assert peak < 50 * 2**20, (
        f"peak {peak / 2**20:.1f} MiB; an n x n matrix is {n * n * 8 / 2**20:.0f} MiB"
    )
    rows = np.array([0, 1, 777, n - 1])
    np.testing.assert_allclose(s[rows], _brute_silhouette_rows(X, labels, rows), atol=1e-10)


def test_dunn_memory_n20000():
    n = 20_000
    X, labels = _blobs(n, 4, 5, seed=1)
    dunn_index(X[:50], labels[:50])
    peak, value = _peak(lambda: dunn_index(X, labels))
    assert peak < 50 * 2**20
    assert np.isfinite(value) and value > 0


@pytest.mark.slow
def test_silhouette_samples_memory_n200000():
    n = 200_000
    X, labels = _blobs(n, 2, 5, seed=2)
    silhouette_samples(X[:50], labels[:50])
    peak, s = _peak(lambda: silhouette_samples(X, labels))
    assert peak < 2 * 2**30
    assert peak < 100 * 2**20  # in fact O(n * d): a few copies of X, far below the 2 GB cap
    rows = np.random.default_rng(3).choice(n, 4, replace=False)
    np.testing.assert_allclose(s[rows], _brute_silhouette_rows(X, labels, rows), atol=1e-10)
