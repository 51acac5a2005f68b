from __future__ import annotations

import numpy as np
import pytest

da = pytest.importorskip("dask.array")

import shoal  # noqa: E402
from shoal import dask as sd  # noqa: E402


def test_minibatch_streams_like_in_memory_partial_fit(blob_data):
    # One block, one batch order: the streamed steps are the in-memory partial_fit calls.
    X = blob_data[0][:4000]
    init = blob_data[2]
    got = sd.MiniBatchKMeans(6, init=init, batch_size=500, random_state=0)
    got.fit(da.from_array(X, chunks=(4000, -1)))
    ref = shoal.MiniBatchKMeans(6, init=init, batch_size=500, compute_labels=False)
    seed = np.random.RandomState(0).randint(2**31 - 1)
    order = np.random.default_rng([seed, 0, 0]).permutation(4000)
    for s in range(0, 4000, 500):
        ref.partial_fit(X[np.sort(order[s : s + 500])])
    np.testing.assert_allclose(got.cluster_centers_, ref.cluster_centers_, rtol=1e-12)
    assert got.n_steps_ == ref.n_steps_ == 8


def test_minibatch_weights_stream_like_in_memory_partial_fit(blob_data):
    # As above, each step with its rows' weights (numpy or dask weights); the inertia is
    # the weighted one.
    X = blob_data[0][:4000]
    w = np.random.default_rng(9).uniform(0.0, 2.0, 4000)
    init = blob_data[2]
    ref = shoal.MiniBatchKMeans(6, init=init, batch_size=500, compute_labels=False)
    seed = np.random.RandomState(0).randint(2**31 - 1)
    order = np.random.default_rng([seed, 0, 0]).permutation(4000)
    for s in range(0, 4000, 500):
        rows = np.sort(order[s : s + 500])
        ref.partial_fit(X[rows], sample_weight=w[rows])
    for weights in (w, da.from_array(w, chunks=1000)):
        got = sd.MiniBatchKMeans(6, init=init, batch_size=500, random_state=0)
        got.fit(da.from_array(X, chunks=(4000, -1)), sample_weight=weights)
        np.testing.assert_allclose(got.cluster_centers_, ref.cluster_centers_, rtol=1e-12)
        assert got.inertia_ == pytest.approx(-ref.score(X, sample_weight=w), rel=1e-9)
    unweighted = sd.MiniBatchKMeans(6, init=init, batch_size=500, random_state=0)
    unweighted.fit(da.from_array(X, chunks=(4000, -1)))
    assert np.abs(unweighted.cluster_centers_ - ref.cluster_centers_).max() > 1e-3


def test_minibatch_on_cluster_finds_blobs(client, blob_data):
    X, y, _ = blob_data
    Xd = da.from_array(X, chunks=(2000, -1))
    a = sd.MiniBatchKMeans(6, batch_size=500, max_iter=2, random_state=0).fit(Xd)
    b = sd.MiniBatchKMeans(6, batch_size=500, max_iter=2, random_state=0).fit(Xd)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    assert shoal.metrics.adjusted_rand_score(a.labels_.compute(), y) > 0.95
    ref = shoal.KMeans(6, random_state=0).fit(X)
    assert a.inertia_ <= 1.05 * ref.inertia_
    steps = a.n_steps_
    a.partial_fit(Xd)
    assert a.n_steps_ == steps + 24


def test_birch_one_block_is_the_in_memory_tree(blob_data):
    X = blob_data[0]
    ref = shoal.Birch(n_clusters=6, threshold=1.5).fit(X)
    got = sd.Birch(n_clusters=6, threshold=1.5).fit(da.from_array(X, chunks=(-1, -1)))
    np.testing.assert_array_equal(got.subcluster_centers_, ref.subcluster_centers_)
    np.testing.assert_array_equal(got.labels_.compute(), ref.labels_)


def test_birch_merges_block_trees(client, blob_data):
    X, y, _ = blob_data
    got = sd.Birch(n_clusters=6, threshold=1.5).fit(da.from_array(X, chunks=(3000, -1)))
    n_sub = got.subcluster_centers_.shape[0]
    assert 6 <= n_sub < X.shape[0] // 10
    assert shoal.metrics.adjusted_rand_score(got.labels_.compute(), y) > 0.95
    # the merged tree holds every sample once
    root = got.root_
    assert sum(s.n_samples_ for s in root.subclusters_) == X.shape[0]
