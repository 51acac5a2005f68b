"""FuzzyCMeans on the torch backend: kernel parity with numba_, the estimator from the same
start (centres to 1e-8 in float64), tensors in -> tensors out, bad input; CUDA under ``gpu``."""

from __future__ import annotations

import numpy as np
import pytest

from shoal import FuzzyCMeans
from shoal._kernels import numba_

torch = pytest.importorskip("torch")
from shoal._kernels import torch_  # noqa: E402

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


def _data(n=300, seed=0, offset=50.0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.normal(c, 1.0, (n // 3, 3)) for c in (0.0, 5.0, 10.0)]) + offset
    return X.astype(dtype)


@pytest.mark.parametrize("m", [2.0, 1.7])
def test_kernels_match_numba(m):
    X = _data()
    n, k, d = X.shape[0], 3, X.shape[1]
    rng = np.random.default_rng(1)
    u = rng.uniform(size=(n, k))
    u /= u.sum(1, keepdims=True)
    w = rng.uniform(0.5, 2.0, n)
    bounds = np.array([0, 100, n])
    sums, wsums = np.empty((2, k, d)), np.empty((2, k))
    numba_.fcm_centers(X, w, u, m, bounds, sums, wsums)
    T = torch.from_numpy
    tsums, twsums = (
        torch.empty((2, k, d), dtype=torch.float64),
        torch.empty((2, k), dtype=torch.float64),
    )
    torch_.fcm_centers(T(X), T(w), T(u), m, bounds, tsums, twsums)
    np.testing.assert_allclose(tsums.numpy(), sums, rtol=1e-12)
    np.testing.assert_allclose(twsums.numpy(), wsums, rtol=1e-12)
    centers = sums.sum(0) / wsums.sum(0)[:, None]
    u_new, obj, ch = np.empty_like(u), np.empty(2), np.empty(2)
    numba_.fcm_memberships(X, w, centers, u, m, bounds, u_new, obj, ch)
    tu, tobj, tch = (
        torch.empty_like(T(u)),
        torch.empty(2, dtype=torch.float64),
        torch.empty(2, dtype=torch.float64),
    )
    torch_.fcm_memberships(T(X), T(w), T(centers), T(u), m, bounds, tu, tobj, tch)
    np.testing.assert_allclose(tu.numpy(), u_new, rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(tobj.numpy(), obj, rtol=1e-11)
    np.testing.assert_allclose(tch.numpy(), ch, rtol=1e-9)


@pytest.mark.parametrize("init", ["random", "k-means++", "array"])
def test_estimator_matches_numba_from_the_same_start(init):
    X = _data()
    start = X[[0, 100, 200]] if init == "array" else init
    w = np.random.default_rng(2).uniform(0.5, 2.0, X.shape[0])
    kw = dict(init=start, random_state=0, tol=1e-9, n_init=1)
    a = FuzzyCMeans(3, **kw).fit(X, sample_weight=w)
    b = FuzzyCMeans(3, **kw).fit(torch.from_numpy(X), sample_weight=torch.from_numpy(w))
    assert a.n_iter_ == b.n_iter_
    assert isinstance(b.cluster_centers_, torch.Tensor)
    np.testing.assert_allclose(b.cluster_centers_.numpy(), a.cluster_centers_, rtol=1e-8)
    np.testing.assert_allclose(b.membership_.numpy(), a.membership_, atol=1e-10)
    assert np.array_equal(b.labels_.numpy(), a.labels_)
    np.testing.assert_allclose(b.objective_, a.objective_, rtol=1e-10)
    T = torch.from_numpy(X)
    assert np.array_equal(b.predict(T).numpy(), a.predict(X))
    np.testing.assert_allclose(b.predict_proba(T).numpy(), a.predict_proba(X), atol=1e-10)
    np.testing.assert_allclose(b.transform(T).numpy(), a.transform(X), rtol=1e-10)
    assert b.score(T) == pytest.approx(a.score(X), rel=1e-10)


def test_float32_and_u_init_on_tensors():
    X = _data(dtype=np.float32)
    T = torch.from_numpy(X)
    u0 = np.random.default_rng(3).uniform(size=(X.shape[0], 3))
    a = FuzzyCMeans(3, u_init=u0).fit(X)
    b = FuzzyCMeans(3, u_init=u0).fit(T)
    assert b.cluster_centers_.dtype == torch.float32 and b.membership_.dtype == torch.float32
    assert b.transform(T).dtype == torch.float32
    np.testing.assert_allclose(b.cluster_centers_.numpy(), a.cluster_centers_, rtol=1e-4)
    labels = FuzzyCMeans(3, u_init=u0).fit_predict(T)
    assert isinstance(labels, torch.Tensor) and labels.dtype == torch.int64


def test_bad_input_gives_clear_errors():
    T = torch.from_numpy(_data())
    with pytest.raises(ValueError, match="infinity"):
        FuzzyCMeans(2).fit(torch.where(T > 59, float("inf"), T))
    with pytest.raises(ValueError, match="u_init has shape"):
        FuzzyCMeans(3, u_init=np.ones((4, 3))).fit(T)
    with pytest.raises(ValueError, match="identical"):
        FuzzyCMeans(3).fit(torch.ones((10, 2), dtype=torch.float64))
    fcm = FuzzyCMeans(3, random_state=0).fit(T)
    with pytest.raises(ValueError, match="X has 2 features, but FuzzyCMeans is expecting 3"):
        fcm.predict(T[:, :2])


@pytest.mark.gpu
@cuda
def test_cuda_matches_numba():
    X = _data(n=3000)
    a = FuzzyCMeans(3, random_state=0, tol=1e-9).fit(X)
    b = FuzzyCMeans(3, random_state=0, tol=1e-9).fit(torch.from_numpy(X).cuda())
    assert b.cluster_centers_.device.type == "cuda"
    np.testing.assert_allclose(b.cluster_centers_.cpu().numpy(), a.cluster_centers_, rtol=1e-8)
    c = FuzzyCMeans(3, random_state=0, tol=1e-9, device="cuda").fit(X)
    assert isinstance(c.cluster_centers_, np.ndarray)
    np.testing.assert_allclose(c.cluster_centers_, a.cluster_centers_, rtol=1e-8)
