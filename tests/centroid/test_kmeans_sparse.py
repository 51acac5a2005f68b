"""KMeans on scipy.sparse input: parity with dense input and with scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.cluster import KMeans as SkKMeans

from shoal import KMeans
from shoal.metrics import adjusted_rand_score


def _sparse_blobs(n=600, d=40, k=4, density=0.15, seed=0, dtype=np.float64):
    rng = np.random.RandomState(seed)
    truth = rng.randint(k, size=n)
    X = rng.rand(n, d) * (rng.rand(n, d) < density)
    for c in range(k):
        cols = np.arange(c * 5, c * 5 + 5)
        rows = np.flatnonzero(truth == c)
        X[np.ix_(rows, cols)] += 1.0 + rng.rand(rows.size, 5)
    return X.astype(dtype), truth


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_sparse_equals_dense_same_init(dtype, metric):
    X, _ = _sparse_blobs(dtype=dtype)
    init = X[[0, 1, 2, 3]]
    dense = KMeans(4, init=init, algorithm="lloyd", metric=metric).fit(X)
    sparse = KMeans(4, init=init, metric=metric).fit(sp.csr_matrix(X))
    np.testing.assert_array_equal(sparse.labels_, dense.labels_)
    assert sparse.n_iter_ == dense.n_iter_
    assert sparse.cluster_centers_.dtype == dtype
    rtol = 1e-10 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(sparse.inertia_, dense.inertia_, rtol=rtol)
    np.testing.assert_allclose(
        sparse.cluster_centers_, dense.cluster_centers_, rtol=rtol, atol=rtol
    )


def test_sparse_matches_sklearn_same_init():
    X, _ = _sparse_blobs(seed=1)
    Xs = sp.csr_matrix(X)
    init = X[[5, 50, 500, 7]]
    ours = KMeans(4, init=init).fit(Xs)
    ref = SkKMeans(4, init=init, n_init=1, algorithm="lloyd").fit(Xs)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    np.testing.assert_allclose(ours.inertia_, ref.inertia_, rtol=1e-10)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, atol=1e-12)


def test_sparse_kmeans_plusplus_recovers_blobs_like_sklearn():
    X, truth = _sparse_blobs(seed=2)
    Xs = sp.csr_matrix(X)
    ours = KMeans(4, random_state=0, n_init=3).fit(Xs)
    ref = SkKMeans(4, random_state=0, n_init=3).fit(Xs)
    assert adjusted_rand_score(truth, ours.labels_) > 0.95
    assert ours.inertia_ <= ref.inertia_ * (1 + 1e-6)


@pytest.mark.parametrize("fmt", ["csc", "coo", "lil"])
def test_other_formats_are_converted(fmt):
    X, _ = _sparse_blobs(n=200)
    init = X[:4]
    ref = KMeans(4, init=init).fit(sp.csr_matrix(X))
    got = KMeans(4, init=init).fit(sp.csr_matrix(X).asformat(fmt))
    np.testing.assert_array_equal(got.labels_, ref.labels_)


def test_predict_transform_score_on_sparse_match_dense():
    X, _ = _sparse_blobs(n=300)
    km = KMeans(4, random_state=0).fit(sp.csr_array(X))
    Xs = sp.csr_matrix(X)
    np.testing.assert_array_equal(km.predict(Xs), km.predict(X))
    np.testing.assert_allclose(km.transform(Xs), km.transform(X), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(km.score(Xs), km.score(X), rtol=1e-10)
    np.testing.assert_array_equal(km.labels_, km.predict(Xs))


def test_sparse_sample_weight_equals_repetition():
    X, _ = _sparse_blobs(n=120)
    w = np.random.RandomState(0).randint(1, 3, size=X.shape[0])
    init = X[:4]
    a = KMeans(4, init=init).fit(sp.csr_matrix(X), sample_weight=w)
    b = KMeans(4, init=init).fit(sp.csr_matrix(np.repeat(X, w, axis=0)))
    np.testing.assert_allclose(a.cluster_centers_, b.cluster_centers_, rtol=1e-10)
    np.testing.assert_allclose(a.inertia_, b.inertia_, rtol=1e-10)


def test_cosine_sparse_rejects_zero_rows_and_nan():
    X, _ = _sparse_blobs(n=50)
    X[3] = 0.0
    with pytest.raises(ValueError, match="zero row"):
        KMeans(2, metric="cosine").fit(sp.csr_matrix(X))
    Y = sp.csr_matrix(_sparse_blobs(n=50)[0])
    Y.data[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        KMeans(2).fit(Y)


def test_empty_cluster_relocated_on_sparse():
    X, _ = _sparse_blobs(n=200)
    init = np.vstack([X[:3], np.full((1, X.shape[1]), 1e3)])
    sparse = KMeans(4, init=init).fit(sp.csr_matrix(X))
    dense = KMeans(4, init=init, algorithm="lloyd").fit(X)
    assert np.unique(sparse.labels_).size == 4
    np.testing.assert_array_equal(sparse.labels_, dense.labels_)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sparse_kmeans_plusplus_draws_like_sklearn(seed):
    # Same seed, same draws (scikit-learn's greedy k-means++ on sparse X), same local optimum.
    X, _ = _sparse_blobs(n=400, k=6, seed=seed + 10)
    Xs = sp.csr_matrix(X)
    ours = KMeans(6, random_state=seed, n_init=1, algorithm="lloyd").fit(Xs)
    ref = SkKMeans(6, random_state=seed, n_init=1, algorithm="lloyd").fit(Xs)
    np.testing.assert_allclose(ours.inertia_, ref.inertia_, rtol=1e-9)
    assert adjusted_rand_score(ours.labels_, ref.labels_) == pytest.approx(1.0)
