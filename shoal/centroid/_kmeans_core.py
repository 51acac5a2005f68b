"""The k-means machinery shared by KMeans, MiniBatchKMeans and BisectingKMeans.

Orchestration only (initialisation, the iteration loop, convergence, empty clusters); every
per-sample loop is a kernel from the selected backend.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any, NamedTuple

import numba
import numpy as np

from .._backend import Backend, blas_one_thread, is_torch_tensor, select_backend
from .._validation import check_array, check_random_state

__all__ = [
    "KMeansResult",
    "check_init_params",
    "init_centroids",
    "kmeans_plusplus",
    "kmeans_single",
    "labels_inertia",
    "n_blocks_for",
    "relocate_empty_clusters",
    "tolerance",
]

ALGORITHMS = ("lloyd", "elkan", "hamerly", "auto")
INITS = ("k-means++", "random")


def n_blocks_for(n: int, k: int, d: int, per_thread: int = 4) -> int:
    """Parallel blocks for a pass over ``n`` rows, with per-block ``(k, d)`` float64 sums
    kept under 64 MB in total."""
    cap = max(1, int(64e6 // max(1, 8 * k * d)))
    return int(max(1, min(n, numba.get_num_threads() * per_thread, cap)))


def tolerance(X: np.ndarray, tol: float) -> float:
    """scikit-learn's rule: ``tol`` times the mean per-feature variance of ``X``."""
    if tol == 0:
        return 0.0
    return float(np.mean(np.var(X, axis=0)) * tol)


def _blas_one_thread() -> Any:
    return blas_one_thread()


def kmeans_plusplus(
    X: Any,
    n_clusters: int,
    *,
    sample_weight: Any = None,
    random_state: Any = None,
    n_local_trials: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Choose initial centres by greedy k-means++ (Arthur & Vassilvitskii, 2007).

    Each new centre is the best of ``n_local_trials`` candidates drawn with probability
    proportional to ``sample_weight * D(x)^2`` (the squared distance to the nearest chosen
    centre), the best being the one that lowers the potential most. Samples that the triangle
    inequality proves out of every candidate's reach are skipped (the choices are those of the
    unpruned algorithm). Distances are computed on a centred float32 working copy of X, which
    halves the memory traffic and doubles the SIMD width; when float32 rounding becomes
    comparable to the distances that decide a draw (clusters tiny compared to the spread of the
    data), the remaining steps switch to float64. For the same seed the centres are
    scikit-learn's, except in rare near-ties.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data.
    n_clusters : int
        Number of centres to choose.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the samples; the first centre is drawn proportionally to them.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.
    n_local_trials : int, default=None
        Candidates per step; ``2 + int(log(n_clusters))`` when None (scikit-learn's choice).

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)
        The chosen centres, X's dtype (a tensor on X's device when X is a torch tensor).
    indices : ndarray of shape (n_clusters,)
        Row of X each centre was taken from (an int64 tensor for a tensor X).

    Notes
    -----
    Time O(n · k · trials · d) in the worst case, less on clustered data; memory: the float32
    copy of X (a float64 copy too if the switch happens) and O(n) more.

    A torch tensor X is seeded on its device: every step's candidate distances are one GEMM
    tile per row chunk (X's precision on a centred copy, float64 sums), with the same host
    draws from ``random_state`` as for numpy input, so the same seed picks the same rows except
    where rounding separates near-tied candidates.

    Examples
    --------
    >>> import numpy as np
    >>> from shoal import kmeans_plusplus
    >>> X = np.array([[0.0, 0.0], [0.1, 0.0], [10.0, 10.0], [10.1, 10.0]])
    >>> centers, idx = kmeans_plusplus(X, 2, random_state=0)
    >>> sorted(int(i) // 2 for i in idx)
    [0, 1]
    """
    from .._validation import check_n_clusters, check_sample_weight

    if is_torch_tensor(X):
        return _kmeans_plusplus_torch(X, n_clusters, sample_weight, random_state, n_local_trials)
    X = check_array(X, name="X")
    k = check_n_clusters(n_clusters, X.shape[0])
    w = check_sample_weight(sample_weight, X.shape[0], X.dtype)
    rng = check_random_state(random_state)
    backend = select_backend(X)
    return _kmeans_plusplus(X, k, w, rng, n_local_trials, backend)


def _kmeans_plusplus_torch(
    X: Any, n_clusters: int, sample_weight: Any, random_state: Any, n_local_trials: int | None
) -> tuple[Any, Any]:
    """``kmeans_plusplus`` for a torch tensor X (on a centred copy; rows of X returned)."""
    import torch

    from .._backend import to_tensor
    from .._tensor_input import torch_weights
    from .._validation import check_n_clusters
    from ._kmeans_torch import kmeans_plusplus_t

    Xt = to_tensor(X, None, name="X")
    k = check_n_clusters(n_clusters, Xt.shape[0])
    w = torch_weights(sample_weight, Xt.shape[0], Xt)
    rng = check_random_state(random_state)
    mean = Xt.to(torch.float64).mean(dim=0).to(Xt.dtype)
    _, indices = kmeans_plusplus_t(Xt - mean, k, w, rng, n_local_trials)
    return Xt[indices].contiguous(), indices


# float32 seeding is used while its rounding stays this small against the typical D(x).
_F32_REL_ROUNDING = 1e-3


def _kmeans_plusplus(
    X: np.ndarray,
    k: int,
    w: np.ndarray,
    rng: np.random.RandomState,
    n_local_trials: int | None,
    backend: Backend,
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy k-means++ on a centred float32 copy of X (the chosen rows are returned from X).

    The copy halves the memory traffic of a step and doubles the SIMD width of the distance
    loops; centring keeps float32 accurate for data far from the origin. Its rounding of a
    distance is about ``eps32 * max|x - mean| * sqrt(d)``; when that is no longer small
    against the root mean potential (data whose clusters are tiny compared to their spread),
    the remaining steps run on a float64 copy. Otherwise the draws carry rounding far below
    what usually changes a D^2 draw: on the benchmark battery the centres are scikit-learn's
    for the same seed except in rare near-ties.

    From ``_SCREEN_MIN_SAMPLES`` samples on, each step first ranks its candidates on a fixed
    random eighth of the samples (:func:`_contenders`): a candidate that clearly loses there
    gets no exact potential, and a clear winner is taken at once, with one distance per
    sample instead of one per candidate.
    """
    kern = backend.kernels
    n, d = X.shape
    if n_local_trials is None:
        n_local_trials = 2 + int(math.log(k))
    t = n_local_trials
    if t > 32:
        raise ValueError(f"n_local_trials={t} must be <= 32.")
    n_blocks = int(min(n, max(numba.get_num_threads() * 8, n // 4096), 4096))
    bounds = kern.block_bounds(n, n_blocks)
    mean = X.mean(axis=0, dtype=np.float64)
    Xs = np.empty((n, d), dtype=np.float32)
    kern.centred_copy(X, mean, Xs)
    spread = max(float(Xs.max()), -float(Xs.min()), 0.0)
    rounding = float(np.finfo(np.float32).eps) * spread * math.sqrt(d)
    closest = np.empty(n, dtype=np.float64)
    assigned = np.zeros(n, dtype=np.int64)
    block_pot = np.empty(n_blocks, dtype=np.float64)
    pot_all = np.empty((n_blocks, t), dtype=np.float64)
    picked = np.empty(t, dtype=np.int64)
    chosen = np.empty((k, d), dtype=np.float64)  # chosen centres, as rows of Xs
    indices = np.full(k, -1, dtype=np.int64)
    improved = np.empty(n, dtype=np.uint32)
    unit_w = bool(np.all(w == 1))
    wsum = float(w.sum(dtype=np.float64))

    def add_center(c: int, i: int) -> None:
        indices[c] = i
        chosen[c] = Xs[i]
        if c == 0:
            cc_new = np.zeros(1)
        else:
            cc_new = np.sqrt(((chosen[:c] - chosen[c]) ** 2).sum(axis=1)) * (1.0 - 1e-12)
        kern.kmpp_add_center(
            Xs, w, Xs[i : i + 1], c, cc_new, c == 0, bounds, closest, assigned, block_pot
        )

    def to_float64(c: int) -> None:
        # float32 can no longer resolve the distances that decide the draws: the remaining
        # steps run on a float64 copy, from exact distances to the centres chosen so far.
        nonlocal Xs
        Xs = np.empty((n, d), dtype=np.float64)
        kern.centred_copy(X, mean, Xs)
        chosen[:c] = Xs[indices[:c]]
        c_sq = (chosen[:c] ** 2).sum(axis=1)
        kern.assign_labels(Xs, chosen[:c], c_sq, assigned, closest)
        block_pot[:] = np.add.reduceat(w * closest, bounds[:-1])

    def too_coarse(scale: float) -> bool:
        return Xs.dtype == np.float32 and rounding > _F32_REL_ROUNDING * scale

    screen = _screening_subset(Xs, kern) if n >= _SCREEN_MIN_SAMPLES else None

    add_center(0, int(rng.choice(n, p=w.astype(np.float64) / wsum)))
    with _blas_one_thread():
        for c in range(1, k):
            if too_coarse(math.sqrt(max(float(block_pot.sum()), 0.0) / wsum)):
                to_float64(c)
            total = float(block_pot.sum())
            if total <= 0.0:
                # Fewer distinct points than centres: repeat a point (scikit-learn does too).
                add_center(c, int(rng.randint(n)))
                continue
            u = rng.uniform(size=t)
            kern.kmpp_sample(w, closest, bounds, block_pot, u * total, picked)
            cands = Xs[picked]
            if too_coarse(_min_positive_distance(cands)):
                # Candidates this close are told apart by distances float32 cannot resolve.
                to_float64(c)
                kern.kmpp_sample(w, closest, bounds, block_pot, u * block_pot.sum(), picked)
                cands = Xs[picked]
            cross = _cross_distances(chosen[:c], cands)
            prune_sq = (0.5 * cross.min(axis=1)) ** 2
            cand_rows, pot = picked, pot_all
            if screen is not None and Xs.dtype == screen[0].dtype:
                # Rank the candidates on the subset; a clear winner is taken in one pass.
                S, srows, sbounds = screen
                gain = np.empty((sbounds.shape[0] - 1, t), dtype=np.float64)
                kern.kmpp_screen_gains(
                    Xs, S, srows, w, unit_w, cands, prune_sq, sbounds, bounds, closest,
                    assigned, _SCREEN_HEAVY * total / wsum, gain, pot_all,
                )  # fmt: skip
                keep = _contenders(gain, pot_all.sum(axis=0), S.shape[0] / n)
                if keep.shape[0] == 1:
                    add_center(c, int(picked[keep[0]]))
                    continue
                if keep.shape[0] < t:
                    # Only the contenders get the exact potentials.
                    cand_rows = picked[keep]
                    cands = cands[keep]
                    prune_sq = (0.5 * cross[:, keep].min(axis=1)) ** 2
                    pot = pot_all[:, : keep.shape[0]].copy()
            kern.kmpp_candidate_potentials(
                Xs, w, unit_w, cands, prune_sq, bounds, closest, assigned, pot, improved
            )
            best = int(np.argmin(pot.sum(axis=0)))
            i = int(cand_rows[best])
            indices[c] = i
            chosen[c] = Xs[i]
            kern.kmpp_take_candidate(Xs, cands, best, c, bounds, improved, closest, assigned)
            block_pot[:] = pot[:, best]
    return np.ascontiguousarray(X[indices]), indices


# Subset screening of the candidates (see _contenders): used from this many samples, on
# this fraction of them, in blocks of about this many rows, with this z threshold.
_SCREEN_MIN_SAMPLES = 100_000
_SCREEN_FRACTION = 0.125
_SCREEN_BLOCK = 256
_SCREEN_Z = 6.0
# Samples whose potential exceeds this multiple of the mean get exact gains in the screening.
_SCREEN_HEAVY = 64.0


def _screening_subset(Xs: np.ndarray, kern: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A uniform random subset of the working copy's rows (drawn from a fixed seed, so the
    caller's random stream is untouched), with its block offsets."""
    n = Xs.shape[0]
    m = int(n * _SCREEN_FRACTION)
    rows = np.sort(np.random.default_rng(0x6B6D7070).choice(n, m, replace=False))
    n_blocks = max(m // _SCREEN_BLOCK, 1)
    return np.ascontiguousarray(Xs[rows]), rows, kern.block_bounds(m, n_blocks)


def _contenders(gain: np.ndarray, heavy: np.ndarray, fraction: float) -> np.ndarray:
    """The candidates still in the race after the subset screening: the leader and every
    candidate it does not beat by ``_SCREEN_Z`` standard errors.

    ``heavy`` (t,) holds the exact gains from the samples of large potential (see
    :func:`kmpp_screen_gains`); ``gain`` (blocks, t) the gains of the other samples on a
    uniform subset, ``fraction`` of all samples, whose blocks are independent samples: the
    estimate of a candidate's gain is ``heavy + gain.sum(0) / fraction``, and the standard
    error of a difference comes from the block-wise differences.

    The greedy step keeps the candidate that lowers the potential most. Its gain is estimated
    on a uniform subset of the samples; when the leader's lead over each rival is many
    standard errors of the block-wise differences, the full pass over every candidate is
    skipped and only the leader is taken (one distance per sample instead of ``t``). A close
    race falls back to the exact potentials, so the choice is the exact greedy one unless an
    estimate is off by more than ``_SCREEN_Z`` of its standard errors.
    """
    nb, t = gain.shape
    if nb < 8:
        return np.arange(t)
    est = heavy + gain.sum(axis=0) / fraction
    lead = int(np.argmax(est))
    diff = gain[:, lead : lead + 1] - gain
    lead_by = est[lead] - est
    se = diff.std(axis=0, ddof=1) * math.sqrt(nb) / fraction
    beaten = (lead_by > _SCREEN_Z * se) & (lead_by > 0.0)
    beaten[lead] = False
    return np.flatnonzero(~beaten)


def _min_positive_distance(C: np.ndarray) -> float:
    """Smallest non-zero distance between rows of ``C`` (inf when there is none)."""
    C64 = C.astype(np.float64)
    dist = np.sqrt(((C64[:, None, :] - C64[None, :, :]) ** 2).sum(axis=2))
    pos = dist[dist > 0]
    return float(pos.min()) if pos.size else math.inf


def check_init_params(init: Any, n_init: Any, *, allow_array: bool = True) -> None:
    """Validate ``init`` ('k-means++', 'random', a callable, or an array when allowed) and
    ``n_init`` ('auto' or an int >= 1)."""
    from .._validation import check_int, check_option

    if not (isinstance(init, str) or callable(init) or (allow_array and hasattr(init, "__len__"))):
        shapes = ", an array of shape (n_clusters, n_features)" if allow_array else ""
        raise ValueError(
            f"init={init!r} is not valid; use one of {list(INITS)}{shapes} or a callable."
        )
    if isinstance(init, str):
        check_option("init", init, INITS)
    if not (isinstance(n_init, str) and n_init == "auto"):
        check_int("n_init", n_init, low=1)


def init_centroids(
    X: np.ndarray,
    k: int,
    init: Any,
    rng: np.random.RandomState,
    w: np.ndarray,
    backend: Backend,
    init_size: int | None = None,
) -> np.ndarray:
    """Initial centres from ``init`` ('k-means++', 'random', an array or a callable).

    With ``init_size`` the centres are chosen from a random subsample of that many rows
    (MiniBatchKMeans). Returns a new ``(k, d)`` array of X's dtype.
    """
    n = X.shape[0]
    if init_size is not None and init_size < n:
        sub = rng.randint(0, n, init_size)
        X = X[sub]
        w = w[sub]
        n = init_size
    if isinstance(init, str) and init == "k-means++":
        centers, _ = _kmeans_plusplus(X, k, w, rng, None, backend)
    elif isinstance(init, str) and init == "random":
        # p in X's dtype, as scikit-learn computes it, so that the draws are the same.
        idx = rng.choice(n, size=k, replace=False, p=w / w.sum())
        centers = X[idx]
    elif callable(init):
        centers = np.asarray(init(X, k, random_state=rng), dtype=X.dtype)
        _check_init_shape(centers, k, X.shape[1], "callable init")
    else:
        centers = np.asarray(init, dtype=X.dtype)
    return np.array(centers, dtype=X.dtype, order="C", copy=True)


def check_init_array(init: Any, k: int, d: int, dtype: Any) -> np.ndarray:
    """Validate an array ``init``: shape ``(n_clusters, n_features)``, finite."""
    arr = check_array(init, name="init", dtype=dtype)
    _check_init_shape(arr, k, d, "init")
    return arr


def _check_init_shape(arr: np.ndarray, k: int, d: int, what: str) -> None:
    if arr.ndim != 2 or arr.shape[0] != k:
        raise ValueError(
            f"The shape of the initial centers from {what} {arr.shape} does not match the "
            f"number of clusters n_clusters={k}."
        )
    if arr.shape[1] != d:
        raise ValueError(
            f"The shape of the initial centers from {what} {arr.shape} does not match the "
            f"number of features of the data n_features={d}."
        )


def relocate_empty_clusters(
    X: np.ndarray,
    w: np.ndarray,
    centers_old: np.ndarray,
    labels: np.ndarray,
    tot: np.ndarray,
    wt: np.ndarray,
    backend: Backend,
) -> int:
    """Give each empty cluster the sample farthest from its centre (scikit-learn's rule).

    ``tot`` (k, d) weighted sums and ``wt`` (k,) weights are updated in place; labels are left
    as they are (the next assignment step moves the samples). Returns the number relocated.
    """
    empty = np.flatnonzero(wt <= 0)
    n_empty = empty.shape[0]
    if n_empty == 0:
        return 0
    dist = np.empty(X.shape[0], dtype=np.float64)
    backend.kernels.sq_dist_to_assigned(X, centers_old, labels, dist)
    n_empty = min(n_empty, X.shape[0])
    far = np.argpartition(dist, -n_empty)[: -n_empty - 1 : -1]
    for new_id, i in zip(empty[:n_empty], far):
        old_id = labels[i]
        wi = float(w[i])
        xi = X[i].astype(np.float64)
        tot[old_id] -= xi * wi
        wt[old_id] -= wi
        tot[new_id] = xi * wi
        wt[new_id] = wi
    return int(n_empty)


class KMeansResult(NamedTuple):
    """Outcome of one k-means run."""

    labels: np.ndarray
    inertia: float
    centers: np.ndarray
    n_iter: int


def _normalize_rows(C: np.ndarray) -> None:
    norms = np.sqrt((C.astype(np.float64) ** 2).sum(axis=1))
    norms[norms == 0] = 1.0
    C /= norms[:, None].astype(C.dtype)


def kmeans_single(
    X: np.ndarray,
    w: np.ndarray,
    centers_init: np.ndarray,
    *,
    algorithm: str,
    max_iter: int,
    tol: float,
    verbose: int = 0,
    spherical: bool = False,
    backend: Backend,
    x_sq_norms: np.ndarray | None = None,
    callback: Callable[[int, float], None] | None = None,
) -> KMeansResult:
    """One k-means run from ``centers_init`` with Lloyd's, Elkan's or Hamerly's algorithm.

    Each iteration assigns samples to the nearest of the current centres and moves the centres
    to the weighted means; all three algorithms give the same iterates (ties aside) and differ
    only in how many distances they compute. Stops when labels do not change (strict
    convergence) or the summed squared centre shift is ``<= tol``; without strict convergence a
    last assignment step makes the labels match the returned centres. With ``spherical`` the
    centres are scaled to unit norm after each update (X must have unit rows).
    """
    kern = backend.kernels
    n, d = X.shape
    k = centers_init.shape[0]
    centers = np.array(centers_init, dtype=X.dtype, order="C", copy=True)
    if spherical:
        _normalize_rows(centers)
    labels = np.zeros(n, dtype=np.int64)
    labels_old = np.full(n, -1, dtype=np.int64)
    n_blocks = n_blocks_for(n, k, d)
    bounds = kern.block_bounds(n, n_blocks)
    sums = np.empty((n_blocks, k, d), dtype=np.float64)
    wsums = np.empty((n_blocks, k), dtype=np.float64)
    chunk = int(max(16, min(1024, 32768 // max(k, 1))))
    rel_err = 1e-12 if X.dtype == np.float64 else 1e-5
    dummy = np.empty(0, dtype=np.float64)
    if x_sq_norms is None:
        # Only Hamerly's bounds read the row norms.
        x_sq_norms = dummy
        if algorithm == "hamerly":
            x_sq_norms = np.empty(n, dtype=np.float64)
            kern.row_sq_norms(X, x_sq_norms)
    upper = lower = lower_k = dummy
    drift = np.zeros(k, dtype=np.float64)
    if algorithm == "hamerly":
        upper = np.full(n, np.inf)
        lower = np.empty(n, dtype=np.float64)
    elif algorithm == "elkan":
        upper = np.full(n, np.inf)
        lower_k = np.zeros((n, k), dtype=np.float64)
    strict = False
    need_full = False
    tot = np.zeros((k, d))
    wt = np.zeros(k)
    i = 0
    with _blas_one_thread():
        for i in range(max_iter):
            c_sq = (centers.astype(np.float64) ** 2).sum(axis=1)
            if algorithm == "lloyd" or (algorithm == "hamerly" and i == 0):
                mode = 2 if algorithm == "hamerly" else 1
                kern.lloyd_step(
                    X, w, centers, c_sq, x_sq_norms, bounds, chunk,
                    labels, sums, wsums, lower, rel_err, mode,
                )  # fmt: skip
            elif algorithm == "hamerly":
                cd = _center_distances(centers)
                np.fill_diagonal(cd, np.inf)
                half_sep = 0.5 * cd.min(axis=1)
                kern.hamerly_step(
                    X, w, centers, c_sq, x_sq_norms, half_sep, drift, bounds, chunk,
                    labels, upper, lower, sums, wsums, rel_err, need_full,
                )  # fmt: skip
            else:
                cd = _center_distances(centers)
                kern.elkan_step(
                    X, w, centers, cd, drift, bounds, labels, upper, lower_k, sums, wsums
                )
            if algorithm == "hamerly" and i > 0 and not need_full:
                # The step returned only the changes of the samples that switched cluster.
                tot += sums.sum(axis=0)
                wt += wsums.sum(axis=0)
                empty = np.bincount(labels, minlength=k) == 0
                tot[empty] = 0.0
                wt[empty] = 0.0
            else:
                tot = sums.sum(axis=0)
                wt = wsums.sum(axis=0)
            need_full = False
            new_centers = centers.copy()
            if np.any(wt <= 0):
                relocate_empty_clusters(X, w, centers, labels, tot, wt, backend)
                # The running totals no longer follow the labels: recount next step.
                need_full = True
            nz = wt > 0
            new_centers[nz] = (tot[nz] / wt[nz, None]).astype(X.dtype)
            if spherical:
                _normalize_rows(new_centers)
            shift = np.sqrt(((new_centers.astype(np.float64) - centers) ** 2).sum(axis=1))
            drift = shift * (1.0 + 1e-9)
            if verbose or callback is not None:
                inertia_it = float(kern.inertia_dense(X, w, centers, labels))
                if verbose:
                    print(f"Iteration {i}, inertia {inertia_it:.6g}.")
                if callback is not None:
                    callback(i, inertia_it)
            centers = new_centers
            if np.array_equal(labels, labels_old):
                strict = True
                if verbose:
                    print(f"Converged at iteration {i}: strict convergence.")
                break
            if float((shift**2).sum()) <= tol:
                if verbose:
                    print(f"Converged at iteration {i}: center shift within tolerance {tol}.")
                break
            labels_old[:] = labels
        if not strict and algorithm == "hamerly" and i > 0:
            # Last assignment so labels match the returned centres; the bounds make it cheap.
            cd = _center_distances(centers)
            np.fill_diagonal(cd, np.inf)
            c_sq = (centers.astype(np.float64) ** 2).sum(axis=1)
            kern.hamerly_step(
                X, w, centers, c_sq, x_sq_norms, 0.5 * cd.min(axis=1), drift, bounds, chunk,
                labels, upper, lower, sums, wsums, rel_err, False,
            )  # fmt: skip
        elif not strict:
            c_sq = (centers.astype(np.float64) ** 2).sum(axis=1)
            kern.lloyd_step(
                X, w, centers, c_sq, x_sq_norms,
                bounds, chunk, labels, sums, wsums, dummy, rel_err, 0,
            )  # fmt: skip
    inertia = float(kern.inertia_dense(X, w, centers, labels))
    return KMeansResult(labels, inertia, centers, i + 1)


def labels_inertia(
    X: np.ndarray, w: np.ndarray, centers: np.ndarray, backend: Backend
) -> tuple[np.ndarray, float]:
    """Nearest centre of every sample (BLAS tiles, no n x k matrix) and the weighted inertia
    (exact differences)."""
    kern = backend.kernels
    n, d = X.shape
    k = centers.shape[0]
    centers = np.ascontiguousarray(centers, dtype=X.dtype)
    labels = np.empty(n, dtype=np.int64)
    bounds = kern.block_bounds(n, n_blocks_for(n, k, d))
    chunk = int(max(16, min(1024, 32768 // max(k, 1))))
    c_sq = (centers.astype(np.float64) ** 2).sum(axis=1)
    dummy = np.empty(0, dtype=np.float64)
    no_sums = np.empty((0, 0, 0), dtype=np.float64)
    with _blas_one_thread():
        kern.lloyd_step(
            X, w, centers, c_sq, dummy, bounds, chunk,
            labels, no_sums, np.empty((0, 0)), dummy, 0.0, 0,
        )  # fmt: skip
    return labels, float(kern.inertia_dense(X, w, centers, labels))


def _cross_distances(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """(a, b) distances between rows, rounded down so that bound tests built on them stay
    valid (the norm expansion's rounding error is subtracted)."""
    A64 = A.astype(np.float64)
    B64 = B.astype(np.float64)
    g = (A64**2).sum(axis=1)[:, None] + (B64**2).sum(axis=1)[None, :]
    d2 = g - 2.0 * (A64 @ B64.T) - 1e-12 * g
    return np.sqrt(np.maximum(d2, 0.0))


def _center_distances(C: np.ndarray) -> np.ndarray:
    return _cross_distances(C, C)


def warn_if_fewer_clusters(labels: np.ndarray, k: int) -> None:
    """ConvergenceWarning when fewer distinct clusters than ``n_clusters`` were found."""
    from sklearn.exceptions import ConvergenceWarning

    found = np.unique(labels).shape[0]
    if found < k:
        warnings.warn(
            f"Number of distinct clusters ({found}) found smaller than n_clusters ({k}). "
            "Possibly due to duplicate points in X.",
            ConvergenceWarning,
            stacklevel=3,
        )
