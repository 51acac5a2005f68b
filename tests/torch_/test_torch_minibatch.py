"""MiniBatchKMeans on torch tensors: the same batches, steps and centres as the numba path (and
scikit-learn) for a fixed init and seed; partial_fit; tensors in -> tensors out."""

from __future__ import annotations

import numpy as np
import pytest
from _kmeans_torch_data import DEVICES, blobs, one_torch_thread  # noqa: F401
from sklearn.cluster import MiniBatchKMeans as SkMiniBatchKMeans

from shoal import MiniBatchKMeans

torch = pytest.importorskip("torch")


def _data(dtype=np.float64, seed=0):
    X = blobs(n_per=300, k=6, d=5, seed=seed).astype(dtype)
    rng = np.random.default_rng(seed + 1)
    return X, X[rng.choice(X.shape[0], 6, replace=False)].copy()


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fixed_init_parity_with_numba_and_sklearn(device, dtype):
    """Batches drawn from the same RandomState: every step is the numba path's step, so the
    centres agree to rounding (float64 1e-12, float32 1e-5), and scikit-learn's too."""
    X, init = _data(dtype)
    kw = dict(n_clusters=6, init=init, n_init=1, batch_size=128, random_state=0, max_iter=4)
    ref = MiniBatchKMeans(**kw).fit(X)
    sk = SkMiniBatchKMeans(**kw).fit(X)
    Xt = torch.from_numpy(X).to(device)
    mbk = MiniBatchKMeans(**kw).fit(Xt)
    assert mbk.cluster_centers_.device.type == device and mbk.cluster_centers_.dtype == Xt.dtype
    assert mbk.n_steps_ == ref.n_steps_ == sk.n_steps_
    tol = 1e-12 if dtype == np.float64 else 1e-5
    scale = np.abs(ref.cluster_centers_).max()
    np.testing.assert_allclose(mbk.cluster_centers_.cpu().numpy(), ref.cluster_centers_,
                               atol=tol * scale)  # fmt: skip
    np.testing.assert_allclose(mbk.cluster_centers_.cpu().numpy(), sk.cluster_centers_,
                               atol=1e-4 * scale)  # fmt: skip
    np.testing.assert_array_equal(mbk.labels_.cpu().numpy(), ref.labels_)
    assert mbk.inertia_ == pytest.approx(ref.inertia_, rel=1e-6)


def test_kmeanspp_init_weights_and_reassignment_follow_numba():
    """k-means++ on the init subsample, weighted batch draws and the reassignments (a high
    ratio forces them) all come from the same draws."""
    X, _ = _data(np.float64, seed=2)
    w = np.random.default_rng(3).uniform(0.2, 3.0, X.shape[0])
    kw = dict(n_clusters=6, batch_size=100, random_state=4, max_iter=3, reassignment_ratio=0.3)
    ref = MiniBatchKMeans(**kw).fit(X, sample_weight=w)
    mbk = MiniBatchKMeans(**kw).fit(torch.from_numpy(X), sample_weight=torch.from_numpy(w))
    assert mbk.n_steps_ == ref.n_steps_
    np.testing.assert_allclose(mbk.cluster_centers_.numpy(), ref.cluster_centers_, atol=1e-10)
    np.testing.assert_allclose(mbk._counts.numpy(), ref._counts, rtol=1e-12)


def test_partial_fit_on_tensors_equals_numba():
    X, _ = _data(np.float32, seed=5)
    ref = MiniBatchKMeans(6, random_state=0)
    mbk = MiniBatchKMeans(6, random_state=0)
    for s in range(0, X.shape[0], 300):
        ref.partial_fit(X[s : s + 300])
        mbk.partial_fit(torch.from_numpy(X[s : s + 300]))
    assert isinstance(mbk.cluster_centers_, torch.Tensor)
    assert mbk.cluster_centers_.dtype == torch.float32
    np.testing.assert_allclose(mbk.cluster_centers_.numpy(), ref.cluster_centers_, atol=1e-4)
    np.testing.assert_array_equal(mbk.labels_.numpy(), ref.labels_)
    assert mbk.n_steps_ == ref.n_steps_
    pred = mbk.predict(torch.from_numpy(X[:10]))
    np.testing.assert_array_equal(pred.numpy(), ref.predict(X[:10]))


def test_small_data_runs_full_batch_kmeans_on_tensors():
    X, init = _data(np.float64, seed=6)
    X = X[:200]
    ref = MiniBatchKMeans(6, init=init, n_init=1, batch_size=1024).fit(X)
    mbk = MiniBatchKMeans(6, init=init, n_init=1, batch_size=1024).fit(torch.from_numpy(X))
    np.testing.assert_array_equal(mbk.labels_.numpy(), ref.labels_)
    np.testing.assert_allclose(mbk._counts.numpy(), ref._counts)


def test_bad_input_on_tensors():
    X, _ = _data()
    with pytest.raises(ValueError, match="2-D tensor"):
        MiniBatchKMeans(2).fit(torch.zeros(5))
    with pytest.raises(ValueError, match="n_clusters=6 must be <= n_samples=4"):
        MiniBatchKMeans(6).fit(torch.from_numpy(X[:4]))
    bad = torch.from_numpy(X.copy())
    bad[0, 0] = float("inf")
    with pytest.raises(ValueError, match="X contains infinity"):
        MiniBatchKMeans(2).partial_fit(bad)
