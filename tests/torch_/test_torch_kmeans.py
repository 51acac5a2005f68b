"""KMeans on torch tensors: parity with the numba path and scikit-learn from the same initial
centres, k-means++ on the device, tensors in -> tensors out, bad input, persistence."""

from __future__ import annotations

import io

import numpy as np
import pytest
from _kmeans_torch_data import DEVICES, blobs, one_torch_thread  # noqa: F401
from sklearn.cluster import KMeans as SkKMeans
from sklearn.cluster import kmeans_plusplus as sk_kmeans_plusplus

from shoal import KMeans, kmeans_plusplus
from shoal.io import save

torch = pytest.importorskip("torch")


def _data(dtype=np.float64, seed=0, k=5):
    X = blobs(n_per=80, k=k, d=4, seed=seed).astype(dtype)
    rng = np.random.default_rng(seed + 10)
    init = X[rng.choice(X.shape[0], k, replace=False)].copy()
    return X, init


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("algorithm", ["lloyd", "elkan", "hamerly"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_same_init_parity_with_numba_and_sklearn(device, algorithm, dtype):
    """'elkan' / 'hamerly' on a tensor run Lloyd's iterations: the same iterates."""
    X, init = _data(dtype, seed=1)
    w = np.random.default_rng(2).uniform(0.5, 2.0, X.shape[0]).astype(dtype)
    ref = KMeans(5, init=init, n_init=1, algorithm="lloyd").fit(X, sample_weight=w)
    sk = SkKMeans(5, init=init, n_init=1, algorithm="lloyd").fit(X, sample_weight=w)
    Xt = torch.from_numpy(X).to(device)
    km = KMeans(5, init=init, n_init=1, algorithm=algorithm).fit(
        Xt, sample_weight=torch.from_numpy(w).to(device)
    )
    assert isinstance(km.labels_, torch.Tensor) and km.labels_.device.type == device
    assert km.labels_.dtype == torch.int64
    assert km.cluster_centers_.dtype == Xt.dtype and km.cluster_centers_.device.type == device
    np.testing.assert_array_equal(km.labels_.cpu().numpy(), ref.labels_)
    np.testing.assert_array_equal(km.labels_.cpu().numpy(), sk.labels_)
    rel = 1e-6 if dtype == np.float64 else 1e-5
    assert km.inertia_ == pytest.approx(ref.inertia_, rel=rel)
    assert km.inertia_ == pytest.approx(sk.inertia_, rel=rel)
    assert km.n_iter_ == ref.n_iter_
    np.testing.assert_allclose(km.cluster_centers_.cpu().numpy(), ref.cluster_centers_, rtol=rel)


def test_same_seed_gives_numba_result_for_every_init():
    """The random draws are the numba path's (host RandomState): 'k-means++' and 'random' with
    n_init > 1 pick the same centres from the same seed."""
    X, _ = _data(np.float64, seed=3)
    for init, n_init, seed in (("k-means++", 1, 0), ("random", 3, 1), ("k-means++", 2, 2)):
        ref = KMeans(5, init=init, n_init=n_init, random_state=seed).fit(X)
        km = KMeans(5, init=init, n_init=n_init, random_state=seed).fit(torch.from_numpy(X))
        np.testing.assert_array_equal(km.labels_.numpy(), ref.labels_)
        assert km.inertia_ == pytest.approx(ref.inertia_, rel=1e-10)


def test_kmeans_plusplus_on_tensors_picks_sklearns_rows():
    """float64 seeding from the same seed draws the rows scikit-learn draws (it computes the
    same potentials; only rounding could separate a near-tie, absent here)."""
    X = blobs(n_per=60, k=6, d=3, seed=4)
    w = np.random.default_rng(0).uniform(0.5, 2.0, X.shape[0])
    for seed in range(4):
        c_t, idx_t = kmeans_plusplus(torch.from_numpy(X), 6, random_state=seed,
                                     sample_weight=torch.from_numpy(w))  # fmt: skip
        _, idx_sk = sk_kmeans_plusplus(X, 6, random_state=seed, sample_weight=w)
        np.testing.assert_array_equal(idx_t.numpy(), idx_sk)
        np.testing.assert_array_equal(c_t.numpy(), X[idx_sk])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_kmeans_plusplus_seeding_quality_matches_numba(dtype):
    """Converged inertia from device-seeded starts, over several seeds, is the numba path's."""
    X = blobs(n_per=40, k=12, d=5, seed=5, spread=6.0).astype(dtype)
    inert_t, inert_n = [], []
    for seed in range(4):
        inert_n.append(KMeans(12, n_init=1, random_state=seed).fit(X).inertia_)
        inert_t.append(KMeans(12, n_init=1, random_state=seed).fit(torch.from_numpy(X)).inertia_)
    assert np.mean(inert_t) <= 1.02 * np.mean(inert_n)
    assert max(inert_t) <= 1.1 * max(inert_n)


def test_empty_cluster_is_relocated_like_numba():
    X, init = _data(np.float64, seed=6)
    init[2] = 1e3  # no sample is nearest to this centre
    ref = KMeans(5, init=init, n_init=1, algorithm="lloyd").fit(X)
    sk = SkKMeans(5, init=init, n_init=1).fit(X)
    km = KMeans(5, init=init, n_init=1).fit(torch.from_numpy(X))
    np.testing.assert_array_equal(km.labels_.numpy(), ref.labels_)
    np.testing.assert_array_equal(km.labels_.numpy(), sk.labels_)
    assert km.inertia_ == pytest.approx(sk.inertia_, rel=1e-6)


def test_cosine_metric_parity():
    X, _ = _data(np.float64, seed=7)
    ref = KMeans(4, metric="cosine", random_state=0).fit(X)
    km = KMeans(4, metric="cosine", random_state=0).fit(torch.from_numpy(X))
    np.testing.assert_array_equal(km.labels_.numpy(), ref.labels_)
    assert km.inertia_ == pytest.approx(ref.inertia_, rel=1e-9)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fitted_methods_on_tensors(device, dtype):
    X, _ = _data(dtype, seed=8)
    ref = KMeans(5, random_state=0).fit(X)
    Xt = torch.from_numpy(X).to(device)
    km = KMeans(5, random_state=0).fit(Xt)
    X_new = X[::7] + 0.3
    Xn = torch.from_numpy(X_new).to(device)
    pred = km.predict(Xn)
    assert pred.device.type == device and pred.dtype == torch.int64
    np.testing.assert_array_equal(pred.cpu().numpy(), ref.predict(X_new))
    dist = km.transform(Xn)
    assert dist.dtype == Xt.dtype and dist.device.type == device
    np.testing.assert_allclose(dist.cpu().numpy(), ref.transform(X_new), rtol=1e-5)
    assert km.score(Xn) == pytest.approx(ref.score(X_new), rel=1e-6)
    fp = KMeans(5, random_state=0).fit_predict(Xt)
    assert isinstance(fp, torch.Tensor)
    np.testing.assert_array_equal(fp.cpu().numpy(), ref.labels_)
    # numpy into a model fitted on tensors: the numba path, numpy out.
    np.testing.assert_array_equal(km.predict(X_new), ref.predict(X_new))


def test_numpy_input_with_device_cpu_keeps_numba_path():
    X, _ = _data()
    km = KMeans(5, random_state=0, device="cpu").fit(X)
    assert isinstance(km.cluster_centers_, np.ndarray)
    np.testing.assert_array_equal(km.labels_, KMeans(5, random_state=0).fit(X).labels_)


def test_callable_init_gets_the_tensor_and_input_is_untouched():
    X, init = _data(seed=9)
    Xt = torch.from_numpy(X.copy())
    seen = []

    def my_init(X, k, random_state):
        seen.append(type(X))
        return init

    km = KMeans(5, init=my_init, n_init=2).fit(Xt)
    assert seen == [torch.Tensor, torch.Tensor]
    np.testing.assert_array_equal(Xt.numpy(), X)
    # Both paths call it on the centred X and use what it returns as is.
    ref = KMeans(5, init=my_init, n_init=2).fit(X)
    np.testing.assert_array_equal(km.labels_.numpy(), ref.labels_)
    # A tensor init is an array init.
    km2 = KMeans(5, init=torch.from_numpy(init), n_init=1).fit(Xt)
    ref2 = KMeans(5, init=init, n_init=1).fit(X)
    np.testing.assert_array_equal(km2.labels_.numpy(), ref2.labels_)


def test_bad_input_gives_the_numpy_paths_errors():
    X, _ = _data()
    bad = X.copy()
    bad[3, 1] = np.nan
    cases = [
        (bad, r"X contains NaN \(first at row 3, column 1\)"),
        (X[:, 0], r"X must be a 2-D (array|tensor) of shape \(n_samples, n_features\)"),
        (X[:3], r"n_clusters=5 must be <= n_samples=3"),
        (X[:1], r"X has n_samples=1; at least 2 are needed"),
    ]
    for arr, pattern in cases:
        for data in (arr, torch.from_numpy(arr)):
            with pytest.raises(ValueError, match=pattern):
                KMeans(5).fit(data)
    with pytest.raises(ValueError, match="device='gpu' is not valid"):
        KMeans(2, device="gpu").fit(torch.from_numpy(X))
    with pytest.raises(ValueError, match="sparse torch tensor"):
        KMeans(2).fit(torch.from_numpy(X).to_sparse())
    with pytest.raises(ValueError, match="does not match the number of clusters"):
        KMeans(3, init=torch.zeros((2, 4), dtype=torch.float64)).fit(torch.from_numpy(X))
    km = KMeans(2, n_init=1, random_state=0).fit(torch.from_numpy(X))
    with pytest.raises(ValueError, match="X has 3 features, but KMeans is expecting 4"):
        km.predict(torch.zeros((2, 3), dtype=torch.float64))
    with pytest.raises(ValueError, match="sample_weight has negative values"):
        KMeans(2).fit(torch.from_numpy(X), sample_weight=-torch.ones(X.shape[0]))


def test_model_fitted_on_tensors_is_refused_by_save():
    X, _ = _data()
    km = KMeans(2, n_init=1, random_state=0).fit(torch.from_numpy(X))
    with pytest.raises(TypeError, match=r"'cluster_centers_' is a torch tensor \(on cpu\)"):
        save(km, io.BytesIO())


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_numpy_input_with_device_cuda_returns_numpy():
    X, init = _data(np.float32, seed=11)
    ref = KMeans(5, init=init, n_init=1).fit(X)
    km = KMeans(5, init=init, n_init=1, device="cuda").fit(X)
    assert isinstance(km.cluster_centers_, np.ndarray) and km.cluster_centers_.dtype == np.float32
    np.testing.assert_array_equal(km.labels_, ref.labels_)
    assert isinstance(km.predict(X), np.ndarray)
    save(km, io.BytesIO())


def test_precision_reaches_the_lloyd_kernel_and_keeps_fp32_labels(monkeypatch):
    """precision='bf16' on float32 tensors whose rows sit near ties: the Lloyd kernel gets it
    (and re-checks the rows bf16 cannot order), and the fit equals the fp32 fit."""
    from _kmeans_torch_data import near_ties

    import shoal._kernels.torch_ as tk

    X, init = near_ties(n=300, k=6, d=16, seed=3)
    seen = []
    real = tk.lloyd_step

    def spy(*args):
        seen.append(args[-1])
        return real(*args)

    monkeypatch.setattr(tk, "lloyd_step", spy)
    Xt = torch.from_numpy(X)
    low = KMeans(6, init=init, n_init=1, precision="bf16").fit(Xt)
    assert seen and set(seen) == {"bf16"}
    full = KMeans(6, init=init, n_init=1).fit(Xt)
    assert torch.equal(low.labels_, full.labels_)
    torch.testing.assert_close(low.cluster_centers_, full.cluster_centers_, rtol=1e-6, atol=0)
    with pytest.raises(ValueError, match="precision='fp16'"):
        KMeans(6, precision="fp16").fit(Xt)
