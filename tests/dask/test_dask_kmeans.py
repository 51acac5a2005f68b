from __future__ import annotations

import numpy as np
import pytest

da = pytest.importorskip("dask.array")

import shoal  # noqa: E402
from shoal import dask as sd  # noqa: E402


def _dask(X, rows=2000):
    return da.from_array(X, chunks=(rows, -1))


@pytest.mark.parametrize("on_cluster", [True, False], ids=["cluster", "local"])
def test_lloyd_equals_in_memory(request, blob_data, on_cluster):
    if on_cluster:
        request.getfixturevalue("client")
    X, _, centers = blob_data
    init = centers + 1.5
    ref = shoal.KMeans(6, init=init).fit(X)
    got = sd.KMeans(6, init=init).fit(_dask(X))
    np.testing.assert_allclose(got.cluster_centers_, ref.cluster_centers_, rtol=1e-6)
    np.testing.assert_array_equal(got.labels_.compute(), ref.labels_)
    assert got.n_iter_ == ref.n_iter_
    assert got.inertia_ == pytest.approx(ref.inertia_, rel=1e-9)


def test_float32_stays_float32(blob_data):
    X = blob_data[0].astype(np.float32)
    init = blob_data[2].astype(np.float32)
    ref = shoal.KMeans(6, init=init).fit(X)
    got = sd.KMeans(6, init=init).fit(_dask(X))
    assert got.cluster_centers_.dtype == np.float32
    np.testing.assert_allclose(got.cluster_centers_, ref.cluster_centers_, rtol=1e-5)


def test_empty_cluster_relocated_as_in_memory(blob_data):
    X = blob_data[0]
    init = blob_data[2].copy()
    init[3] = 1e3  # no sample is nearest: the farthest sample takes it
    ref = shoal.KMeans(6, init=init).fit(X)
    got = sd.KMeans(6, init=init).fit(_dask(X))
    np.testing.assert_allclose(got.cluster_centers_, ref.cluster_centers_, rtol=1e-6)


def test_kmeans_parallel_quality_and_reproducible(client, blob_data):
    X = blob_data[0]
    ref = shoal.KMeans(6, random_state=0).fit(X)
    a = sd.KMeans(6, random_state=0).fit(_dask(X))
    b = sd.KMeans(6, random_state=0).fit(_dask(X))
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    assert a.inertia_ <= 1.02 * ref.inertia_
    assert shoal.metrics.adjusted_rand_score(a.labels_.compute(), blob_data[1]) > 0.95


def test_kmeans_parallel_recomputing_blocks(client, blob_data):
    # persist=False: every pass recomputes the blocks and k-means|| holds no per-row state.
    X = blob_data[0]
    ref = shoal.KMeans(6, random_state=0).fit(X)
    got = sd.KMeans(6, random_state=1, persist=False).fit(_dask(X))
    assert got.inertia_ <= 1.02 * ref.inertia_


def test_predict_transform_score_equal_in_memory(client, blob_data):
    X = blob_data[0]
    km = sd.KMeans(6, random_state=0).fit(_dask(X))
    ref = shoal.KMeans(6, init=km.cluster_centers_).fit(X)
    Xd = _dask(X, 3000)
    labels = km.predict(Xd)
    assert isinstance(labels, da.Array)
    np.testing.assert_array_equal(labels.compute(), ref.predict(X))
    np.testing.assert_allclose(km.transform(Xd).compute(), ref.transform(X), rtol=1e-12)
    assert km.score(Xd) == pytest.approx(ref.score(X), rel=1e-10)
    # numpy input keeps the in-memory behaviour
    np.testing.assert_array_equal(km.predict(X), ref.predict(X))


def test_any_fitted_estimator_maps_over_blocks(blob_data):
    X = blob_data[0][:3000]
    Xd = _dask(X, 700)
    gm = shoal.GaussianMixture(3, covariance_type="diag", random_state=0).fit(X)
    np.testing.assert_allclose(sd.predict_proba(gm, Xd).compute(), gm.predict_proba(X))
    np.testing.assert_allclose(sd.score_samples(gm, Xd).compute(), gm.score_samples(X))
    birch = shoal.Birch(n_clusters=4).fit(X)
    np.testing.assert_array_equal(sd.predict(birch, Xd).compute(), birch.predict(X))
    km = shoal.MiniBatchKMeans(4, random_state=0, n_init=1).fit(X)
    np.testing.assert_allclose(sd.transform(km, Xd).compute(), km.transform(X))


def test_bad_input():
    with pytest.raises(ValueError, match="init"):
        sd.KMeans(2, init="nope").fit(np.zeros((10, 2)))
    with pytest.raises(ValueError, match="n_clusters"):
        sd.KMeans(20).fit(da.zeros((10, 2), chunks=5))
    X = da.from_array(np.random.default_rng(0).random((10, 2)), chunks=5)
    for w, match in [
        (np.ones(9), "9 values but X has n_samples=10"),
        (-np.ones(10), "negative"),
        (np.full(10, np.nan), "NaN"),
        (np.zeros(10), "all zero"),
        (da.from_array(np.r_[np.ones(9), -1.0], chunks=4), "negative"),
        (da.ones(12, chunks=5), "12 values"),
        (da.ones((10, 2), chunks=5), "1-D"),
    ]:
        with pytest.raises(ValueError, match=match):
            sd.KMeans(2).fit(X, sample_weight=w)
    km = sd.KMeans(2, init=np.array([[0.0, 0.0], [1.0, 1.0]])).fit(
        da.from_array(np.eye(10, 2), chunks=5)
    )
    with pytest.raises(ValueError, match="features"):
        km.predict(da.zeros((4, 3), chunks=2))


def test_working_origin_centres_only_data_far_from_the_origin():
    from shoal.dask._kmeans import _working_origin

    var = np.array([4.0, 4.0])
    near = _working_origin(np.array([1.0, -2.0]), var, np.float64)  # |mean|^2 = 5 <= 8
    assert near.dtype == np.float64 and not near.any()
    far = _working_origin(np.array([1e3, 0.0]), var, np.float32)
    assert far.dtype == np.float32 and far[0] == np.float32(1e3)


@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-6), (np.float32, 1e-4)])
def test_data_far_from_the_origin_equal_in_memory(client, blob_data, dtype, rtol):
    # Measured from their mean (as in memory): 1e5 away, the norm expansion on raw float32
    # rows would not even resolve the clusters.
    X, _, centers = blob_data
    X = (X + 1e5).astype(dtype)
    init = (centers + 1.5 + 1e5).astype(dtype)
    ref = shoal.KMeans(6, init=init).fit(X)
    got = sd.KMeans(6, init=init).fit(_dask(X))
    np.testing.assert_allclose(got.cluster_centers_, ref.cluster_centers_, rtol=rtol)
    np.testing.assert_array_equal(got.labels_.compute(), ref.labels_)
    seeded = sd.KMeans(6, random_state=0).fit(_dask(X))
    assert seeded.inertia_ <= 1.02 * shoal.KMeans(6, random_state=0).fit(X).inertia_


@pytest.mark.parametrize("on_cluster", [True, False], ids=["cluster", "local"])
def test_sample_weight_equals_in_memory(request, blob_data, on_cluster):
    # Same initial centres: the weighted Lloyd iterations, inertia and labels of the
    # in-memory estimator; weights as a numpy or a differently chunked dask array.
    if on_cluster:
        request.getfixturevalue("client")
    X, _, centers = blob_data
    w = np.random.default_rng(1).uniform(0.0, 3.0, X.shape[0])
    init = centers + 1.5
    ref = shoal.KMeans(6, init=init).fit(X, sample_weight=w)
    for weights in (w, da.from_array(w, chunks=1500)):
        got = sd.KMeans(6, init=init).fit(_dask(X), sample_weight=weights)
        np.testing.assert_allclose(got.cluster_centers_, ref.cluster_centers_, rtol=1e-9)
        np.testing.assert_array_equal(got.labels_.compute(), ref.labels_)
        assert got.n_iter_ == ref.n_iter_
        assert got.inertia_ == pytest.approx(ref.inertia_, rel=1e-9)
    assert got.score(_dask(X), sample_weight=w) == pytest.approx(
        ref.score(X, sample_weight=w), rel=1e-9
    )


def test_integer_weights_act_as_repeated_rows(blob_data):
    X, _, centers = blob_data
    reps = np.random.default_rng(2).integers(0, 4, X.shape[0])
    init = centers + 1.5
    weighted = sd.KMeans(6, init=init).fit(_dask(X), sample_weight=reps.astype(float))
    repeated = sd.KMeans(6, init=init).fit(_dask(np.repeat(X, reps, axis=0)))
    np.testing.assert_allclose(weighted.cluster_centers_, repeated.cluster_centers_, rtol=1e-9)
    assert weighted.inertia_ == pytest.approx(repeated.inertia_, rel=1e-9)


def test_empty_cluster_relocated_with_weights_as_in_memory(blob_data):
    X = blob_data[0]
    w = np.random.default_rng(3).uniform(0.5, 2.0, X.shape[0])
    init = blob_data[2].copy()
    init[3] = 1e3  # no sample is nearest: the farthest sample takes it, with its weight
    ref = shoal.KMeans(6, init=init).fit(X, sample_weight=w)
    got = sd.KMeans(6, init=init).fit(_dask(X), sample_weight=w)
    np.testing.assert_allclose(got.cluster_centers_, ref.cluster_centers_, rtol=1e-6)


@pytest.mark.parametrize("persist", [True, False])
@pytest.mark.parametrize("init", ["k-means||", "random"])
def test_weighted_seeding_ignores_zero_weight_rows(client, blob_data, persist, init):
    # Two of the six blobs get weight zero: no centre is seeded or pulled there, and
    # k-means|| does as well as an in-memory fit on the other four blobs' rows alone.
    X, y, _ = blob_data
    w = np.where(np.isin(y, [0, 1]), 0.0, 1.0)
    got = sd.KMeans(4, init=init, random_state=0, persist=persist).fit(_dask(X), sample_weight=w)
    ref = shoal.KMeans(4, random_state=0).fit(X[w > 0])
    kept = X[w > 0]
    far = np.sqrt(((X[w == 0][:, None, :] - got.cluster_centers_[None]) ** 2).sum(2)).min(0)
    near = np.sqrt(((kept[:, None, :] - got.cluster_centers_[None]) ** 2).sum(2)).min(1)
    assert near.max() < far.min()  # every centre sits among the weighted rows
    if init == "k-means||":  # (one random start may merge two blobs)
        assert got.inertia_ <= 1.02 * ref.inertia_
        assert shoal.metrics.adjusted_rand_score(got.labels_.compute()[w > 0], y[w > 0]) > 0.95


def test_kmeans_parallel_draws_by_weight(blob_data):
    # The seeding alone (before Lloyd): k-means|| never draws a zero-weight row, and the first
    # centre is drawn by weight as well.
    from shoal.dask._engine import Blocks
    from shoal.dask._kmeans import dask_weights, kmeans_parallel

    X, y, centers = blob_data
    w = np.where(y == 5, 1.0, 0.0)
    w[y == 4] = 1e-9  # almost nothing: never reached by a draw proportional to weight
    Xd = _dask(X)
    for seed in range(3):
        blocks = Blocks(Xd, persist=False, W=dask_weights(w, Xd))
        C = kmeans_parallel(blocks, 1, np.zeros(5), np.random.RandomState(seed), 2.0, 3)
        assert np.sqrt(((C[0] - centers[5]) ** 2).sum()) < 1.0


def test_sample_weight_from_a_dask_series(blob_data):
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    X, _, centers = blob_data
    w = np.random.default_rng(4).uniform(0.5, 2.0, X.shape[0])
    series = dd.from_pandas(pd.Series(w), npartitions=5)
    got = sd.KMeans(6, init=centers + 1.5).fit(_dask(X), sample_weight=series)
    ref = shoal.KMeans(6, init=centers + 1.5).fit(X, sample_weight=w)
    np.testing.assert_allclose(got.cluster_centers_, ref.cluster_centers_, rtol=1e-9)
