from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from kmodes.kmodes import KModes as RefKModes
from kmodes.kprototypes import KPrototypes as RefKPrototypes
from sklearn.metrics import adjusted_rand_score

from shoal import KModes, KPrototypes


def _categorical(n=600, p=6, k=4, n_cat=5, noise=0.25, seed=0):
    """Rows copied from k random prototypes, each value replaced at random with prob. noise."""
    rng = np.random.default_rng(seed)
    protos = rng.integers(0, n_cat, (k, p))
    y = rng.integers(0, k, n)
    X = protos[y].copy()
    flip = rng.random((n, p)) < noise
    X[flip] = rng.integers(0, n_cat, flip.sum())
    letters = np.array(list("abcdefghij"))
    return letters[X], y


def _mixed(n=500, k=3, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    num = rng.normal(size=(n, 2)) + 4.0 * y[:, None]
    cat = np.where(rng.random((n, 2)) < 0.8, y[:, None], rng.integers(0, k, (n, 2)))
    X = np.empty((n, 4), dtype=object)
    X[:, 0] = num[:, 0]
    X[:, 1] = np.array(["red", "green", "blue"])[cat[:, 0]]
    X[:, 2] = num[:, 1]
    X[:, 3] = np.array(["s", "m", "l"])[cat[:, 1]]
    return X, y


def test_hand_example():
    X = np.array([["a", "x"], ["a", "x"], ["a", "y"], ["b", "z"], ["b", "z"], ["c", "z"]])
    km = KModes(n_clusters=2).fit(X)
    # Modes (a, x) and (b, z); rows 3 and 6 differ from their mode in one column: cost 2.
    assert km.cluster_centroids_.tolist() == [["a", "x"], ["b", "z"]]
    assert km.cost_ == 2.0
    assert km.labels_.tolist() == [0, 0, 0, 1, 1, 1]
    assert km.predict([["a", "y"], ["c", "z"]]).tolist() == [0, 1]


@pytest.mark.parametrize("seed", range(5))
def test_same_run_as_the_kmodes_package_from_fixed_modes(seed):
    X, _ = _categorical(seed=seed)
    rng = np.random.default_rng(seed + 100)
    start = X[rng.choice(X.shape[0], 4, replace=False)]
    codes = np.column_stack([np.unique(X[:, j], return_inverse=True)[1].ravel()
                             for j in range(X.shape[1])])  # fmt: skip
    start_codes = np.column_stack([np.searchsorted(np.unique(X[:, j]), start[:, j])
                                   for j in range(X.shape[1])])  # fmt: skip
    ref = RefKModes(4, init=start_codes, n_init=1, max_iter=50).fit(codes)
    km = KModes(4, init=start, max_iter=50).fit(X)
    assert km.cost_ == ref.cost_
    np.testing.assert_array_equal(km.labels_, ref.labels_)
    np.testing.assert_array_equal(km.epoch_costs_, ref.epoch_costs_)
    assert km.n_iter_ == ref.n_iter_
    decoded = np.column_stack([np.unique(X[:, j])[ref.cluster_centroids_[:, j].astype(int)]
                               for j in range(X.shape[1])])  # fmt: skip
    np.testing.assert_array_equal(km.cluster_centroids_, decoded)


@pytest.mark.parametrize("seed", range(4))
def test_cao_start_equals_the_kmodes_package(seed):
    X, _y = _categorical(n=800, seed=seed)
    ref = RefKModes(4, init="Cao", max_iter=100).fit(X)
    km = KModes(4, init="Cao").fit(X)
    assert km.cost_ == ref.cost_
    np.testing.assert_array_equal(km.labels_, ref.labels_)
    np.testing.assert_array_equal(km.cluster_centroids_, ref.cluster_centroids_)


@pytest.mark.parametrize("seed", range(4))
def test_kprototypes_same_run_as_the_kmodes_package_from_fixed_prototypes(seed):
    X, _ = _mixed(seed=seed)
    rng = np.random.default_rng(seed + 7)
    rows = rng.choice(X.shape[0], 3, replace=False)
    num0 = X[rows][:, [0, 2]].astype(float)
    cat_vals = X[rows][:, [1, 3]]
    cat_codes = np.column_stack([np.searchsorted(np.unique(X[:, j].astype(str)),
                                                 cat_vals[:, a].astype(str))
                                 for a, j in enumerate([1, 3])])  # fmt: skip
    ref = RefKPrototypes(3, init=[num0, cat_codes], n_init=1, gamma=0.7, max_iter=50)
    ref.fit(X, categorical=[1, 3])
    kp = KPrototypes(3, init=[num0, cat_vals], gamma=0.7, categorical=[1, 3], max_iter=50).fit(X)
    assert kp.cost_ == pytest.approx(ref.cost_, rel=1e-12)
    np.testing.assert_array_equal(kp.labels_, ref.labels_)
    np.testing.assert_allclose(kp.cluster_centers_, ref.cluster_centroids_[:, :2].astype(float),
                               rtol=1e-12)  # fmt: skip
    np.testing.assert_array_equal(kp.cluster_modes_, ref.cluster_centroids_[:, 2:])


def test_default_gamma_is_huangs():
    X, _ = _mixed(seed=3)
    kp = KPrototypes(3, random_state=0, n_init=2).fit(X)
    num = X[:, [0, 2]].astype(float)
    assert kp.gamma_ == pytest.approx(0.5 * num.std(axis=0).mean(), rel=1e-12)
    np.testing.assert_array_equal(kp.categorical_, [1, 3])


def test_mixed_pandas_input_round_trips():
    X, y = _mixed(n=300, seed=4)
    df = pd.DataFrame({"income": X[:, 0].astype(float), "colour": X[:, 1],
                       "age": (X[:, 2].astype(float) * 10).round().astype(int),
                       "size": pd.Categorical(X[:, 3])})  # fmt: skip
    kp = KPrototypes(3, random_state=0).fit(df)
    np.testing.assert_array_equal(kp.categorical_, [1, 3])
    np.testing.assert_array_equal(kp.feature_names_in_, df.columns)
    assert adjusted_rand_score(y, kp.labels_) > 0.8
    cent = kp.cluster_centroids_
    assert cent.shape == (3, 4)
    assert set(cent[:, 1]) <= {"red", "green", "blue"} and set(cent[:, 3]) <= {"s", "m", "l"}
    for lab in range(3):  # numeric prototypes are the cluster means
        np.testing.assert_allclose(cent[lab, 0], df.income[kp.labels_ == lab].mean(), rtol=1e-9)
    np.testing.assert_array_equal(kp.predict(df), kp.labels_)
    np.testing.assert_array_equal(kp.predict(df.iloc[::-1]), kp.labels_[::-1])


def test_unseen_categories_at_predict_count_as_mismatches():
    X = np.array([["a", "x"], ["a", "x"], ["b", "y"], ["b", "y"]])
    km = KModes(2).fit(X)
    out = km.predict([["zzz", "x"], ["b", "new"], ["q", "r"]])
    lab_ax = km.labels_[0]
    assert out[0] == lab_ax and out[1] == km.labels_[2]
    assert out[2] == 0  # mismatches everywhere: the first prototype, documented tie rule


def test_recovers_planted_clusters():
    X, y = _categorical(n=2000, noise=0.2, seed=9)
    km = KModes(4, init="Huang", n_init=5, random_state=0).fit(X)
    assert adjusted_rand_score(y, km.labels_) > 0.9


def test_weights_act_as_repeated_rows():
    X, _ = _categorical(n=200, seed=5)
    w = np.random.default_rng(0).integers(1, 4, 200)
    a = KModes(4, init="Cao").fit(X, sample_weight=w)
    b = KModes(4, init="Cao").fit(np.repeat(X, w, axis=0))
    assert a.cost_ == pytest.approx(b.cost_, rel=1e-12)
    np.testing.assert_array_equal(a.cluster_centroids_, b.cluster_centroids_)


def test_numeric_columns_need_bins_or_kprototypes():
    X = np.random.default_rng(0).normal(size=(50, 2))
    with pytest.raises(ValueError, match="n_bins"):
        KModes(3).fit(X)
    km = KModes(3, n_bins=4, random_state=0).fit(X)
    assert km.cluster_centroids_.shape == (3, 2)
    assert str(km.cluster_centroids_[0, 0]).startswith(("[", "(")) or "," in km.categories_[0][0]
    np.testing.assert_array_equal(km.predict(X), km.labels_)


def test_integer_codes_are_categories():
    X, _y = _categorical(n=500, seed=6)
    codes = np.column_stack([np.unique(X[:, j], return_inverse=True)[1].ravel() for j in range(6)])
    a = KModes(4, init="Cao").fit(X)
    b = KModes(4, init="Cao").fit(codes.astype(float))
    np.testing.assert_array_equal(a.labels_, b.labels_)


def test_all_numeric_kprototypes_is_kmeans():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    X = rng.normal(size=(300, 2)) + 6 * y[:, None]
    kp = KPrototypes(3, random_state=0).fit(X)
    assert adjusted_rand_score(y, kp.labels_) == 1.0
    for lab in range(3):
        np.testing.assert_allclose(kp.cluster_centers_[lab], X[kp.labels_ == lab].mean(0))


def test_input_is_not_modified():
    X, _ = _mixed(n=100, seed=1)
    X0 = X.copy()
    KPrototypes(3, random_state=0).fit(X)
    assert (X == X0).all()


@pytest.mark.parametrize(
    ("est", "X", "match"),
    [
        (KModes(3), np.array([["a"], ["a"], ["a"], ["a"]]), "identical"),
        (KModes(5), np.array([["a"], ["b"], ["c"]]), "n_clusters=5"),
        (KModes(2), np.array([["a", None], ["b", "x"], ["c", "y"]], dtype=object), "missing"),
        (KModes(2), np.array([[1.0, np.nan], [2.0, 3.0], [3.0, 1.0]]), "NaN"),
        (KModes(2, init="kmeans++"), np.array([["a"], ["b"], ["c"]]), "init="),
        (KModes(2, init=[["a"], ["q"]]), np.array([["a"], ["b"], ["c"]]), "'q'"),
        (KModes(2, init=[["a", "b"]]), np.array([["a"], ["b"], ["c"]]), "shape"),
        (KModes(2, max_iter=0), np.array([["a"], ["b"], ["c"]]), "max_iter=0"),
        (KModes(2), np.array([["a"]]), "n_samples=1"),
        (KPrototypes(2, categorical=[5]), _mixed(n=20)[0], "out of range"),
        (KPrototypes(2, categorical=[1]), _mixed(n=20)[0], "missing from categorical"),
        (KPrototypes(2, gamma=-1.0), _mixed(n=20)[0], "gamma=-1.0"),
    ],
)
def test_bad_input_is_refused_clearly(est, X, match):
    with pytest.raises(ValueError, match=match):
        est.fit(X)


def test_fewer_distinct_rows_than_clusters_warns_and_fits_fewer():
    X = np.array([["a"], ["a"], ["b"], ["b"], ["b"]])
    with pytest.warns(UserWarning, match="2 distinct rows"):
        km = KModes(3).fit(X)
    assert km.labels_.tolist() == [0, 0, 1, 1, 1] and km.cost_ == 0.0


def test_wrong_number_of_columns_at_predict():
    X, _ = _categorical(n=50)
    km = KModes(3).fit(X)
    with pytest.raises(ValueError, match="features"):
        km.predict(X[:, :4])
