from __future__ import annotations

import warnings

import numpy as np
import pytest

da = pytest.importorskip("dask.array")

import shoal  # noqa: E402
from shoal import dask as sd  # noqa: E402

PRECISIONS = {
    "full": lambda k, d: np.stack([np.eye(d)] * k),
    "tied": lambda k, d: np.eye(d),
    "diag": lambda k, d: np.ones((k, d)),
    "spherical": lambda k, d: np.ones(k),
}


def _fixed_start(centers, covariance_type):
    """EM parameters with all three initial arrays (no initialisation pass)."""
    k, d = centers.shape
    return dict(
        covariance_type=covariance_type, tol=1e-8, max_iter=30,
        weights_init=np.full(k, 1.0 / k), means_init=centers + 0.5,
        precisions_init=PRECISIONS[covariance_type](k, d),
    )  # fmt: skip


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_em_equals_in_memory(client, blob_data, covariance_type):
    X, _, centers = blob_data
    k = centers.shape[0]
    params = _fixed_start(centers, covariance_type)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = shoal.GaussianMixture(k, **params).fit(X)
        got = sd.GaussianMixture(k, **params).fit(da.from_array(X, chunks=(2500, -1)))
    assert got.lower_bound_ == pytest.approx(ref.lower_bound_, rel=1e-6)
    np.testing.assert_allclose(got.lower_bounds_, ref.lower_bounds_, rtol=1e-6)
    np.testing.assert_allclose(got.means_, ref.means_, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(got.covariances_, ref.covariances_, rtol=1e-6, atol=1e-9)
    Xd = da.from_array(X, chunks=(3000, -1))
    np.testing.assert_array_equal(got.predict(Xd).compute(), ref.predict(X))
    np.testing.assert_allclose(got.predict_proba(Xd).compute(), ref.predict_proba(X), atol=1e-9)
    np.testing.assert_allclose(got.score_samples(Xd).compute(), ref.score_samples(X), rtol=1e-9)


@pytest.mark.parametrize("init_params", ["kmeans", "random"])
def test_initialisations_fit_blobs(blob_data, init_params):
    X = blob_data[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gm = sd.GaussianMixture(
            6, covariance_type="diag", init_params=init_params, random_state=0, n_init=2
        ).fit(da.from_array(X, chunks=(3000, -1)))
    ref = shoal.GaussianMixture(6, covariance_type="diag", random_state=0).fit(X)
    if init_params == "kmeans":
        assert gm.lower_bound_ >= ref.lower_bound_ - 0.01 * abs(ref.lower_bound_)
    else:  # random responsibilities start from one blurred component: a poorer optimum
        assert np.isfinite(gm.lower_bound_)
    labels = gm.fit_predict(da.from_array(X, chunks=(3000, -1)))
    assert isinstance(labels, da.Array)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("init_params", ["k-means++", "random_from_data"])
def test_row_initialisations_equal_in_memory(blob_data, init_params, weighted):
    # The same rows drawn from the same random state (greedy k-means++ by weight over the
    # blocks, or k random rows), hence the in-memory fit: the same EM from there.
    X, _, _ = blob_data
    w = np.random.default_rng(7).uniform(0.2, 3.0, X.shape[0]) if weighted else None
    kw = dict(covariance_type="full", init_params=init_params, random_state=3, n_init=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = shoal.GaussianMixture(6, **kw).fit(X, sample_weight=w)
        got = sd.GaussianMixture(6, **kw).fit(da.from_array(X, chunks=(2500, -1)), sample_weight=w)
    np.testing.assert_allclose(got.lower_bounds_, ref.lower_bounds_, rtol=1e-6)
    np.testing.assert_allclose(got.means_, ref.means_, rtol=1e-6, atol=1e-9)


def test_kmeans_plusplus_rows_match_in_memory(blob_data):
    from shoal.dask._engine import Blocks
    from shoal.dask._kmeans import dask_weights, kmeans_plusplus_rows

    X = blob_data[0]
    Xd = da.from_array(X, chunks=(1700, -1))
    w = np.random.default_rng(8).integers(0, 3, X.shape[0]).astype(float)
    for seed in range(3):
        for weights in (None, w):
            blocks = Blocks(Xd, persist=False, W=dask_weights(weights, Xd))
            rows = kmeans_plusplus_rows(blocks, 12, np.random.RandomState(seed))
            _, ref = shoal.kmeans_plusplus(X, 12, sample_weight=weights, random_state=seed)
            assert rows.tolist() == ref.tolist()
            if weights is not None:
                assert np.all(w[rows] > 0)


def test_numpy_input_is_the_in_memory_fit(blob_data):
    X = blob_data[0][:2000]
    a = sd.GaussianMixture(3, random_state=0).fit(X)
    b = shoal.GaussianMixture(3, random_state=0).fit(X)
    assert a.lower_bound_ == b.lower_bound_


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_sample_weight_em_equals_in_memory(blob_data, covariance_type):
    # Same initial parameters, weights as numpy or dask: the in-memory weighted EM.
    X, _, centers = blob_data
    k = centers.shape[0]
    w = np.random.default_rng(5).uniform(0.0, 3.0, X.shape[0])
    params = _fixed_start(centers, covariance_type)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = shoal.GaussianMixture(k, **params).fit(X, sample_weight=w)
        plain = shoal.GaussianMixture(k, **params).fit(X)
        Xd = da.from_array(X, chunks=(2500, -1))
        for weights in (w, da.from_array(w, chunks=4000)):
            got = sd.GaussianMixture(k, **params).fit(Xd, sample_weight=weights)
            np.testing.assert_allclose(got.lower_bounds_, ref.lower_bounds_, rtol=1e-6)
            np.testing.assert_allclose(got.weights_, ref.weights_, rtol=1e-6)
            np.testing.assert_allclose(got.means_, ref.means_, rtol=1e-6, atol=1e-9)
            np.testing.assert_allclose(got.covariances_, ref.covariances_, rtol=1e-6, atol=1e-9)
    assert abs(ref.lower_bound_ - plain.lower_bound_) > 1e-3  # the weights matter here


@pytest.mark.parametrize("init_params", ["kmeans", "random"])
def test_sample_weight_initialisation_acts_as_repeated_rows(blob_data, init_params):
    # Integer weights act as repeated rows for the whole fit, initialisation included: the
    # 'random' draws are per block, so the repeated rows get blocks of their own; k-means
    # from k-means|| draws by weight. Both reach the repeated-rows fit's optimum.
    X, y, _ = blob_data
    reps = np.random.default_rng(6).integers(0, 3, X.shape[0])
    kw = dict(covariance_type="diag", init_params=init_params, random_state=0, n_init=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = sd.GaussianMixture(6, **kw).fit(
            da.from_array(X, chunks=(3000, -1)), sample_weight=reps.astype(float)
        )
        Xr = da.from_array(np.repeat(X, reps, axis=0), chunks=(3000, -1))
        rep = sd.GaussianMixture(6, **kw).fit(Xr)
    assert got.lower_bound_ == pytest.approx(rep.lower_bound_, rel=0.02)
    if init_params == "kmeans":
        labels = got.predict(X)
        assert shoal.metrics.adjusted_rand_score(labels[reps > 0], y[reps > 0]) > 0.95
