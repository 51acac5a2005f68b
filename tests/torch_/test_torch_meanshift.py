"""MeanShift on the torch backend: the streamed (online-softmax) Gaussian step against a
brute-force float64 step, the Triton kernel against the plain-torch fallback under
TRITON_INTERPRET=1, float32 accuracy 1e4 from the origin, the estimator against the numba
path (centres 1e-4 relative, same labels), tensors in -> tensors out, bad input; CUDA under
``gpu``."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from shoal import MeanShift

torch = pytest.importorskip("torch")
from shoal._kernels.torch_ import meanshift as tms  # noqa: E402

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
needs_triton = pytest.mark.skipif(
    importlib.util.find_spec("triton") is None, reason="triton is not installed"
)


def _blobs(n=450, offset=0.0, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    parts = [rng.normal(c, 0.5, (n // 3, 2)) for c in ((0.0, 0.0), (4.0, 4.0), (8.0, 0.0))]
    return (np.concatenate(parts) + offset).astype(dtype)


def _brute_gaussian(X, Y, h):
    """float64 reference: weights exp(-|y - x|^2 / (2 h^2)) from direct differences."""
    X, Y = np.asarray(X, np.float64), np.asarray(Y, np.float64)
    r2 = ((Y[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    W = np.exp(-0.5 * r2 / h**2)
    return W @ X / W.sum(1)[:, None], np.log(W.sum(1)), -0.5 * r2.min(1) / h**2


def _step(X, Y, h, use_triton=None):
    out = torch.empty_like(Y)
    lm = torch.empty(Y.shape[0], dtype=Y.dtype)
    lp = torch.empty_like(lm)
    tms.meanshift_gaussian_step(X, Y, h, out, lm, lp, use_triton=use_triton)
    return out, lm, lp


def test_streamed_gaussian_step_equals_brute_force(monkeypatch):
    monkeypatch.setattr(tms, "BUDGET", 16 * 37)  # tiles of 37 samples, blocks of 16 seeds
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 3)) * 2.0
    Y = X[:40] + 0.3
    out = torch.empty((40, 3), dtype=torch.float64)
    lm, lp = torch.empty(40, dtype=torch.float64), torch.empty(40, dtype=torch.float64)
    tms._gaussian_step_torch(torch.from_numpy(X), torch.from_numpy(Y), 0.9, out, lm, lp, 16)
    ref, ref_lm, ref_lp = _brute_gaussian(X, Y, 0.9)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(lm.numpy(), ref_lm, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(lp.numpy(), ref_lp, rtol=1e-12, atol=1e-12)


def test_flat_step_equals_brute_force(monkeypatch):
    monkeypatch.setattr(tms, "BUDGET", 500)
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 2))
    Y = np.vstack([X[:30], [[50.0, 50.0]]])  # the last seed sees no sample
    out = torch.empty((31, 2), dtype=torch.float64)
    cnt = torch.empty(31, dtype=torch.int64)
    tms.meanshift_flat_step(torch.from_numpy(X), torch.from_numpy(Y), 0.5, out, cnt)
    within = ((Y[:, None] - X[None]) ** 2).sum(-1) <= 0.25
    assert np.array_equal(cnt.numpy(), within.sum(1))
    np.testing.assert_allclose(out.numpy()[:30], (within @ X)[:30] / within.sum(1)[:30, None])
    np.testing.assert_array_equal(out.numpy()[30], Y[30])


def test_float32_step_keeps_its_accuracy_1e4_from_the_origin():
    """The logits are measured from each seed block's centre: float32 results sit within two
    float32 spacings of the float64 step (about 1e-3 at 1e4; the uncentred formula has
    |x|^2 / h^2 ~ 3e8 in its logits and no correct digit)."""
    X = _blobs(offset=1e4, dtype=np.float32)
    Y = X[::7] + np.float32(0.05)
    out, lm, _ = _step(torch.from_numpy(X), torch.from_numpy(Y), 0.8, use_triton=False)
    ref, ref_lm, _ = _brute_gaussian(X, Y, 0.8)
    spacing = np.spacing(np.float32(2e4))
    assert np.abs(out.numpy() - ref).max() <= 2 * spacing
    np.testing.assert_allclose(lm.numpy(), ref_lm, atol=1e-4)


def _triton_check() -> None:
    """The Triton step against the fallback and the exact step (run under the interpreter)."""
    rng = np.random.default_rng(3)
    for d, offset in ((2, 0.0), (5, 1e4)):
        X = torch.from_numpy((rng.normal(size=(150, d)) + offset).astype(np.float32))
        Y = X[:70] + 0.1  # two seed blocks, three X tiles, ragged ends
        got = _step(X, Y, 0.8, use_triton=True)
        ref = _step(X, Y, 0.8, use_triton=False)
        spacing = float(np.spacing(np.float32(max(offset, 1.0) * 2)))
        assert (got[0] - ref[0]).abs().max().item() <= 4 * spacing
        np.testing.assert_allclose(got[1].numpy(), ref[1].numpy(), atol=2e-5)
        np.testing.assert_allclose(got[2].numpy(), ref[2].numpy(), atol=2e-5)
        exact = _brute_gaussian(X.numpy(), Y.numpy(), 0.8)[0]
        assert np.abs(got[0].numpy() - exact).max() <= 2 * spacing


@needs_triton
def test_triton_step_equals_the_fallback_under_the_interpreter():
    # triton reads TRITON_INTERPRET when it is imported: a fresh process, whatever this one
    # has imported already.
    here = Path(__file__).resolve().parent
    code = (
        f"import sys; sys.path.insert(0, {str(here)!r}); "
        "import test_torch_meanshift as t; t._triton_check(); print('checked')"
    )
    env = dict(os.environ, TRITON_INTERPRET="1")
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0 and "checked" in proc.stdout, proc.stderr[-3000:]


@pytest.mark.parametrize("kernel", ["flat", "gaussian"])
@pytest.mark.parametrize("bin_seeding", [False, True])
def test_fit_matches_numba(kernel, bin_seeding):
    X = _blobs(offset=100.0)
    kw = dict(bandwidth=1.0, kernel=kernel, bin_seeding=bin_seeding)
    a = MeanShift(**kw).fit(X)
    b = MeanShift(**kw).fit(torch.from_numpy(X))
    assert isinstance(b.cluster_centers_, torch.Tensor) and b.labels_.dtype == torch.int64
    assert b.cluster_centers_.shape == a.cluster_centers_.shape
    np.testing.assert_allclose(b.cluster_centers_.numpy(), a.cluster_centers_, rtol=1e-4)
    assert np.array_equal(b.labels_.numpy(), a.labels_)
    assert b.n_iter_ == a.n_iter_
    Z = torch.from_numpy(X[::5] + 0.3)
    assert np.array_equal(b.predict(Z).numpy(), a.predict(Z.numpy()))


def test_float32_seeds_and_cluster_all():
    X = _blobs(offset=1e3, dtype=np.float32)
    X[0] = 2e3  # a lone sample
    seeds = X[[1, 200, 400]]
    a = MeanShift(bandwidth=1.0, seeds=seeds, cluster_all=False).fit(X)
    b = MeanShift(bandwidth=1.0, seeds=seeds, cluster_all=False).fit(torch.from_numpy(X))
    assert b.cluster_centers_.dtype == torch.float32
    np.testing.assert_allclose(b.cluster_centers_.numpy(), a.cluster_centers_, rtol=1e-4)
    assert np.array_equal(b.labels_.numpy(), a.labels_) and b.labels_[0] == -1


def test_bad_input_gives_clear_errors():
    T = torch.from_numpy(_blobs())
    with pytest.raises(NotImplementedError, match="kernel='epanechnikov'"):
        MeanShift(bandwidth=1.0, kernel="epanechnikov").fit(T)
    with pytest.raises(ValueError, match="seeds have 3 features; X has 2"):
        MeanShift(bandwidth=1.0, seeds=np.zeros((2, 3))).fit(T)
    with pytest.raises(ValueError, match="No point was within bandwidth"):
        MeanShift(bandwidth=0.1, seeds=[[1e3, 1e3]]).fit(T)
    with pytest.raises(ValueError, match="NaN"):
        MeanShift(bandwidth=1.0).fit(torch.full((3, 2), float("nan")))


@pytest.mark.gpu
@cuda
@pytest.mark.parametrize("kernel", ["flat", "gaussian"])
def test_cuda_fit_matches_numba(kernel):
    X = _blobs(n=3000, offset=1e4)
    a = MeanShift(bandwidth=1.0, kernel=kernel, bin_seeding=True).fit(X)
    for dtype in (torch.float64, torch.float32):
        b = MeanShift(bandwidth=1.0, kernel=kernel, bin_seeding=True).fit(
            torch.from_numpy(X).to("cuda", dtype)
        )
        assert b.cluster_centers_.device.type == "cuda"
        got = b.cluster_centers_.double().cpu().numpy()
        np.testing.assert_allclose(got, a.cluster_centers_, rtol=1e-4)
    c = MeanShift(bandwidth=1.0, kernel=kernel, bin_seeding=True, device="cuda").fit(X)
    assert isinstance(c.labels_, np.ndarray) and np.array_equal(c.labels_, a.labels_)


@pytest.mark.gpu
@cuda
def test_cuda_triton_step_is_fp32_accurate():
    rng = np.random.default_rng(4)
    for d in (2, 16, 64):
        X = (rng.normal(size=(20000, d)) + 1e4).astype(np.float32)
        Y = X[:500] + np.float32(0.1)
        T, S = torch.from_numpy(X).cuda(), torch.from_numpy(Y).cuda()
        out = torch.empty_like(S)
        lm = torch.empty(500, device="cuda")
        tms.meanshift_gaussian_step(T, S, 2.0, out, lm, torch.empty_like(lm), use_triton=True)
        ref = _brute_gaussian(X, Y, 2.0)[0]
        assert np.abs(out.cpu().numpy() - ref).max() <= 1e-4 * 1e4
