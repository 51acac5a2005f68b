"""silhouette_samples / silhouette_score on torch tensors equal shoal's numpy silhouette."""

from __future__ import annotations

import numpy as np
import pytest
from _kmeans_torch_data import DEVICES, blobs, one_torch_thread  # noqa: F401

from shoal.metrics import silhouette_samples, silhouette_score

torch = pytest.importorskip("torch")


def _data(dtype=np.float64):
    X = blobs(n_per=60, k=4, d=3, seed=0).astype(dtype)
    labels = np.repeat(np.arange(4), 60)
    labels[[5, 70]] = -1
    labels[100] = 7  # a singleton cluster (silhouette 0)
    return X, labels


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("metric", ["euclidean", "sqeuclidean", "manhattan", "cosine"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_samples_equal_numpy(device, metric, dtype):
    X, labels = _data(dtype)
    ref = silhouette_samples(X, labels, metric=metric)
    got = silhouette_samples(torch.from_numpy(X).to(device), torch.from_numpy(labels),
                             metric=metric)  # fmt: skip
    assert isinstance(got, torch.Tensor) and got.device.type == device
    assert got.dtype == torch.float64
    np.testing.assert_allclose(got.cpu().numpy(), ref, rtol=1e-10, atol=1e-10)
    assert got[100] == 0.0


def test_small_chunks_give_the_same_values(monkeypatch):
    from shoal._kernels.torch_ import silhouette as kern

    X, labels = _data()
    whole = silhouette_samples(torch.from_numpy(X), labels).numpy()
    monkeypatch.setitem(kern._BUDGET, "cpu", 8 * 50 * (2 * X.shape[0] + 6))  # 50-row chunks
    assert kern._rows_per_chunk(X.shape[0], 6, torch.device("cpu"), None) == 50
    np.testing.assert_allclose(silhouette_samples(torch.from_numpy(X), labels).numpy(), whole,
                               rtol=1e-13)  # fmt: skip


def test_precomputed_noise_drop_and_subsample_equal_numpy():
    X, labels = _data()
    D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(axis=2))
    np.testing.assert_allclose(
        silhouette_samples(torch.from_numpy(D), labels, metric="precomputed").numpy(),
        silhouette_samples(D, labels, metric="precomputed"), rtol=1e-10, atol=1e-12,
    )  # fmt: skip
    ref = silhouette_samples(X, labels, noise="drop")
    got = silhouette_samples(torch.from_numpy(X), labels, noise="drop").numpy()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
    np.testing.assert_allclose(got[~np.isnan(got)], ref[~np.isnan(ref)], rtol=1e-10)
    for kw in ({}, {"sample_size": 100, "random_state": 3}, {"noise": "drop"}):
        s_ref = silhouette_score(X, labels, **kw)
        s_got = silhouette_score(torch.from_numpy(X), labels, **kw)
        assert isinstance(s_got, float)
        assert s_got == pytest.approx(s_ref, rel=1e-10)


def test_bad_input_gives_the_numpy_errors():
    X, labels = _data()
    Xt = torch.from_numpy(X)
    with pytest.raises(ValueError, match="Number of labels is 1"):
        silhouette_score(Xt, np.zeros(X.shape[0]))
    with pytest.raises(ValueError, match="labels has 3 values but X has n_samples=240"):
        silhouette_score(Xt, [0, 1, 0])
    with pytest.raises(ValueError, match="metric="):
        silhouette_score(Xt, labels, metric="chebyshev")
    bad = Xt.clone()
    bad[1, 2] = float("nan")
    with pytest.raises(ValueError, match=r"X contains NaN \(first at row 1, column 2\)"):
        silhouette_samples(bad, labels)
    with pytest.raises(ValueError, match="square distance matrix"):
        silhouette_score(Xt, labels, metric="precomputed")
