"""k-means on scipy.sparse CSR input: k-means++ seeding and Lloyd's iterations.

Orchestration only; the per-row work is in ``shoal._kernels.numba_.kmeans_sparse``. Sparse X is
never centred (that would make it dense), so distances use the norm expansion in float64, as
scikit-learn does on sparse input. Only Lloyd's algorithm runs on CSR: Elkan's and Hamerly's
bounds save distance computations whose cost on sparse rows is O(nnz_row) rather than O(d),
and their per-sample bound bookkeeping would not pay; ``KMeans`` documents the fallback.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._backend import Backend
from ._kmeans_core import KMeansResult, n_blocks_for

__all__ = [
    "csr_labels_inertia",
    "csr_tolerance",
    "csr_unit_rows",
    "init_centroids_csr",
    "kmeans_plusplus_csr",
    "kmeans_single_csr",
    "row_sq_norms",
]


def _kern(backend: Backend) -> Any:
    # A backend without the csr_* kernels raises a NotImplementedError naming numba_.
    return backend.kernels


def row_sq_norms(X: sp.csr_matrix, backend: Backend) -> np.ndarray:
    out = np.empty(X.shape[0], dtype=np.float64)
    _kern(backend).csr_row_sq_norms(X.indptr, X.data, out)
    return out


def csr_tolerance(X: sp.csr_matrix, tol: float) -> float:
    """scikit-learn's rule on sparse X: ``tol`` times the mean per-feature variance."""
    if tol == 0:
        return 0.0
    n = X.shape[0]
    mean = np.asarray(X.sum(axis=0, dtype=np.float64)).ravel() / n
    sq = np.bincount(X.indices, weights=np.asarray(X.data, np.float64) ** 2, minlength=X.shape[1])
    return float(np.mean(sq / n - mean**2) * tol)


def csr_unit_rows(X: sp.csr_matrix) -> sp.csr_matrix:
    """A copy of X with every row scaled to unit norm; zero rows are an error."""
    norms = np.sqrt(np.add.reduceat(np.asarray(X.data, np.float64) ** 2, X.indptr[:-1]))
    norms[np.diff(X.indptr) == 0] = 0.0
    zero = np.flatnonzero(norms == 0)
    if zero.size:
        raise ValueError(
            f"metric='cosine' needs rows with non-zero norm; X has {zero.size} zero row(s) "
            f"(first at row {zero[0]})."
        )
    out = X.copy()
    out.data = (out.data / np.repeat(norms, np.diff(X.indptr))).astype(X.dtype, copy=False)
    return out


def _ct(centers: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(centers.T, dtype=np.float64)


def _c_sq(centers: np.ndarray) -> np.ndarray:
    return (centers.astype(np.float64) ** 2).sum(axis=1)


def kmeans_plusplus_csr(
    X: sp.csr_matrix,
    k: int,
    w: np.ndarray,
    rng: np.random.RandomState,
    x_sq: np.ndarray,
    backend: Backend,
    n_local_trials: int | None = None,
) -> np.ndarray:
    """Greedy k-means++ (scikit-learn's draws: ``2 + log k`` candidates per step, cumulative
    sum of ``w * D^2``) with per-block potentials from one kernel pass per step."""
    kern = _kern(backend)
    n, d = X.shape
    t = n_local_trials if n_local_trials is not None else 2 + int(math.log(k))
    bounds = backend.kernels.block_bounds(n, n_blocks_for(n, t, 1))
    centers = np.empty((k, d), dtype=np.float64)
    wf = w.astype(np.float64)
    first = int(rng.choice(n, p=wf / wf.sum()))
    centers[0] = X[first].toarray().ravel()
    closest = np.full(n, np.inf)
    kern.csr_kmpp_update(
        X.indptr, X.indices, X.data, x_sq, centers[0], _c_sq(centers[:1])[0], closest
    )
    pot_total = float(closest @ wf)
    pot = np.empty((bounds.shape[0] - 1, t))
    for c in range(1, k):
        targets = rng.uniform(size=t) * pot_total
        ids = np.searchsorted(np.cumsum(wf * closest), targets)
        np.clip(ids, None, n - 1, out=ids)
        cands = X[ids].toarray().astype(np.float64)
        kern.csr_kmpp_potentials(
            X.indptr, X.indices, X.data, x_sq, w, _ct(cands), _c_sq(cands), closest, bounds, pot
        )
        totals = pot.sum(axis=0)
        best = int(np.argmin(totals))
        pot_total = float(totals[best])
        centers[c] = cands[best]
        kern.csr_kmpp_update(
            X.indptr, X.indices, X.data, x_sq, centers[c], _c_sq(cands[best : best + 1])[0], closest
        )
    return centers.astype(X.dtype)


def init_centroids_csr(
    X: sp.csr_matrix,
    k: int,
    init: Any,
    rng: np.random.RandomState,
    w: np.ndarray,
    x_sq: np.ndarray,
    backend: Backend,
) -> np.ndarray:
    """Initial centres (dense (k, d), X's dtype) from 'k-means++', 'random', an array or a
    callable (called with the CSR matrix)."""
    if isinstance(init, str) and init == "k-means++":
        centers = kmeans_plusplus_csr(X, k, w, rng, x_sq, backend)
    elif isinstance(init, str) and init == "random":
        idx = rng.choice(X.shape[0], size=k, replace=False, p=w / w.sum())
        centers = X[idx].toarray()
    elif callable(init):
        from ._kmeans_core import _check_init_shape

        out = init(X, k, random_state=rng)
        centers = out.toarray() if sp.issparse(out) else np.asarray(out, dtype=X.dtype)
        _check_init_shape(centers, k, X.shape[1], "callable init")
    else:
        centers = np.asarray(init)
    return np.array(centers, dtype=X.dtype, order="C", copy=True)


def _relocate_empty(
    X: sp.csr_matrix,
    x_sq: np.ndarray,
    w: np.ndarray,
    centers: np.ndarray,
    labels: np.ndarray,
    tot: np.ndarray,
    wt: np.ndarray,
    backend: Backend,
) -> None:
    """scikit-learn's rule: each empty cluster takes the sample farthest from its centre."""
    empty = np.flatnonzero(wt <= 0)
    n_empty = min(empty.shape[0], X.shape[0])
    dist = np.empty(X.shape[0])
    _kern(backend).csr_sq_dist_to_assigned(
        X.indptr, X.indices, X.data, x_sq, centers.astype(np.float64), _c_sq(centers), labels, dist
    )
    far = np.argpartition(dist, -n_empty)[: -n_empty - 1 : -1]
    for new_id, i in zip(empty[:n_empty], far):
        old_id = labels[i]
        wi = float(w[i])
        xi = X[i].toarray().ravel()
        tot[old_id] -= xi * wi
        wt[old_id] -= wi
        tot[new_id] = xi * wi
        wt[new_id] = wi


def kmeans_single_csr(
    X: sp.csr_matrix,
    x_sq: np.ndarray,
    w: np.ndarray,
    centers_init: np.ndarray,
    *,
    max_iter: int,
    tol: float,
    verbose: int = 0,
    spherical: bool = False,
    backend: Backend,
) -> KMeansResult:
    """One Lloyd run on CSR rows from ``centers_init``; the same iterates, stopping rules and
    empty-cluster handling as the dense ``kmeans_single`` with ``algorithm='lloyd'``."""
    from ._kmeans_core import _normalize_rows

    kern = _kern(backend)
    n, d = X.shape
    k = centers_init.shape[0]
    centers = np.array(centers_init, dtype=X.dtype, order="C", copy=True)
    if spherical:
        _normalize_rows(centers)
    labels = np.zeros(n, dtype=np.int64)
    labels_old = np.full(n, -1, dtype=np.int64)
    min_sq = np.empty(n)
    n_blocks = n_blocks_for(n, k, d)
    bounds = backend.kernels.block_bounds(n, n_blocks)
    sums = np.empty((n_blocks, k, d))
    wsums = np.empty((n_blocks, k))
    strict = False
    i = 0
    for i in range(max_iter):
        kern.csr_lloyd_step(
            X.indptr, X.indices, X.data, x_sq, w, _ct(centers), _c_sq(centers),
            bounds, labels, min_sq, sums, wsums, 1,
        )  # fmt: skip
        tot = sums.sum(axis=0)
        wt = wsums.sum(axis=0)
        if np.any(wt <= 0):
            _relocate_empty(X, x_sq, w, centers, labels, tot, wt, backend)
        new_centers = centers.copy()
        nz = wt > 0
        new_centers[nz] = (tot[nz] / wt[nz, None]).astype(X.dtype)
        if spherical:
            _normalize_rows(new_centers)
        if verbose:
            print(f"Iteration {i}, inertia {float(w @ min_sq):.6g}.")
        shift_sq = float(((new_centers.astype(np.float64) - centers) ** 2).sum())
        centers = new_centers
        if np.array_equal(labels, labels_old):
            strict = True
            if verbose:
                print(f"Converged at iteration {i}: strict convergence.")
            break
        if shift_sq <= tol:
            if verbose:
                print(f"Converged at iteration {i}: center shift within tolerance {tol}.")
            break
        labels_old[:] = labels
    if not strict:
        kern.csr_assign(
            X.indptr, X.indices, X.data, x_sq, _ct(centers), _c_sq(centers), labels, min_sq
        )
    kern.csr_sq_dist_to_assigned(
        X.indptr, X.indices, X.data, x_sq, centers.astype(np.float64), _c_sq(centers), labels,
        min_sq,
    )  # fmt: skip
    return KMeansResult(labels, float(np.dot(w.astype(np.float64), min_sq)), centers, i + 1)


def csr_labels_inertia(
    X: sp.csr_matrix, centers: np.ndarray, backend: Backend
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centre of every row and the squared distance to it."""
    x_sq = row_sq_norms(X, backend)
    labels = np.empty(X.shape[0], dtype=np.int64)
    min_sq = np.empty(X.shape[0])
    _kern(backend).csr_assign(
        X.indptr, X.indices, X.data, x_sq, _ct(centers), _c_sq(centers), labels, min_sq
    )
    return labels, min_sq


def csr_transform(X: sp.csr_matrix, centers: np.ndarray, backend: Backend) -> np.ndarray:
    """(n, k) Euclidean distances of the rows to the centres, X's dtype."""
    x_sq = row_sq_norms(X, backend)
    out = np.empty((X.shape[0], centers.shape[0]), dtype=np.float64)
    _kern(backend).csr_transform(
        X.indptr, X.indices, X.data, x_sq, _ct(centers), _c_sq(centers), out
    )
    return out.astype(X.dtype, copy=False)
