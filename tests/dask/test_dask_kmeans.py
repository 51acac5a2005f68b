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
    with pytest.raises(NotImplementedError, match="sample_weight"):
        sd.KMeans(2).fit(da.zeros((10, 2), chunks=5), sample_weight=np.ones(10))
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
