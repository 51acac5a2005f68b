"""DBSCAN on the torch backend: labels (numbering included) and core samples identical to the
numba path, grid and brute-force candidates, tensors in -> tensors out, bad input; a numpy fit
of this half's estimators never imports torch; CUDA under ``gpu``."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from shoal import DBSCAN

torch = pytest.importorskip("torch")
from shoal._kernels.torch_ import dbscan as tdb  # noqa: E402

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


def _data(d=2, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-6, 6, (4, d))
    X = np.concatenate([rng.normal(c, 0.6, (150, d)) for c in centers])
    X = np.concatenate([X, rng.uniform(-9, 9, (80, d))])
    return X[rng.permutation(X.shape[0])].astype(dtype)


_DEFAULT = {(2, "auto", 0.3), (2, "auto", 1.2), (3, "auto", 0.6), (2, "brute", 0.6)}
CASES = [
    pytest.param(d, algo, eps, ms, marks=() if (d, algo, eps) in _DEFAULT else pytest.mark.slow)
    for d in (2, 3)
    for algo in ("auto", "brute")
    for eps, ms in ((0.3, 5), (0.6, 12), (1.2, 3))
]


@pytest.mark.parametrize(("d", "algorithm", "eps", "min_samples"), CASES)
def test_labels_equal_the_numba_path(d, algorithm, eps, min_samples, monkeypatch):
    monkeypatch.setattr(tdb, "BUDGET", 20_000)  # several chunks of candidate pairs
    X = _data(d)
    w = np.random.default_rng(1).integers(1, 3, X.shape[0]).astype(float)
    a = DBSCAN(eps, min_samples=min_samples, algorithm=algorithm).fit(X, sample_weight=w)
    b = DBSCAN(eps, min_samples=min_samples, algorithm=algorithm).fit(
        torch.from_numpy(X), sample_weight=torch.from_numpy(w)
    )
    assert b.algorithm_ == ("grid" if algorithm == "auto" else "brute")
    assert isinstance(b.labels_, torch.Tensor) and b.labels_.dtype == torch.int64
    assert np.array_equal(b.labels_.numpy(), a.labels_)
    assert np.array_equal(b.core_sample_indices_.numpy(), a.core_sample_indices_)
    assert np.array_equal(b.components_.numpy(), a.components_)
    assert a.labels_.max() >= 1 and (a.labels_ == -1).any()  # clusters and noise exist


def test_grid_pairs_cover_every_neighbour(monkeypatch):
    monkeypatch.setattr(tdb, "BUDGET", 3_000)
    X = torch.from_numpy(_data(2))
    eps = 0.7
    pairs = set()
    for i, j in tdb.grid_pairs(X, eps):
        pairs.update(zip(i.tolist(), j.tolist()))
    D = torch.cdist(X, X)
    want = torch.nonzero(D <= eps * 0.999).tolist()
    assert all(tuple(p) in pairs for p in want)


def test_float32_and_numpy_with_device_cpu():
    X = _data(2, dtype=np.float32)
    a = DBSCAN(0.5, min_samples=6).fit(X)
    b = DBSCAN(0.5, min_samples=6).fit(torch.from_numpy(X))
    assert b.components_.dtype == torch.float32
    assert np.array_equal(b.labels_.numpy(), a.labels_)
    c = DBSCAN(0.5, min_samples=6, device="cpu").fit(X)  # numpy in, device="cpu": numba
    assert isinstance(c.labels_, np.ndarray) and np.array_equal(c.labels_, a.labels_)
    assert np.array_equal(DBSCAN(0.5, min_samples=6).fit_predict(torch.from_numpy(X)).numpy(),
                          a.labels_)  # fmt: skip


def test_bad_input_gives_clear_errors():
    T = torch.from_numpy(_data(2))
    with pytest.raises(NotImplementedError, match="metric='manhattan'"):
        DBSCAN(0.5, metric="manhattan").fit(T)
    with pytest.raises(ValueError, match="eps=-1"):
        DBSCAN(-1.0).fit(T)
    with pytest.raises(ValueError, match="negative"):
        DBSCAN(0.5).fit(T, sample_weight=-torch.ones(T.shape[0]))
    with pytest.raises(ValueError, match="2-D tensor"):
        DBSCAN(0.5).fit(T[:, 0])


def test_numpy_fits_never_import_torch():
    code = (
        "import sys, numpy as np\n"
        "from shoal import DBSCAN, FuzzyCMeans, GaussianMixture, MeanShift\n"
        "X = np.random.default_rng(0).normal(size=(60, 2))\n"
        "GaussianMixture(2, random_state=0).fit(X); MeanShift(bandwidth=1.0).fit(X)\n"
        "FuzzyCMeans(2, random_state=0).fit(X); DBSCAN(0.5).fit(X)\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.gpu
@cuda
def test_cuda_labels_equal_the_numba_path():
    X = _data(2)
    a = DBSCAN(0.4, min_samples=8).fit(X)
    b = DBSCAN(0.4, min_samples=8).fit(torch.from_numpy(X).cuda())
    assert b.labels_.device.type == "cuda"
    assert np.array_equal(b.labels_.cpu().numpy(), a.labels_)
    c = DBSCAN(0.4, min_samples=8, device="cuda").fit(X)
    assert isinstance(c.labels_, np.ndarray) and np.array_equal(c.labels_, a.labels_)
