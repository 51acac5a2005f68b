"""Out-of-core fits and a worker killed mid-fit, on their own LocalClusters."""

from __future__ import annotations

import os
import signal
import warnings

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

from shoal import dask as sd  # noqa: E402


def _lazy_blobs(n, d, chunk, seed=0):
    """Two Gaussian blobs generated lazily (the same values whenever a block is recomputed)."""
    rs = da.random.RandomState(seed)
    X = rs.standard_normal((n, d), chunks=(chunk, d))
    side = rs.random_sample((n, 1), chunks=(chunk, 1)) > 0.5
    return X + 6.0 * side


@pytest.mark.slow
def test_out_of_core_fits_do_not_kill_workers(cluster_factory):
    # A worker process with shoal, numba and scikit-learn loaded holds ~300 MiB already.
    limit = 600 * 2**20
    with (
        cluster_factory(memory_limit=limit) as cluster,
        distributed.Client(cluster, set_as_default=False) as client,
        client.as_current(),
    ):
        X = _lazy_blobs(30_000_000, 8, 250_000)
        assert X.nbytes >= 3 * limit
        pids = client.run(os.getpid)
        km = sd.KMeans(2, random_state=0, init_max_iter=1, max_iter=3).fit(X)
        assert np.all(np.isfinite(km.cluster_centers_))
        # the two blob centres, 6 apart along every feature
        gap = np.abs(km.cluster_centers_[0] - km.cluster_centers_[1])
        np.testing.assert_allclose(gap, 6.0, atol=0.05)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gm = sd.GaussianMixture(
                2,
                covariance_type="diag",
                max_iter=2,
                weights_init=[0.5, 0.5],
                means_init=km.cluster_centers_,
                precisions_init=np.ones((2, 8)),
            ).fit(X)
        np.testing.assert_allclose(gm.covariances_, 1.0, atol=0.05)
        assert client.run(os.getpid) == pids  # no worker died (or was restarted)


@pytest.mark.slow  # starts a cluster of its own and waits for a worker to die (~15 s)
def test_worker_killed_mid_fit_gives_the_same_result(cluster_factory):
    X = _lazy_blobs(200_000, 4, 25_000, seed=1)
    init = np.array([[0.0] * 4, [1.0] * 4, [5.0] * 4])
    with (
        cluster_factory() as cluster,
        distributed.Client(cluster, set_as_default=False) as client,
        client.as_current(),
    ):
        ref = sd.KMeans(3, init=init, persist=True, tol=0, max_iter=6).fit(X)
        pids = list(client.run(os.getpid).values())
        killed = []

        def kill_one(i, centers):
            if i == 2 and not killed:
                os.kill(pids[0], signal.SIGKILL)
                killed.append(i)

        got = sd.KMeans(3, init=init, persist=True, tol=0, max_iter=6, callback=kill_one)
        got.fit(X)
        assert killed
        client.wait_for_workers(2, timeout=60)
        assert sorted(client.run(os.getpid).values()) != sorted(pids)  # one was replaced
    np.testing.assert_allclose(got.cluster_centers_, ref.cluster_centers_, rtol=1e-12)
    assert got.n_iter_ == ref.n_iter_
    assert got.inertia_ == pytest.approx(ref.inertia_, rel=1e-12)
