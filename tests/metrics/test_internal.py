"""Internal indices: parity with sklearn.metrics, brute force and worked examples."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from sklearn import metrics as skm

from shoal.metrics import (
    _internal,
    calinski_harabasz_score,
    davies_bouldin_score,
    dunn_index,
    silhouette_samples,
    silhouette_score,
)

TOL = 1e-10
METRICS = ["euclidean", "sqeuclidean", "manhattan", "cosine"]
SCIPY_NAME = {
    "euclidean": "euclidean",
    "sqeuclidean": "sqeuclidean",
    "manhattan": "cityblock",
    "cosine": "cosine",
}


def _labels(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "three":
        return rng.integers(0, 3, n)
    if kind == "noise":  # -1 is one more cluster unless noise="drop"
        return rng.integers(-1, 5, n)
    if kind == "many":  # many small clusters, some singletons
        return rng.integers(0, n // 3, n)
    if kind == "singletons":
        lab = rng.integers(0, 4, n)
        lab[:5] = np.arange(100, 105)
        return lab
    if kind == "strings":
        return rng.choice(np.array(["a", "b", "c", "d"]), n)
    raise AssertionError(kind)


LABEL_KINDS = ["three", "noise", "many", "singletons", "strings"]


def _data(n: int, d: int, dtype: type, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=5.0, size=(4, d))
    X = centres[rng.integers(0, 4, n)] + rng.normal(size=(n, d))
    return X.astype(dtype)


def _reference_X(X: np.ndarray) -> np.ndarray:
    # shoal accumulates float32 input in float64, so the exact reference is sklearn on the
    # float64 values of the same numbers (sklearn itself accumulates float32 in float32).
    return X.astype(np.float64)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("kind", LABEL_KINDS)
def test_silhouette_samples_matches_sklearn(kind, metric, dtype):
    rng = np.random.default_rng(1)
    X = _data(150, 5, dtype)
    labels = _labels(kind, 150, rng)
    got = silhouette_samples(X, labels, metric=metric)
    want = skm.silhouette_samples(_reference_X(X), labels, metric=metric)
    assert got.dtype == np.float64 and got.shape == (150,)
    np.testing.assert_allclose(got, want, rtol=0, atol=TOL)
    score = silhouette_score(X, labels, metric=metric)
    assert abs(score - skm.silhouette_score(_reference_X(X), labels, metric=metric)) < TOL


@pytest.mark.parametrize("metric", METRICS)
def test_float32_close_to_sklearn_on_float32(metric):
    X = _data(200, 4, np.float32, seed=3)
    labels = np.random.default_rng(3).integers(0, 4, 200)
    got = silhouette_samples(X, labels, metric=metric)
    np.testing.assert_allclose(
        got, skm.silhouette_samples(X, labels, metric=metric), rtol=0, atol=1e-4
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", LABEL_KINDS)
def test_silhouette_precomputed_matches_sklearn(kind, dtype):
    rng = np.random.default_rng(2)
    X = _data(120, 3, np.float64, seed=2)
    D = cdist(X, X).astype(dtype)
    labels = _labels(kind, 120, rng)
    got = silhouette_samples(D, labels, metric="precomputed")
    want = skm.silhouette_samples(D.astype(np.float64), labels, metric="precomputed")
    np.testing.assert_allclose(got, want, rtol=0, atol=TOL)
    # The precomputed path agrees with computing the distances itself.
    np.testing.assert_allclose(got, silhouette_samples(X, labels), rtol=0, atol=1e-6)


@pytest.fixture(params=["symmetric", "row-blocks"])
def kernel_path(request, monkeypatch):
    """Run a test through both silhouette kernels (each pair once, or per row block)."""
    if request.param == "row-blocks":
        monkeypatch.setattr(_internal, "_SYMMETRIC_BYTES", 0)
    return request.param


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize(("n_samples", "n"), [(700, 1), (1000, 257)])
def test_silhouette_kernels_blocks_and_tiles(kernel_path, n_samples, n, metric, dtype):
    # Several blocks (3 and 4 of 256: an odd and an even count for the round-robin), row
    # blocks and column tiles, clusters that cross block and tile edges, a singleton.
    X = _data(n_samples, 12, dtype, seed=5)
    labels = np.random.default_rng(5).integers(0, 7, n_samples)
    labels[:n] = 9  # one cluster of n samples (a singleton when n = 1)
    got = silhouette_samples(X, labels, metric=metric)
    want = skm.silhouette_samples(_reference_X(X), labels, metric=metric)
    np.testing.assert_allclose(got, want, rtol=0, atol=TOL)


@pytest.mark.parametrize("metric", ["euclidean", "precomputed"])
def test_silhouette_score_sample_size_matches_sklearn(metric):
    X = _data(300, 3, np.float64, seed=6)
    if metric == "precomputed":
        X = cdist(X, X)
    labels = np.random.default_rng(6).integers(0, 4, 300)
    got = silhouette_score(X, labels, metric=metric, sample_size=80, random_state=11)
    want = skm.silhouette_score(X, labels, metric=metric, sample_size=80, random_state=11)
    assert abs(got - want) < TOL
    other = silhouette_score(X, labels, metric=metric, sample_size=80, random_state=12)
    assert other != got  # a different seed draws a different subsample


def test_silhouette_textbook_six_points():
    # Cluster A: x1=(1,1), x2=(1,2), x3=(2,1); cluster B: x4=(8,8), x5=(8,9), x6=(9,8).
    X = np.array([[1, 1], [1, 2], [2, 1], [8, 8], [8, 9], [9, 8]], dtype=float)
    labels = [0, 0, 0, 1, 1, 1]
    # x1: a = mean(|x1-x2|, |x1-x3|) = mean(1, 1) = 1
    #     b = mean(|x1-x4|, |x1-x5|, |x1-x6|) = (sqrt(98) + sqrt(113) + sqrt(113)) / 3
    a1 = 1.0
    b1 = (math.sqrt(7**2 + 7**2) + math.sqrt(7**2 + 8**2) + math.sqrt(8**2 + 7**2)) / 3
    s1 = (b1 - a1) / max(a1, b1)  # = 1 - 3 / (sqrt(98) + 2 sqrt(113)) ~ 0.9037
    s = silhouette_samples(X, labels)
    assert abs(s[0] - s1) < 1e-12
    assert round(s[0], 4) == 0.9037
    # Swapping the coordinates maps x2 <-> x3 and x5 <-> x6 and fixes the rest.
    assert abs(s[1] - s[2]) < 1e-12 and abs(s[4] - s[5]) < 1e-12
    # x4: a = (1 + 1) / 2 = 1;  b = (sqrt(98) + sqrt(85) + sqrt(85)) / 3  (|x4-x2| = |(7,6)|)
    b4 = (math.sqrt(98) + 2 * math.sqrt(7**2 + 6**2)) / 3
    assert abs(s[3] - (b4 - 1.0) / b4) < 1e-12


def test_silhouette_textbook_value_0868():
    # A = {0, 1}, B = {7, 8.2} on a line. For x1 = 0:
    #   a = |0 - 1| = 1;  b = (|0 - 7| + |0 - 8.2|) / 2 = 15.2 / 2 = 7.6
    #   s = (b - a) / max(a, b) = 6.6 / 7.6 = 0.868421... -> 0.868
    X = np.array([[0.0], [1.0], [7.0], [8.2]])
    s = silhouette_samples(X, [0, 0, 1, 1])
    assert abs(s[0] - 6.6 / 7.6) < 1e-12
    assert round(s[0], 3) == 0.868


def test_silhouette_singleton_is_zero_and_duplicates():
    X = np.array([[0.0, 0.0], [0.0, 0.0], [5.0, 5.0], [5.0, 6.0], [9.0, 9.0]])
    s = silhouette_samples(X, [0, 0, 1, 1, 2])
    assert s[4] == 0.0  # alone in its cluster
    assert s[0] == 1.0 and s[1] == 1.0  # a = 0 < b
    np.testing.assert_allclose(s, skm.silhouette_samples(X, [0, 0, 1, 1, 2]), atol=TOL)


def test_silhouette_noise_drop():
    rng = np.random.default_rng(7)
    X = _data(200, 3, np.float64, seed=7)
    labels = rng.integers(-1, 4, 200)
    keep = labels != -1
    s = silhouette_samples(X, labels, noise="drop")
    assert np.isnan(s[~keep]).all()
    np.testing.assert_allclose(
        s[keep], skm.silhouette_samples(X[keep], labels[keep]), rtol=0, atol=TOL
    )
    assert (
        abs(silhouette_score(X, labels, noise="drop") - skm.silhouette_score(X[keep], labels[keep]))
        < TOL
    )
    D = cdist(X, X)
    s_pre = silhouette_samples(D, labels, metric="precomputed", noise="drop")
    np.testing.assert_allclose(s_pre[keep], s[keep], rtol=0, atol=1e-9)
    # "keep" is sklearn's behaviour: -1 is an ordinary cluster.
    np.testing.assert_allclose(
        silhouette_samples(X, labels), skm.silhouette_samples(X, labels), atol=TOL
    )


def _db_brute(X: np.ndarray, labels: np.ndarray) -> float:
    """Davies-Bouldin from its definition, distances by direct differences."""
    ks = np.unique(labels)
    cents = np.array([X[labels == k].mean(axis=0) for k in ks])
    spread = np.array(
        [np.linalg.norm(X[labels == k] - c, axis=1).mean() for k, c in zip(ks, cents)]
    )
    worst = [
        max((spread[i] + spread[j]) / np.linalg.norm(cents[i] - cents[j])
            for j in range(len(ks)) if j != i)
        for i in range(len(ks))
    ]  # fmt: skip
    return float(np.mean(worst))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", LABEL_KINDS)
def test_davies_bouldin_and_calinski_harabasz_match_sklearn(kind, dtype):
    rng = np.random.default_rng(8)
    X = _data(250, 6, dtype, seed=8)
    labels = _labels(kind, 250, rng)
    Xr = _reference_X(X)
    db = davies_bouldin_score(X, labels)
    ch = calinski_harabasz_score(X, labels)
    assert ch == pytest.approx(skm.calinski_harabasz_score(Xr, labels), rel=TOL, abs=TOL)
    assert db == pytest.approx(_db_brute(Xr, labels), rel=TOL, abs=TOL)
    # sklearn measures centroid distances with the squared-norm trick, which leaves a
    # singleton cluster a spread of ~1e-7 instead of 0; elsewhere it agrees to 1e-10.
    db_tol = 1e-6 if kind in ("singletons", "many") else TOL
    assert db == pytest.approx(skm.davies_bouldin_score(Xr, labels), rel=db_tol, abs=db_tol)


def test_davies_bouldin_calinski_noise_drop_and_degenerate():
    X = _data(200, 2, np.float64, seed=9)
    labels = np.random.default_rng(9).integers(-1, 3, 200)
    keep = labels != -1
    assert davies_bouldin_score(X, labels, noise="drop") == pytest.approx(
        skm.davies_bouldin_score(X[keep], labels[keep]), rel=TOL
    )
    assert calinski_harabasz_score(X, labels, noise="drop") == pytest.approx(
        skm.calinski_harabasz_score(X[keep], labels[keep]), rel=TOL
    )
    # Zero within-cluster spread: sklearn's conventions (DB 0, CH 1).
    Xd = np.array([[0.0], [0.0], [3.0], [3.0]])
    assert davies_bouldin_score(Xd, [0, 0, 1, 1]) == skm.davies_bouldin_score(Xd, [0, 0, 1, 1])
    assert calinski_harabasz_score(Xd, [0, 0, 1, 1]) == 1.0


def _dunn_brute(X: np.ndarray, labels: np.ndarray, metric: str) -> float:
    D = cdist(X.astype(np.float64), X.astype(np.float64), metric=SCIPY_NAME[metric])
    same = labels[:, None] == labels[None, :]
    off = ~np.eye(len(labels), dtype=bool)
    return float(D[~same].min() / D[same & off].max())


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("kind", ["three", "noise", "many", "strings"])
def test_dunn_matches_brute_force(kind, metric, dtype):
    rng = np.random.default_rng(10)
    X = _data(140, 4, dtype, seed=10)
    labels = _labels(kind, 140, rng)
    got = dunn_index(X, labels, metric=metric)
    assert got == pytest.approx(_dunn_brute(X, labels, metric), rel=1e-10)


def test_dunn_many_blocks_precomputed_and_noise():
    X = _data(700, 3, np.float64, seed=11)
    labels = np.random.default_rng(11).integers(-1, 5, 700)
    want = _dunn_brute(X, labels, "euclidean")
    assert dunn_index(X, labels) == pytest.approx(want, rel=1e-10)
    D = cdist(X, X)
    assert dunn_index(D, labels, metric="precomputed") == pytest.approx(want, rel=1e-10)
    keep = labels != -1
    want_drop = _dunn_brute(X[keep], labels[keep], "euclidean")
    assert dunn_index(X, labels, noise="drop") == pytest.approx(want_drop, rel=1e-10)
    # A noise point between two clusters sets the minimum unless noise is dropped:
    # keep: min gap |5 - 1| = 4 over diameter 1; drop: |10 - 1| = 9 over 1.
    Xs = np.array([[0.0], [1.0], [10.0], [11.0], [5.0]])
    assert dunn_index(Xs, [0, 0, 1, 1, -1]) == 4.0
    assert dunn_index(Xs, [0, 0, 1, 1, -1], noise="drop") == 9.0


def test_dunn_well_separated_and_all_singletons_in_a_cluster():
    X = np.array([[0.0], [2.0], [10.0], [13.0]])
    assert dunn_index(X, [0, 0, 1, 1]) == pytest.approx(8.0 / 3.0)
    X2 = np.array([[0.0], [0.0], [4.0], [7.0]])
    assert dunn_index(X2, [0, 0, 1, 2]) == math.inf  # every diameter is zero


# ---- bad input ---------------------------------------------------------------------------

ALL_INTERNAL = [silhouette_score, silhouette_samples, davies_bouldin_score,
                calinski_harabasz_score, dunn_index]  # fmt: skip


@pytest.mark.parametrize("fn", ALL_INTERNAL)
def test_bad_inputs_raise_with_clear_messages(fn):
    X = _data(10, 2, np.float64)
    labels = np.array([0, 1] * 5)
    with pytest.raises(ValueError, match=r"labels has 9 values but X has n_samples=10"):
        fn(X, labels[:9])
    Xn = X.copy()
    Xn[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"X contains NaN \(first at row 3, column 1\)"):
        fn(Xn, labels)
    with pytest.raises(ValueError, match=r"X must be a 2-D array"):
        fn(X[:, 0], labels)
    with pytest.raises(ValueError, match=r"labels must be a 1-D array .* shape \(10, 1\)"):
        fn(X, labels[:, None])
    with pytest.raises(ValueError, match=r"Number of labels is 1\. Valid values are 2 to"):
        fn(X, np.zeros(10, dtype=int))
    with pytest.raises(ValueError, match=r"Number of labels is 10\. .*n_samples=10"):
        fn(X, np.arange(10))
    with pytest.raises(ValueError, match=r"noise='ignore' is not valid; choose one of"):
        fn(X, labels, noise="ignore")


@pytest.mark.parametrize("fn", [silhouette_score, silhouette_samples, dunn_index])
def test_bad_metric_and_precomputed(fn):
    X = _data(10, 2, np.float64)
    labels = np.array([0, 1] * 5)
    with pytest.raises(
        ValueError,
        match=r"metric='minkowski' is not valid; choose one of \['euclidean', 'sqeuclidean', "
        r"'manhattan', 'cosine', 'precomputed'\]",
    ):
        fn(X, labels, metric="minkowski")
    with pytest.raises(ValueError, match=r"square distance matrix .* shape \(10, 2\)"):
        fn(X, labels, metric="precomputed")
    D = cdist(X, X)
    D[2, 2] = 1.0
    with pytest.raises(ValueError, match=r"non-zero elements on the diagonal \(X\[2, 2\]"):
        fn(D, labels, metric="precomputed")
    with pytest.raises(ValueError, match=r"negative values"):
        fn(-cdist(X, X), labels, metric="precomputed")


def test_noise_drop_leaving_one_cluster_raises():
    X = _data(10, 2, np.float64)
    labels = np.array([-1, 0] * 5)
    with pytest.raises(ValueError, match=r"Number of labels is 1"):
        silhouette_score(X, labels, noise="drop")
    assert np.isfinite(silhouette_score(X, labels))  # "keep": two clusters


def test_sample_size_validated():
    X = _data(10, 2, np.float64)
    with pytest.raises(ValueError, match=r"sample_size=0 must be >= 1"):
        silhouette_score(X, [0, 1] * 5, sample_size=0)


def test_silhouette_reproducible_and_thread_count_independent(kernel_path):
    import numba

    X = _data(900, 5, np.float64, seed=12)
    labels = np.random.default_rng(12).integers(0, 5, 900)
    first = silhouette_samples(X, labels)
    np.testing.assert_array_equal(silhouette_samples(X, labels), first)  # bitwise
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        single = silhouette_samples(X, labels)
    finally:
        numba.set_num_threads(before)
    np.testing.assert_allclose(single, first, rtol=0, atol=1e-13)
