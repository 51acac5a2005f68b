"""torch_ k-means kernels (on the CPU) against the numba_ kernels on the same inputs, and the
near-tie re-check of the low-precision distance modes."""

from __future__ import annotations

import numpy as np
import pytest
from _kmeans_torch_data import blobs, exact_nearest, near_ties, one_torch_thread  # noqa: F401

import shoal._kernels.numba_ as nb
from shoal._backend import blas_one_thread
from shoal.centroid._kmeans_core import n_blocks_for

torch = pytest.importorskip("torch")
import shoal._kernels.torch_ as tk  # noqa: E402
from shoal._kernels.torch_.kmeans import assign_nearest, distance_error_bound  # noqa: E402


def _problem(dtype, seed=0, k=7):
    X = blobs(n_per=150, k=5, d=6, seed=seed).astype(dtype)
    X = np.ascontiguousarray(X - X.mean(axis=0))
    rng = np.random.default_rng(seed + 1)
    C = X[rng.choice(X.shape[0], k, replace=False)].copy()
    w = rng.uniform(0.5, 2.0, X.shape[0]).astype(dtype)
    return X, C, w


def _numba_lloyd(X, w, C):
    n, d = X.shape
    k = C.shape[0]
    nb_blocks = n_blocks_for(n, k, d)
    bounds = nb.block_bounds(n, nb_blocks)
    labels = np.empty(n, dtype=np.int64)
    sums = np.empty((nb_blocks, k, d))
    wsums = np.empty((nb_blocks, k))
    c_sq = (C.astype(np.float64) ** 2).sum(axis=1)
    dummy = np.empty(0)
    with blas_one_thread():
        nb.lloyd_step(X, w, C, c_sq, dummy, bounds, 64, labels, sums, wsums, dummy, 0.0, 1)
    return labels, sums.sum(axis=0), wsums.sum(axis=0)


def _torch_lloyd(X, w, C, chunk=50, n_blocks=1):
    Xt, wt, Ct = (torch.from_numpy(a) for a in (X, w, C))
    n, d = X.shape
    k = C.shape[0]
    labels = torch.empty(n, dtype=torch.int64)
    sums = torch.empty((n_blocks, k, d), dtype=torch.float64)
    wsums = torch.empty((n_blocks, k), dtype=torch.float64)
    c_sq = (Ct.double() ** 2).sum(dim=1)
    empty = torch.empty(0, dtype=torch.float64)
    tk.lloyd_step(
        Xt, wt, Ct, c_sq, empty, tk.block_bounds(n, n_blocks), chunk, labels, sums, wsums,
        empty, 0.0, 1,
    )  # fmt: skip
    return labels.numpy(), sums.sum(dim=0).numpy(), wsums.sum(dim=0).numpy()


@pytest.mark.parametrize("n_blocks", [1, 3])
def test_lloyd_step_float64_equals_numba(n_blocks):
    X, C, w = _problem(np.float64)
    lab_n, sums_n, ws_n = _numba_lloyd(X, w, C)
    # chunk=50 splits the 750 rows into 15 tiles: chunking must not change anything.
    lab_t, sums_t, ws_t = _torch_lloyd(X, w, C, chunk=50, n_blocks=n_blocks)
    np.testing.assert_array_equal(lab_t, lab_n)
    np.testing.assert_allclose(sums_t, sums_n, rtol=1e-10, atol=1e-10 * np.abs(sums_n).max())
    np.testing.assert_allclose(ws_t, ws_n, rtol=1e-12)


def test_lloyd_step_float32_equals_numba_up_to_near_ties():
    """float32 labels may differ only where the two nearest centres are closer than the fp32
    rounding bound of the norm expansion; the sums (float64 accumulation of the same float32
    values) then agree to 1e-10 relative. On this data no row is that close."""
    X, C, w = _problem(np.float32, seed=3)
    lab_n, sums_n, ws_n = _numba_lloyd(X, w, C)
    lab_t, sums_t, ws_t = _torch_lloyd(X, w, C)
    np.testing.assert_array_equal(lab_t, lab_n)
    np.testing.assert_array_equal(lab_t, exact_nearest(X, C))
    np.testing.assert_allclose(sums_t, sums_n, rtol=1e-10, atol=1e-10 * np.abs(sums_n).max())
    np.testing.assert_allclose(ws_t, ws_n, rtol=1e-10)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_predict_kernels_equal_numba(dtype):
    X, C, w = _problem(dtype, seed=5)
    n, k = X.shape[0], C.shape[0]
    Xt, Ct, wt = torch.from_numpy(X), torch.from_numpy(C), torch.from_numpy(w)
    c_sq = (C.astype(np.float64) ** 2).sum(axis=1)
    lab_n, sq_n = np.empty(n, dtype=np.int64), np.empty(n)
    nb.assign_labels(X, C, c_sq, lab_n, sq_n)
    lab_t, sq_t = torch.empty(n, dtype=torch.int64), torch.empty(n, dtype=torch.float64)
    tk.assign_labels(Xt, Ct, torch.from_numpy(c_sq), lab_t, sq_t)
    np.testing.assert_array_equal(lab_t.numpy(), lab_n)
    np.testing.assert_allclose(sq_t.numpy(), sq_n, rtol=1e-10, atol=1e-12)
    assert tk.inertia_dense(Xt, wt, Ct, lab_t) == pytest.approx(
        nb.inertia_dense(X, w, C, lab_n), rel=1e-10
    )
    out_n = np.empty((n, k), dtype=dtype)
    nb.transform_dense(X, C, out_n)
    out_t = torch.empty((n, k), dtype=Xt.dtype)
    tk.transform_dense(Xt, Ct, out_t)
    np.testing.assert_allclose(out_t.numpy(), out_n, rtol=1e-6 if dtype == np.float32 else 1e-12)
    norms_n, norms_t = np.empty(n), torch.empty(n, dtype=torch.float64)
    nb.row_sq_norms(X, norms_n)
    tk.row_sq_norms(Xt, norms_t)
    np.testing.assert_allclose(norms_t.numpy(), norms_n, rtol=1e-12)


def test_assign_labels_decides_near_ties_by_exact_differences():
    """Rows the norm expansion cannot order get exact differences: labels equal the float64
    truth although the centres are far from the origin (large norms, big rounding)."""
    X, C = near_ties(n=150, gap=1e-4)
    X = X.astype(np.float64) + 1e4
    C = C.astype(np.float64) + 1e4
    Xt, Ct = torch.from_numpy(X.astype(np.float32)), torch.from_numpy(C.astype(np.float32))
    labels = torch.empty(X.shape[0], dtype=torch.int64)
    min_sq = torch.empty(X.shape[0], dtype=torch.float64)
    tk.assign_labels(Xt, Ct, (Ct.double() ** 2).sum(dim=1), labels, min_sq)
    truth = exact_nearest(Xt.numpy(), Ct.numpy())
    np.testing.assert_array_equal(labels.numpy(), truth)
    plain = torch.empty_like(labels)
    tk.nearest_center(Xt, Ct, (Ct * Ct).sum(dim=1), 64, plain)
    assert (plain.numpy() != truth).any()  # the expansion alone gets some wrong here


def test_minibatch_step_equals_numba():
    X, C, _ = _problem(np.float64, seed=7)
    rng = np.random.default_rng(0)
    rows = rng.integers(0, X.shape[0], 200).astype(np.int64)
    wb = rng.uniform(0.5, 2.0, 200)
    k, d = C.shape
    counts_n = rng.uniform(0.0, 5.0, k)
    counts_n[0] = 0.0
    counts_t = torch.from_numpy(counts_n.copy())
    new_n = np.empty_like(C)
    res_n = nb.minibatch_step(
        X, rows, wb, C, new_n, counts_n, 64, np.empty(200, dtype=np.int64), np.empty(200),
        np.empty((k, d)), np.empty(k),
    )  # fmt: skip
    new_t = torch.empty((k, d), dtype=torch.float64)
    res_t = tk.minibatch_step(
        torch.from_numpy(X), torch.from_numpy(rows), torch.from_numpy(wb), torch.from_numpy(C),
        new_t, counts_t, 64, torch.empty(200, dtype=torch.int64),
        torch.empty(200, dtype=torch.float64), torch.empty((k, d), dtype=torch.float64),
        torch.empty(k, dtype=torch.float64),
    )  # fmt: skip
    np.testing.assert_allclose(new_t.numpy(), new_n, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(counts_t.numpy(), counts_n, rtol=1e-12)
    np.testing.assert_allclose(res_t, res_n, rtol=1e-10)


@pytest.mark.parametrize("precision", ["tf32", "bf16"])
def test_error_bound_covers_low_precision_distances(precision):
    X, C = near_ties(n=100, seed=2)
    Xt, Ct = torch.from_numpy(X), torch.from_numpy(C)
    c_sq = (Ct * Ct).sum(dim=1)
    lab = torch.empty(100, dtype=torch.int64)
    best = torch.empty(100)
    tk.nearest_center(Xt, Ct, c_sq, 32, lab, best, None, precision)
    exact = ((X.astype(np.float64)[:, None] - C.astype(np.float64)[None]) ** 2).sum(axis=2)
    x_sq = (X.astype(np.float64) ** 2).sum(axis=1)
    partial_exact = exact[np.arange(100), lab.numpy()] - x_sq
    bound = distance_error_bound(
        torch.from_numpy(x_sq), float(c_sq.max()), X.shape[1], torch.float32, precision
    ).numpy()
    err = np.abs(best.numpy() - partial_exact)
    assert (err <= bound).all()
    assert err.max() > 1e-3 * bound.max()  # the bound is not vacuous by orders of magnitude


@pytest.mark.parametrize("precision", ["tf32", "bf16"])
def test_low_precision_recheck_restores_fp32_labels(precision):
    """Coarse operands misorder near-tied rows; the re-check recomputes every row whose two
    best distances lie within twice the error bound, so the labels are fp32's."""
    X, C = near_ties(n=300, seed=1, gap=2e-3)
    Xt, Ct = torch.from_numpy(X), torch.from_numpy(C)
    c_sq = (Ct * Ct).sum(dim=1)
    fp32 = torch.empty(300, dtype=torch.int64)
    tk.nearest_center(Xt, Ct, c_sq, 64, fp32)
    np.testing.assert_array_equal(fp32.numpy(), exact_nearest(X, C))
    coarse = torch.empty_like(fp32)
    tk.nearest_center(Xt, Ct, c_sq, 64, coarse, precision=precision)
    if precision == "bf16":
        assert (coarse != fp32).any()  # bf16 alone gets near-ties wrong on this data
    fixed = torch.empty_like(fp32)
    n_checked = assign_nearest(Xt, Ct, c_sq, 64, fixed, precision=precision, use_triton=False)
    np.testing.assert_array_equal(fixed.numpy(), fp32.numpy())
    assert n_checked >= int((coarse != fp32).sum())
    assert n_checked > 0


def test_lloyd_step_low_precision_gives_fp32_step():
    X, C = near_ties(n=300, seed=4)
    w = np.ones(300, dtype=np.float32)
    ref = _torch_lloyd(X, w, C)
    Xt, Ct = torch.from_numpy(X), torch.from_numpy(C)
    k, d = C.shape
    labels = torch.empty(300, dtype=torch.int64)
    sums = torch.empty((1, k, d), dtype=torch.float64)
    wsums = torch.empty((1, k), dtype=torch.float64)
    x_sq = torch.empty(300, dtype=torch.float64)
    tk.row_sq_norms(Xt, x_sq)
    checked = tk.lloyd_step(
        Xt, torch.from_numpy(w), Ct, (Ct.double() ** 2).sum(dim=1), x_sq, tk.block_bounds(300, 1),
        64, labels, sums, wsums, x_sq, 0.0, 1, "bf16",
    )  # fmt: skip
    assert checked > 0
    np.testing.assert_array_equal(labels.numpy(), ref[0])
    np.testing.assert_allclose(sums[0].numpy(), ref[1], rtol=1e-12)


def test_lloyd_mode2_lower_bound_is_second_distance():
    X, C, w = _problem(np.float64, seed=9)
    Xt, Ct = torch.from_numpy(X), torch.from_numpy(C)
    n, k, d = X.shape[0], C.shape[0], X.shape[1]
    x_sq = torch.empty(n, dtype=torch.float64)
    tk.row_sq_norms(Xt, x_sq)
    lower = torch.empty(n, dtype=torch.float64)
    labels = torch.empty(n, dtype=torch.int64)
    tk.lloyd_step(
        Xt, torch.from_numpy(w), Ct, (Ct**2).sum(dim=1), x_sq, tk.block_bounds(n, 1), 100,
        labels, torch.empty((1, k, d), dtype=torch.float64),
        torch.empty((1, k), dtype=torch.float64), lower, 1e-12, 2,
    )  # fmt: skip
    dist = np.sqrt(((X[:, None] - C[None]) ** 2).sum(axis=2))
    second = np.sort(dist, axis=1)[:, 1]
    assert (lower.numpy() <= second + 1e-9).all()
    np.testing.assert_allclose(lower.numpy(), second, rtol=1e-6)


def test_missing_kernel_names_the_numba_backend():
    with pytest.raises(NotImplementedError, match="numba_ backend"):
        tk.elkan_step  # noqa: B018
    assert not hasattr(tk, "hamerly_step")
