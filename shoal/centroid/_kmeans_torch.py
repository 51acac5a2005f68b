"""The k-means machinery on torch tensors (KMeans and MiniBatchKMeans with a tensor or device=).

Orchestration only, as in ``_kmeans_core``: initialisation, the Lloyd loop, convergence,
empty clusters; every pass over the samples is a kernel of ``shoal._kernels.torch_``. Random
draws come from the estimator's numpy ``RandomState`` on the host (the same draws, in the same
order, as the numba path), and only the indices they select travel to the device; so for the
same ``random_state`` the torch path picks what the numba path picks, except where rounding
decides between near-tied samples.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .._backend import is_torch_tensor, to_tensor
from .._validation import check_array
from ._kmeans_core import KMeansResult, _check_init_shape

__all__ = [
    "check_init_tensor",
    "init_centroids_t",
    "kmeans_plusplus_t",
    "kmeans_single_t",
    "labels_inertia_t",
    "tolerance_t",
]


def _torch() -> Any:
    import torch

    return torch


def _kern() -> Any:
    import shoal._kernels.torch_ as kern

    return kern


def tolerance_t(X: Any, tol: float) -> float:
    """scikit-learn's rule: ``tol`` times the mean per-feature variance of ``X``."""
    if tol == 0:
        return 0.0
    return float(X.to(_torch().float64).var(dim=0, unbiased=False).mean()) * tol


def _choice_weighted(rng: np.random.RandomState, w: Any) -> int:
    """``rng.choice(n, p=w / w.sum())`` with the cumulative distribution built on the device:
    the same single uniform draw as numpy's ``choice``, searched the same way."""
    torch = _torch()
    cdf = torch.cumsum(w.to(torch.float64), dim=0)
    cdf /= cdf[-1].clone()
    u = torch.tensor([rng.random_sample()], dtype=torch.float64, device=w.device)
    return int(torch.searchsorted(cdf, u, right=True).clamp_max_(w.shape[0] - 1)[0])


def kmeans_plusplus_t(
    X: Any, k: int, w: Any, rng: np.random.RandomState, n_local_trials: int | None = None
) -> tuple[Any, Any]:
    """Greedy k-means++ (Arthur & Vassilvitskii 2007, scikit-learn's local trials) on a tensor.

    ``X`` should be centred (the caller does it; the norm expansion of the distances is
    accurate near the origin). Each step draws ``2 + log k`` candidates with probability
    proportional to ``w * D(x)^2`` and keeps the one that lowers the potential most. The
    uniforms are drawn on the host from ``rng`` exactly as the numba path draws them; distances
    are the norm expansion in X's precision with float64 norms and sums.

    Returns the centres (k, d) tensor (rows of X) and their row indices (int64 tensor).
    """
    torch = _torch()
    kern = _kern()
    n = X.shape[0]
    if n_local_trials is None:
        n_local_trials = 2 + int(math.log(k))
    t = n_local_trials
    chunk = kern.chunk_rows(n, max(t, 8), X)
    x_sq = torch.empty(n, dtype=torch.float64, device=X.device)
    kern.row_sq_norms(X, x_sq)
    closest = torch.empty(n, dtype=torch.float64, device=X.device)
    indices = torch.empty(k, dtype=torch.int64, device=X.device)
    picked = torch.empty(t, dtype=torch.int64, device=X.device)
    pot = torch.empty(t, dtype=torch.float64, device=X.device)
    first = _choice_weighted(rng, w)
    indices[0] = first
    kern.kmpp_add_center(X, x_sq, X[first : first + 1], True, chunk, closest)
    for c in range(1, k):
        total = float(torch.dot(w.to(torch.float64), closest))
        if total <= 0.0:
            # Fewer distinct points than centres: repeat a point (scikit-learn does too).
            i = int(rng.randint(n))
            indices[c] = i
            kern.kmpp_add_center(X, x_sq, X[i : i + 1], False, chunk, closest)
            continue
        u = torch.as_tensor(rng.uniform(size=t), dtype=torch.float64, device=X.device)
        kern.kmpp_sample(w, closest, u, picked)
        cands = X[picked]
        kern.kmpp_candidate_potentials(X, w, x_sq, cands, chunk, closest, pot)
        best = int(torch.argmin(pot))
        indices[c] = picked[best]
        kern.kmpp_take_candidate(X, x_sq, cands, best, chunk, closest)
    return X[indices].contiguous(), indices


def check_init_tensor(init: Any, k: int, d: int, like: Any) -> Any:
    """An array or tensor ``init`` validated (finite, shape ``(n_clusters, n_features)``) and
    returned as a tensor of ``like``'s dtype and device."""
    torch = _torch()
    if is_torch_tensor(init):
        t = to_tensor(init, None, name="init", dtype=like.dtype)
        _check_init_shape(t, k, d, "init")
        return t.to(like.device)
    arr = check_array(init, name="init", dtype=np.float64)
    _check_init_shape(arr, k, d, "init")
    return torch.as_tensor(arr, device=like.device).to(like.dtype)


def init_centroids_t(
    X: Any, k: int, init: Any, rng: np.random.RandomState, w: Any, init_size: int | None = None
) -> Any:
    """Initial centres (a new ``(k, d)`` tensor of X's dtype and device) from ``init``:
    'k-means++', 'random', a tensor/array (already validated), or a callable (called as
    ``init(X, k, random_state=rng)`` with the tensor X; it may return an array or a tensor).
    With ``init_size``, from a random subsample of that many rows (drawn as the numba path
    draws it)."""
    torch = _torch()
    n = X.shape[0]
    if init_size is not None and init_size < n:
        sub = torch.as_tensor(rng.randint(0, n, init_size), device=X.device)
        X = X[sub]
        w = w[sub]
        n = init_size
    if isinstance(init, str) and init == "k-means++":
        centers, _ = kmeans_plusplus_t(X, k, w, rng)
    elif isinstance(init, str) and init == "random":
        # p in X's dtype, as scikit-learn (and the numba path) compute it: the same draws.
        w_np = w.detach().cpu().numpy()
        idx = rng.choice(n, size=k, replace=False, p=w_np / w_np.sum())
        centers = X[torch.as_tensor(idx, device=X.device)]
    elif callable(init):
        got = init(X, k, random_state=rng)
        centers = check_init_tensor(got, k, X.shape[1], X)
    else:
        centers = init
    return centers.to(dtype=X.dtype, device=X.device).clone().contiguous()


def _normalize_rows(C: Any) -> Any:
    torch = _torch()
    norms = C.to(torch.float64).norm(dim=1)
    norms[norms == 0] = 1.0
    return (C / norms.unsqueeze(1).to(C.dtype)).contiguous()


def relocate_empty_t(
    X: Any, w: Any, centers_old: Any, labels: Any, tot: Any, wt: Any
) -> int:  # fmt: skip
    """Give each empty cluster the sample farthest from its centre (scikit-learn's rule);
    ``tot`` (k, d) and ``wt`` (k,) float64 are updated in place. Returns the number relocated.
    """
    torch = _torch()
    kern = _kern()
    empty = torch.nonzero(wt <= 0).flatten()
    n_empty = min(int(empty.shape[0]), X.shape[0])
    if n_empty == 0:
        return 0
    dist = torch.empty(X.shape[0], dtype=torch.float64, device=X.device)
    kern.sq_dist_to_assigned(X, centers_old, labels, dist)
    far = torch.topk(dist, n_empty).indices
    for new_id, i in zip(empty[:n_empty].tolist(), far.tolist()):
        old_id = int(labels[i])
        wi = w[i].to(torch.float64)
        xi = X[i].to(torch.float64)
        tot[old_id] -= xi * wi
        wt[old_id] -= wi
        tot[new_id] = xi * wi
        wt[new_id] = wi
    return n_empty


def kmeans_single_t(
    X: Any,
    w: Any,
    centers_init: Any,
    *,
    max_iter: int,
    tol: float,
    verbose: int = 0,
    spherical: bool = False,
    precision: str = "fp32",
) -> KMeansResult:
    """One Lloyd run from ``centers_init`` on tensors; ``kmeans_single``'s iterates and rules
    (strict convergence when the labels repeat, else the summed squared centre shift
    ``<= tol``, then a last assignment so the labels match the returned centres). Returns a
    ``KMeansResult`` whose labels and centres are tensors on X's device."""
    torch = _torch()
    kern = _kern()
    n, d = X.shape
    k = centers_init.shape[0]
    centers = centers_init.to(X.dtype).clone().contiguous()
    if spherical:
        centers = _normalize_rows(centers)
    labels = torch.zeros(n, dtype=torch.int64, device=X.device)
    labels_old = torch.full((n,), -1, dtype=torch.int64, device=X.device)
    bounds = kern.block_bounds(n, 1)
    chunk = kern.chunk_rows(n, k, X)
    sums = torch.empty((1, k, d), dtype=torch.float64, device=X.device)
    wsums = torch.empty((1, k), dtype=torch.float64, device=X.device)
    x_sq = torch.empty(0, dtype=torch.float64, device=X.device)
    if precision != "fp32":
        x_sq = torch.empty(n, dtype=torch.float64, device=X.device)
        kern.row_sq_norms(X, x_sq)
    strict = False
    i = 0
    for i in range(max_iter):
        C64 = centers.to(torch.float64)
        c_sq = (C64 * C64).sum(dim=1)
        kern.lloyd_step(
            X, w, centers, c_sq, x_sq, bounds, chunk, labels, sums, wsums, x_sq, 0.0, 1,
            precision,
        )  # fmt: skip
        tot = sums.sum(dim=0)
        wt = wsums.sum(dim=0)
        if bool((wt <= 0).any()):
            relocate_empty_t(X, w, centers, labels, tot, wt)
        nz = wt > 0
        new_centers = centers.clone()
        new_centers[nz] = (tot[nz] / wt[nz].unsqueeze(1)).to(X.dtype)
        if spherical:
            new_centers = _normalize_rows(new_centers)
        shift_sq = float(((new_centers.to(torch.float64) - C64) ** 2).sum())
        if verbose:
            inertia_it = kern.inertia_dense(X, w, centers, labels)
            print(f"Iteration {i}, inertia {inertia_it:.6g}.")
        centers = new_centers
        if bool(torch.equal(labels, labels_old)):
            strict = True
            if verbose:
                print(f"Converged at iteration {i}: strict convergence.")
            break
        if shift_sq <= tol:
            if verbose:
                print(f"Converged at iteration {i}: center shift within tolerance {tol}.")
            break
        labels_old.copy_(labels)
    if not strict:
        C64 = centers.to(torch.float64)
        kern.lloyd_step(
            X, w, centers, (C64 * C64).sum(dim=1), x_sq, bounds, chunk, labels, sums, wsums,
            x_sq, 0.0, 0, precision,
        )  # fmt: skip
    inertia = kern.inertia_dense(X, w, centers, labels)
    return KMeansResult(labels, inertia, centers, i + 1)


def labels_inertia_t(X: Any, w: Any, centers: Any) -> tuple[Any, float]:
    """Nearest centre of every sample (norm expansion, as the Lloyd step) and the weighted
    inertia (exact differences)."""
    torch = _torch()
    kern = _kern()
    centers = centers.to(X.dtype).contiguous()
    labels = torch.empty(X.shape[0], dtype=torch.int64, device=X.device)
    kern.nearest_center(X, centers, (centers * centers).sum(dim=1), kern.chunk_rows(
        X.shape[0], centers.shape[0], X), labels)  # fmt: skip
    return labels, kern.inertia_dense(X, w, centers, labels)


def canonical_order_t(centers: Any, labels: Any) -> tuple[Any, Any]:
    """``_canonical_order`` on tensors: clusters numbered by their centres in lexicographic
    order (the order is computed on the host from the ``(k, d)`` centres)."""
    torch = _torch()
    c_np = centers.detach().cpu().numpy()
    order = np.lexsort(c_np.T[::-1])
    rank = np.empty_like(order)
    rank[order] = np.arange(order.shape[0])
    order_t = torch.as_tensor(order, device=centers.device)
    rank_t = torch.as_tensor(rank, device=centers.device)
    return centers[order_t].contiguous(), rank_t[labels]


def unit_rows_t(X: Any) -> Any:
    """Rows scaled to unit norm (a copy); zero rows are an error (``metric='cosine'``)."""
    torch = _torch()
    norms = X.to(torch.float64).norm(dim=1)
    zero = torch.nonzero(norms == 0).flatten()
    if zero.numel():
        raise ValueError(
            f"metric='cosine' needs rows with non-zero norm; X has {zero.numel()} zero row(s) "
            f"(first at row {int(zero[0])})."
        )
    return (X / norms.unsqueeze(1)).to(X.dtype).contiguous()


def warn_if_fewer_clusters_t(labels: Any, k: int) -> None:
    """``warn_if_fewer_clusters`` for a label tensor."""
    from sklearn.exceptions import ConvergenceWarning

    found = int(_torch().unique(labels).shape[0])
    if found < k:
        warnings.warn(
            f"Number of distinct clusters ({found}) found smaller than n_clusters ({k}). "
            "Possibly due to duplicate points in X.",
            ConvergenceWarning,
            stacklevel=3,
        )
