"""KMeans on dask arrays: k-means|| seeding, then Lloyd with per-block partial sums."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from .._backend import blas_one_thread, select_backend
from .._base import check_fitted
from .._validation import (
    check_int,
    check_n_clusters,
    check_option,
    check_random_state,
    check_real,
    check_sample_weight,
)
from ..centroid import KMeans as _InMemoryKMeans
from ..centroid._kmeans_core import (
    _center_distances,
    _cross_distances,
    check_init_array,
    n_blocks_for,
)
from ..centroid.kmeans import _canonical_order, _KMeansPredictor
from ._engine import Blocks, active_client, as_dask_array, block_seed, compute, is_dask
from ._inference import DaskCentroidMixin

__all__ = ["KMeans"]

INITS = ("k-means||", "random")


class KMeans(DaskCentroidMixin, _KMeansPredictor):
    """K-means on a dask array: k-means|| seeding, then Lloyd's iterations, one pass each.

    Each pass runs shoal's fused Lloyd kernel on every row block where the block lives and
    brings back only the per-cluster sums and weights (``k * (d + 1)`` floats per block),
    added up in a tree; the new centres go out once per pass. When the blocks stay in memory,
    each worker keeps Hamerly's bounds for its blocks and runs shoal's Hamerly step instead,
    which skips most distances after the first iterations (a lost bound costs one Lloyd step
    of that block, never a different result). On the same initial centres the iterates are
    those of :class:`shoal.KMeans` (up to the order of floating-point sums).

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    init : {'k-means||', 'random'} or array-like of shape (n_clusters, n_features), \
default='k-means||'
        'k-means||': scalable k-means++ (Bahmani et al., 2012): ``init_max_iter`` rounds, each
        drawing about ``oversampling_factor * n_clusters`` rows with probability proportional
        to their squared distance to the candidates so far (two passes per round), then the
        candidates, weighted by the rows nearest to them, are clustered in memory by
        :class:`shoal.KMeans` (k-means++). A constant number of rounds and a few thousand
        candidates keep the scheduler's load at a few passes. 'random': ``n_clusters`` rows
        drawn uniformly.
    n_init : int, default=1
        Runs from different seeds; the lowest inertia wins (each run costs its passes).
    max_iter : int, default=300
        Most Lloyd iterations (passes) of one run.
    tol : float, default=1e-4
        Convergence when the summed squared centre shift is at most ``tol`` times the mean
        per-feature variance of X (scikit-learn's rule); a pass whose centres do not move at
        all (labels unchanged) also stops.
    verbose : int, default=0
        Print the centre shift of every iteration.
    random_state : int, RandomState instance or None, default=None
        Seed of the initialisation. Each block draws from its own generator seeded by
        ``(seed, round, block)``, so a result does not depend on where blocks ran.
    oversampling_factor : float, default=2.0
        k-means|| draws about ``oversampling_factor * n_clusters`` candidates per round.
    init_max_iter : int, default=5
        k-means|| rounds.
    persist : {'auto', True, False}, default='auto'
        Keep X's blocks in memory between passes. 'auto' persists on a distributed cluster
        when X takes at most half of the workers' memory, and otherwise recomputes the blocks
        at every pass (out of core: a lazily generated or read array is never held whole).
    callback : callable, default=None
        Called as ``callback(iteration, centers)`` after every Lloyd iteration.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Centres, X's dtype (numbered in lexicographic order with a string ``init``).
    labels_ : dask array of shape (n_samples,), int64
        Label of each training sample (lazy: computed when asked for).
    inertia_ : float
        Sum of squared distances to the closest centre.
    n_iter_ : int
        Lloyd iterations of the best run.
    n_features_in_ : int
        Number of features seen during fit.

    Notes
    -----
    A pass costs O(n k d) flops spread over the blocks; the scheduler sees ``n_blocks`` tasks
    plus ``n_blocks / 8`` additions per pass. ``sample_weight`` (numpy or dask, rechunked to
    X's row blocks) travels with the blocks: weighted sums, inertia and k-means|| draws.
    numpy input is accepted (wrapped in a dask array).

    Examples
    --------
    >>> import numpy as np
    >>> import dask.array as da
    >>> from shoal.dask import KMeans
    >>> X = da.from_array(np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]], float),
    ...                   chunks=(3, 2))
    >>> km = KMeans(n_clusters=2, random_state=0).fit(X)
    >>> km.cluster_centers_.tolist()
    [[1.0, 2.0], [10.0, 2.0]]
    >>> km.predict(X).compute().tolist()
    [0, 0, 0, 1, 1, 1]
    """

    _in_memory: ClassVar[type] = _InMemoryKMeans

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init: Any = "k-means||",
        n_init: int = 1,
        max_iter: int = 300,
        tol: float = 1e-4,
        verbose: int = 0,
        random_state: Any = None,
        oversampling_factor: float = 2.0,
        init_max_iter: int = 5,
        persist: Any = "auto",
        callback: Callable[[int, np.ndarray], None] | None = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.verbose = verbose
        self.random_state = random_state
        self.oversampling_factor = oversampling_factor
        self.init_max_iter = init_max_iter
        self.persist = persist
        self.callback = callback

    def _validate_params(self) -> None:
        check_int("n_clusters", self.n_clusters, low=1)
        if isinstance(self.init, str):
            check_option("init", self.init, INITS)
        check_int("n_init", self.n_init, low=1)
        check_int("max_iter", self.max_iter, low=1)
        check_real("tol", self.tol, low=0.0)
        check_int("verbose", self.verbose, low=0)
        check_real("oversampling_factor", self.oversampling_factor, low=0.0)
        check_int("init_max_iter", self.init_max_iter, low=1)
        if not (self.persist == "auto" or isinstance(self.persist, bool)):
            raise ValueError(f"persist={self.persist!r} must be 'auto', True or False.")

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> KMeans:
        """Compute k-means clustering of a dask array.

        Parameters
        ----------
        X : dask array of shape (n_samples, n_features)
            Training data, chunked along rows (a numpy array is wrapped).
        y : Ignored
            Not used, present for API consistency.
        sample_weight : dask or numpy array of shape (n_samples,), optional
            Weight of each sample (ones when None), as in :class:`shoal.KMeans`: the
            centres are weighted means, the inertia a weighted sum, and k-means|| draws and
            counts its candidates by weight. A dask array is rechunked to X's row blocks.

        Returns
        -------
        self : KMeans
            The fitted estimator.
        """
        self._validate_params()
        Xd = as_dask_array(X)
        blocks = Blocks(Xd, self.persist, dask_weights(sample_weight, Xd))
        n, d, dtype = blocks.n, blocks.d, blocks.dtype
        k = check_n_clusters(self.n_clusters, n)
        self.n_features_in_ = d
        rng = check_random_state(self.random_state)
        mean64, var = blocks.moments()
        mean = _working_origin(mean64, var, dtype)
        tol = float(np.mean(var) * self.tol) if self.tol else 0.0
        init = self.init
        if not isinstance(init, str):
            init = check_init_array(init, k, d, dtype) - mean
        best: tuple[float, np.ndarray, int] | None = None
        for _ in range(1 if not isinstance(init, str) else self.n_init):
            if isinstance(init, str) and init == "k-means||":
                centers0 = kmeans_parallel(
                    blocks, k, mean, rng, self.oversampling_factor, self.init_max_iter
                )
            elif isinstance(init, str):
                centers0 = _random_rows(blocks, k, rng) - mean
            else:
                centers0 = init
            centers, n_iter = lloyd(
                blocks, centers0.astype(dtype), mean, self.max_iter, tol, self.verbose,
                self.callback,
            )  # fmt: skip
            inertia = float(blocks.reduce(_inertia_block, centers, mean, weights=True))
            if best is None or inertia < best[0]:
                best = (inertia, centers, n_iter)
        assert best is not None
        inertia, centers, n_iter = best
        centers = np.ascontiguousarray(centers + mean, dtype=dtype)
        if isinstance(init, str):
            centers, _ = _canonical_order(centers, np.zeros(0, dtype=np.int64))
        self.cluster_centers_ = np.ascontiguousarray(centers, dtype=dtype)
        self.inertia_ = inertia
        self.n_iter_ = n_iter
        # The fit's own assignment (tile distances on centred rows), so that labels_ are the
        # labels the centres were computed from.
        self.labels_ = blocks.X.map_blocks(
            _labels_block, centers - mean, mean, drop_axis=1, dtype=np.int64
        )
        return self

    def fit_predict(self, X: Any, y: Any = None, **kwargs: Any) -> Any:
        """Fit, then return ``labels_`` (a lazy dask array)."""
        return self.fit(X, **kwargs).labels_

    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> float:
        """Opposite of the inertia of X against the fitted centres (one pass over X).

        Parameters
        ----------
        X : dask array of shape (n_samples, n_features)
        y : Ignored
        sample_weight : dask or numpy array of shape (n_samples,), optional

        Returns
        -------
        score : float
        """
        if not is_dask(X):
            return float(super().score(X, y, sample_weight))
        check_fitted(self, "cluster_centers_")
        Xd = as_dask_array(X)
        blocks = Blocks(Xd, persist=False, W=dask_weights(sample_weight, Xd))
        self._check_features(blocks.d)
        return -float(blocks.reduce(_min_sq_block, self.cluster_centers_, weights=True))

    def _check_features(self, d: int) -> None:
        if d != self.n_features_in_:
            raise ValueError(
                f"X has {d} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )


# -- Lloyd ---------------------------------------------------------------------------------------


def lloyd(
    blocks: Blocks,
    centers: np.ndarray,
    mean: np.ndarray,
    max_iter: int,
    tol: float,
    verbose: int = 0,
    callback: Callable[[int, np.ndarray], None] | None = None,
) -> tuple[np.ndarray, int]:
    """Lloyd's iterations on centred centres, one pass over the blocks each.

    Returns the centred centres and the number of iterations. The stopping rules are
    :func:`shoal.centroid._kmeans_core.kmeans_single`'s: unchanged labels give exactly
    unchanged centres (shift 0), otherwise the summed squared shift is compared with ``tol``.

    When the blocks are held in memory (or, on the local scheduler, when the bounds take at
    most 1 GiB), each worker also keeps Hamerly's bounds of its blocks
    (a per-process cache, not dask data: labels, upper and lower bounds and row norms, 32
    bytes a row) and runs shoal's Hamerly step, which skips most distances after the first
    iterations. A block whose bounds are missing (first pass, a restarted worker, a block
    moved to another worker) takes a Lloyd step that sets them again: the iterates are the
    same either way (Hamerly's and Lloyd's steps give the same labels and sums).
    """
    local = active_client() is None
    use_bounds = centers.shape[0] > 1 and (blocks.persisted or (local and 32 * blocks.n <= 1 << 30))
    fit_id = uuid.uuid4().hex if use_bounds else ""
    drift = np.zeros(centers.shape[0])
    i = 0
    try:
        for i in range(max_iter):
            if use_bounds:
                cd = _center_distances(centers)
                np.fill_diagonal(cd, np.inf)
                half_sep = 0.5 * cd.min(axis=1)
                tot, wt = blocks.reduce(
                    _hamerly_block, centers, mean, drift, half_sep, fit_id, i, weights=True
                )
            else:
                tot, wt = blocks.reduce(_lloyd_block, centers, mean, weights=True)
            if np.any(wt <= 0):
                _relocate_empty(blocks, centers, mean, tot, wt)
            new = centers.copy()
            nz = wt > 0
            new[nz] = (tot[nz] / wt[nz, None]).astype(centers.dtype)
            shift = np.sqrt(((new.astype(np.float64) - centers) ** 2).sum(axis=1))
            drift = shift * (1.0 + 1e-9)
            centers = new
            if verbose:
                print(f"Iteration {i}, centre shift {float((shift**2).sum()):.6g}.")
            if callback is not None:
                callback(i, centers)
            if float((shift**2).sum()) <= tol:
                break
    finally:
        if use_bounds:
            _drop_bounds(fit_id)
    return centers, i + 1


# Hamerly bounds of the blocks a process has worked on: {(fit id, block): (iteration, labels,
# upper, lower, row norms)}. A cache, never an input: a missing entry costs one Lloyd step.
_BOUNDS: dict[tuple[str, int], tuple] = {}


def _hamerly_block(
    block: np.ndarray,
    wb: np.ndarray | None,
    centers: np.ndarray,
    mean: np.ndarray,
    drift: np.ndarray,
    half_sep: np.ndarray,
    fit_id: str,
    it: int,
    i: int,
) -> tuple:
    k, d = centers.shape
    m = block.shape[0]
    if m == 0:
        return np.zeros((k, d)), np.zeros(k)
    X = _centred(block, mean)
    kern = select_backend(X).kernels
    C = np.ascontiguousarray(centers, dtype=X.dtype)
    nb = n_blocks_for(m, k, d)
    bounds = kern.block_bounds(m, nb)
    sums = np.empty((nb, k, d))
    wsums = np.empty((nb, k))
    w = _block_weights(wb, m, X.dtype)
    c_sq = (C.astype(np.float64) ** 2).sum(axis=1)
    cached = _BOUNDS.pop((fit_id, i), None)
    with blas_one_thread():
        if cached is not None and cached[0] == it - 1 and cached[1].shape[0] == m:
            _, labels, upper, lower, x_sq = cached
            kern.hamerly_step(
                X, w, C, c_sq, x_sq, half_sep, drift, bounds, _chunk_rows(k),
                labels, upper, lower, sums, wsums, _rel_err(X.dtype), True,
            )  # fmt: skip
        else:
            x_sq = np.empty(m)
            kern.row_sq_norms(X, x_sq)
            labels = np.empty(m, dtype=np.int64)
            lower = np.empty(m)
            upper = np.full(m, np.inf)
            kern.lloyd_step(
                X, w, C, c_sq, x_sq, bounds, _chunk_rows(k),
                labels, sums, wsums, lower, _rel_err(X.dtype), 2,
            )  # fmt: skip
    _BOUNDS[(fit_id, i)] = (it, labels, upper, lower, x_sq)
    return sums.sum(axis=0), wsums.sum(axis=0)


def _drop_bounds(fit_id: str) -> None:
    """Free the bounds of a finished fit, here and on every worker."""
    _forget(fit_id)
    client = active_client()
    if client is not None:
        try:
            client.run(_forget, fit_id)
        except Exception:  # pragma: no cover - a worker gone at the end of a fit
            pass


def _forget(fit_id: str) -> None:
    for key in [key for key in _BOUNDS if key[0] == fit_id]:
        del _BOUNDS[key]


def _working_origin(mean64: np.ndarray, var: np.ndarray, dtype: Any) -> np.ndarray:
    """The point the fit measures the data from: their mean, or the origin when that is as good.

    Centring keeps the norm expansion ``||x||^2 - 2 x.c + ||c||^2`` accurate for data far from
    the origin (in memory, KMeans centres X once). Here it would cost a copy of every block in
    every pass, so it is done only where it pays: when ``||mean||^2`` is at most the total
    variance, measuring from the origin at most doubles ``E||x||^2`` and so the expansion's
    rounding (which the bounds' slack accounts for from the actual norms), and the blocks are
    used as they are.
    """
    if float(np.dot(mean64, mean64)) <= float(np.sum(var)):
        return np.zeros(mean64.shape[0], dtype=dtype)
    return mean64.astype(dtype)


def _centred(block: np.ndarray, mean: np.ndarray) -> np.ndarray:
    if not mean.any():
        return np.ascontiguousarray(block)
    return np.ascontiguousarray(block - mean, dtype=block.dtype)


def _chunk_rows(k: int) -> int:
    return int(max(16, min(1024, 32768 // max(k, 1))))


def _rel_err(dtype: Any) -> float:
    return 1e-12 if dtype == np.float64 else 1e-5


def _block_weights(wb: np.ndarray | None, m: int, dtype: Any) -> np.ndarray:
    """A block's sample weights in X's dtype (the kernels' convention); ones without any."""
    if wb is None:
        return np.ones(m, dtype=dtype)
    return np.ascontiguousarray(wb, dtype=dtype)


def dask_weights(sample_weight: Any, X: Any) -> Any:
    """``sample_weight`` checked as :func:`shoal._validation.check_sample_weight` does (one
    small pass for a dask array) and returned as a float64 dask array (:class:`Blocks` puts it
    in X's row blocks); None stays None."""
    if sample_weight is None:
        return None
    import dask.array as da

    n = int(X.shape[0])
    if not is_dask(sample_weight):
        w = check_sample_weight(sample_weight, n, np.float64)
        return da.from_array(w, chunks=(X.chunks[0],))
    W = sample_weight
    if not hasattr(W, "chunks"):  # a dask Series: its partitions become blocks
        W = W.to_dask_array(lengths=True)
    if W.ndim != 1:
        raise ValueError(f"sample_weight must be 1-D; got shape {W.shape}.")
    if not np.issubdtype(W.dtype, np.number) or np.issubdtype(W.dtype, np.complexfloating):
        raise ValueError(f"sample_weight must be numeric; got dtype {W.dtype}.")
    if any(np.isnan(c) for c in W.chunks[0]):
        W = W.compute_chunk_sizes()
    if W.shape[0] != n:
        raise ValueError(
            f"sample_weight has {W.shape[0]} values but X has n_samples={n}; they must match."
        )
    W = W.astype(np.float64)
    finite, low, high = compute(da.isfinite(W).all(), W.min(), W.max())
    if not finite:
        raise ValueError("sample_weight contains NaN or infinity.")
    if low < 0:
        raise ValueError(f"sample_weight has negative values (min {low}); weights must be >= 0.")
    if not high > 0:
        raise ValueError("sample_weight is all zero; at least one sample needs a positive weight.")
    return W  # Blocks rechunks it to X's row blocks


def _step(
    X: np.ndarray, centers: np.ndarray, mode: int, w: np.ndarray | None = None
) -> tuple[np.ndarray, ...]:
    """shoal's fused Lloyd kernel on one block: labels (and per-cluster sums for mode 1,
    weighted by ``w`` when given)."""
    kern = select_backend(X).kernels
    m, d = X.shape
    k = centers.shape[0]
    centers = np.ascontiguousarray(centers, dtype=X.dtype)
    nb = n_blocks_for(m, k, d) if mode else 1
    bounds = kern.block_bounds(m, nb)
    sums = np.empty((nb, k, d)) if mode else np.empty((0, 0, 0))
    wsums = np.empty((nb, k)) if mode else np.empty((0, 0))
    labels = np.empty(m, dtype=np.int64)
    w = _block_weights(w, m, X.dtype)
    c_sq = (centers.astype(np.float64) ** 2).sum(axis=1)
    dummy = np.empty(0, dtype=np.float64)
    with blas_one_thread():
        kern.lloyd_step(
            X, w, centers, c_sq, dummy, bounds, _chunk_rows(k),
            labels, sums, wsums, dummy, _rel_err(X.dtype), mode,
        )  # fmt: skip
    return labels, sums, wsums


def _lloyd_block(
    block: np.ndarray, wb: np.ndarray | None, centers: np.ndarray, mean: np.ndarray, i: int
) -> tuple:
    k, d = centers.shape
    if block.shape[0] == 0:
        return np.zeros((k, d)), np.zeros(k)
    _, sums, wsums = _step(_centred(block, mean), centers, 1, wb)
    return sums.sum(axis=0), wsums.sum(axis=0)


def _labels_block(block: np.ndarray, centers: np.ndarray, mean: np.ndarray) -> np.ndarray:
    if block.shape[0] == 0:
        return np.empty(0, dtype=np.int64)
    return _step(_centred(block, mean), centers, 0)[0]


def _inertia_block(
    block: np.ndarray, wb: np.ndarray | None, centers: np.ndarray, mean: np.ndarray, i: int
) -> float:
    if block.shape[0] == 0:
        return 0.0
    X = _centred(block, mean)
    labels = _step(X, centers, 0)[0]
    kern = select_backend(X).kernels
    w = _block_weights(wb, X.shape[0], X.dtype)
    return float(kern.inertia_dense(X, w, np.ascontiguousarray(centers, X.dtype), labels))


def _nearest(X: np.ndarray, centers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centre (tile distances in X's precision) and the squared distance to it from
    direct differences. k-means|| passes float32 rows (centred, or near the origin): twice the
    BLAS speed, and float32 resolves all but near-ties, which do not matter to seeding."""
    labels = _step(X, centers, 0)[0]
    d2 = np.empty(X.shape[0], dtype=np.float64)
    kern = select_backend(X).kernels
    kern.sq_dist_to_assigned(X, np.ascontiguousarray(centers, X.dtype), labels, d2)
    return labels, d2


def _min_sq_block(block: np.ndarray, wb: np.ndarray | None, centers: np.ndarray, i: int) -> float:
    """Inertia of a block against (uncentred) fitted centres, exact differences as in
    ``KMeans.score``, weighted by the block's sample weights (None: ones)."""
    if block.shape[0] == 0:
        return 0.0
    X = np.ascontiguousarray(block)
    kern = select_backend(X).kernels
    C = np.ascontiguousarray(centers, X.dtype)
    labels = np.empty(X.shape[0], dtype=np.int64)
    min_sq = np.empty(X.shape[0], dtype=np.float64)
    kern.assign_labels(X, C, (C.astype(np.float64) ** 2).sum(axis=1), labels, min_sq)
    if wb is not None:
        return float(np.dot(min_sq, np.asarray(wb, dtype=np.float64)))
    return float(min_sq.sum())


def _far_block(
    block: np.ndarray, wb: np.ndarray | None, centers: np.ndarray, mean: np.ndarray, m: int, i: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The ``m`` rows of a block farthest from their nearest centre: (sq distances, centred
    rows float64, labels, weights)."""
    X = _centred(block, mean)
    if X.shape[0] == 0:
        return np.empty(0), np.empty((0, X.shape[1])), np.empty(0, dtype=np.int64), np.empty(0)
    labels, d2 = _nearest(X, centers)
    top = np.argsort(-d2, kind="stable")[:m]
    w = np.ones(top.shape[0]) if wb is None else np.asarray(wb, dtype=np.float64)[top]
    return d2[top], X[top].astype(np.float64), labels[top], w


def _relocate_empty(
    blocks: Blocks, centers: np.ndarray, mean: np.ndarray, tot: np.ndarray, wt: np.ndarray
) -> None:
    """scikit-learn's rule, as :func:`shoal.centroid._kmeans_core.relocate_empty_clusters`:
    each empty cluster takes the sample farthest from its centre (one extra pass, gathering
    the farthest rows of each block)."""
    empty = np.flatnonzero(wt <= 0)
    m = min(empty.shape[0], blocks.n)
    parts = blocks.gather(_far_block, centers, mean, m, weights=True)
    d2 = np.concatenate([p[0] for p in parts])
    rows = np.concatenate([p[1] for p in parts])
    labels = np.concatenate([p[2] for p in parts])
    weights = np.concatenate([p[3] for p in parts])
    far = np.argsort(-d2, kind="stable")[:m]
    for new_id, j in zip(empty[:m], far):
        old_id = labels[j]
        tot[old_id] -= rows[j] * weights[j]
        wt[old_id] -= weights[j]
        tot[new_id] = rows[j] * weights[j]
        wt[new_id] = weights[j]


# -- seeding -------------------------------------------------------------------------------------


def _random_rows(blocks: Blocks, k: int, rng: np.random.RandomState) -> np.ndarray:
    """k distinct rows drawn uniformly, or with probability proportional to the weights (as
    the in-memory 'random' init draws them; the weights are gathered, 8 bytes a row)."""
    if blocks.W is None:
        idx = np.sort(rng.choice(blocks.n, size=k, replace=False))
        rows = compute(blocks.X[idx])[0]
        return np.asarray(rows)[rng.permutation(k)]
    w = np.asarray(compute(blocks.W)[0], dtype=np.float64)
    drawn = rng.choice(blocks.n, size=k, replace=False, p=w / w.sum())
    return _fetch_rows(blocks, drawn)


def _weighted_row(blocks: Blocks, rng: np.random.RandomState) -> int:
    """One row drawn with probability proportional to its weight (block totals, then one
    block's weights)."""
    sums = np.asarray(blocks.gather(_wsum_block, weights=True), dtype=np.float64)
    return _locate(blocks, sums, [rng.uniform() * sums.sum()], None)[0]


def _wsum_block(block: np.ndarray, wb: np.ndarray | None, i: int) -> float:
    return float(block.shape[0]) if wb is None else float(np.sum(wb, dtype=np.float64))


def kmeans_parallel(
    blocks: Blocks,
    k: int,
    mean: np.ndarray,
    rng: np.random.RandomState,
    oversampling: float,
    rounds: int,
) -> np.ndarray:
    """k-means|| (Bahmani, Moseley, Vattani, Kumar, Vassilvitskii 2012); centred centres.

    Round r draws each row independently with probability ``min(1, l w d^2(x, C) / phi(C))``,
    ``l = oversampling * k``, ``w`` the sample weight (1 without weights; the first centre
    is drawn by weight too) and ``phi`` the weighted cost; the candidates are then weighted
    by the weight of the rows nearest to them. When the blocks are held in memory the
    distance of every row to its nearest candidate is held too (one float and one index per
    row) and each round computes distances to the new candidates only; otherwise every round
    recomputes the distances to all candidates (nothing but the candidates is held).
    """
    seed = int(rng.randint(2**31 - 1))
    first = int(rng.randint(blocks.n)) if blocks.W is None else _weighted_row(blocks, rng)
    C = (np.asarray(compute(blocks.X[first : first + 1])[0]) - mean).astype(blocks.dtype)
    ell = float(oversampling) * k
    stateful = blocks.persisted or not _is_distributed()
    # Blocks held in memory also hold their float32 working copy for the rounds (half their
    # size, freed with the state): each round then searches the new candidates without
    # centring and converting the rows again. Recomputed blocks keep 16 bytes a row.
    hold = blocks.persisted
    state = blocks.keep(_kpar_start, C, mean, hold, weights=True) if stateful else None
    for r in range(rounds):
        if stateful:
            phi = float(blocks.reduce(_kpar_cost_state, extra=state))
        else:
            phi = float(blocks.reduce(_kpar_cost, C, mean, weights=True))
        if phi <= 0.0:
            break
        if stateful:
            parts = blocks.gather(_kpar_sample_state, mean, phi, ell, seed, r, extra=state)
        else:
            parts = blocks.gather(_kpar_sample, C, mean, phi, ell, seed, r, weights=True)
        new = np.concatenate(parts).astype(blocks.dtype)
        if new.shape[0] == 0:
            continue
        if stateful:
            prune_sq = (0.5 * _cross_distances(C, new).min(axis=1)) ** 2
            state = blocks.keep(_kpar_update, new, prune_sq, C.shape[0], mean, extra=state)
        C = np.concatenate([C, new])
    if stateful:
        counts = blocks.reduce(_kpar_counts_state, C.shape[0], extra=state)
    else:
        counts = blocks.reduce(_kpar_counts, C, mean, weights=True)
    if C.shape[0] < k:
        extra = _random_rows(blocks, k, rng) - mean
        C = np.concatenate([C, extra.astype(blocks.dtype)])
        counts = np.concatenate([counts, np.ones(k)])
    keep = counts > 0
    if int(keep.sum()) >= k:
        C, counts = C[keep], counts[keep]
    # Recluster the weighted candidates in memory (shoal's k-means++ and Lloyd).
    local = _InMemoryKMeans(k, n_init=1, random_state=rng).fit(C, sample_weight=counts)
    return np.ascontiguousarray(local.cluster_centers_, dtype=blocks.dtype)


def _is_distributed() -> bool:
    from ._engine import active_client

    return active_client() is not None


def _kpar_start(
    block: np.ndarray, wb: np.ndarray | None, C: np.ndarray, mean: np.ndarray, hold: bool, i: int
) -> tuple:
    """A block's k-means|| state: (squared distance to the nearest candidate, its index,
    with ``hold`` the float32 working rows else None, the sample weights float64 or None)."""
    w = None if wb is None else np.asarray(wb, dtype=np.float64)
    X = _centred(block, mean)
    if X.shape[0] == 0:
        return np.empty(0), np.empty(0, dtype=np.int64), None, w
    Xf = np.ascontiguousarray(X, dtype=np.float32)
    labels, d2 = _nearest(Xf, C)
    return d2, labels, Xf if hold else None, w


def _kpar_update(
    block: np.ndarray,
    state: tuple,
    new: np.ndarray,
    prune_sq: np.ndarray,
    offset: int,
    mean: np.ndarray,
    i: int,
) -> tuple:
    """Fold new candidates into a block's (closest, assigned). A row whose squared distance
    to its candidate ``a`` is at most ``prune_sq[a] = (min_c d(a, new_c) / 2)^2`` cannot get
    closer to any new candidate (triangle inequality; Raff, "Exact acceleration of k-means++
    and k-means||", 2021): only the other rows are searched."""
    closest, assigned, Xf, w = state
    if closest.shape[0] == 0:
        return state
    need = np.flatnonzero(closest > prune_sq[assigned])
    if need.shape[0] == 0:
        return state
    if Xf is not None:
        X = Xf[need]
    else:
        X = np.ascontiguousarray(block[need] - mean, dtype=np.float32)
    labels, d2 = _nearest(X, new)
    better = d2 < closest[need]
    closest = closest.copy()
    assigned = assigned.copy()
    closest[need[better]] = d2[better]
    assigned[need[better]] = labels[better] + offset
    return closest, assigned, Xf, w


def _kpar_cost_state(block: np.ndarray, state: tuple, i: int) -> float:
    return float(_kpar_scores(state).sum())


def _kpar_scores(state: tuple) -> np.ndarray:
    """Each row's share of the cost: ``w d^2`` (``d^2`` without weights)."""
    return state[0] if state[3] is None else state[0] * state[3]


def _kpar_cost(
    block: np.ndarray, wb: np.ndarray | None, C: np.ndarray, mean: np.ndarray, i: int
) -> float:
    return _kpar_cost_state(block, _kpar_start(block, wb, C, mean, False, i), i)


def _kpar_sample_state(
    block: np.ndarray,
    state: tuple,
    mean: np.ndarray,
    phi: float,
    ell: float,
    seed: int,
    r: int,
    i: int,
) -> np.ndarray:
    scores = _kpar_scores(state)
    u = block_seed(seed, r, i).random(scores.shape[0])
    chosen = np.flatnonzero(u * phi < ell * scores)
    return (block[chosen] - mean).astype(block.dtype)


def _kpar_sample(
    block: np.ndarray,
    wb: np.ndarray | None,
    C: np.ndarray,
    mean: np.ndarray,
    phi: float,
    ell: float,
    seed: int,
    r: int,
    i: int,
) -> np.ndarray:
    state = _kpar_start(block, wb, C, mean, False, i)
    return _kpar_sample_state(block, state, mean, phi, ell, seed, r, i)


def _kpar_counts_state(block: np.ndarray, state: tuple, size: int, i: int) -> np.ndarray:
    """Weight of the rows nearest to each candidate (their number without weights)."""
    return np.bincount(state[1], weights=state[3], minlength=size).astype(np.float64)


def _kpar_counts(
    block: np.ndarray, wb: np.ndarray | None, C: np.ndarray, mean: np.ndarray, i: int
) -> np.ndarray:
    state = _kpar_start(block, wb, C, mean, False, i)
    return _kpar_counts_state(block, state, C.shape[0], i)


# -- greedy k-means++ over the blocks (rows, for GaussianMixture's 'k-means++' init) -----------


def kmeans_plusplus_rows(blocks: Blocks, k: int, rng: np.random.RandomState) -> np.ndarray:
    """Global indices of the rows greedy k-means++ picks, with the random draws of
    :func:`shoal.kmeans_plusplus` (same ``rng`` calls, draws by weight), one step at a time.

    A step reads the blocks' potentials (held), searches the blocks its draws fall in, then
    makes two passes: the candidates' potentials, and folding the winner into every row's
    share of the potential (weight times squared distance to the nearest chosen row,
    float64, from direct differences). That share is held per block (8 bytes a row, in the
    cluster's memory also when the blocks themselves are recomputed), so a step measures
    only the candidates and the winner.
    """
    import dask

    n = blocks.n
    t = 2 + int(np.log(k))
    wsums = np.asarray(blocks.gather(_wsum_block, weights=True), dtype=np.float64)
    first = _locate(blocks, wsums, [rng.random_sample() * wsums.sum()], None)[0]
    chosen = [first]
    state = blocks.keep(_kpp_start, _fetch_rows(blocks, [first]), weights=True)
    for _ in range(1, k):
        pots = np.asarray(compute(*[dask.delayed(_kpp_total)(s) for s in state]), np.float64)
        total = float(pots.sum())
        if total <= 0.0:
            # Fewer distinct points than centres: repeat a point (as in memory).
            i = int(rng.randint(n))
        else:
            targets = rng.uniform(size=t) * total
            cand = _locate(blocks, pots, list(targets), state)
            rows = _fetch_rows(blocks, cand)
            phi = blocks.reduce(_kpp_potentials, rows, extra=state, weights=True)
            i = int(cand[int(np.argmin(phi))])
        chosen.append(i)
        state = blocks.keep(_kpp_update, _fetch_rows(blocks, [i]), extra=state, weights=True)
    return np.asarray(chosen, dtype=np.int64)


def _fetch_rows(blocks: Blocks, idx: list[int] | np.ndarray) -> np.ndarray:
    """Rows ``idx`` of X (float64, in the order of ``idx``), gathered in one sorted read."""
    idx = np.asarray(idx, dtype=np.int64)
    order = np.argsort(idx)
    rows = np.asarray(compute(blocks.X[idx[order]])[0], dtype=np.float64)
    out = np.empty_like(rows)
    out[order] = rows
    return out


def _locate(
    blocks: Blocks, sums: np.ndarray, targets: list[float], state: list | None
) -> list[int]:
    """For each target, the row where the running sum of the rows' masses (their weights, or
    ``w d^2`` from ``state``) first exceeds it, searching only the blocks the targets fall in
    (the rule of a search in the cumulative sum over all rows)."""
    import dask

    cum = np.cumsum(sums)
    where: dict[int, list[tuple[int, float]]] = {}
    for j, u in enumerate(targets):
        b = min(int(np.searchsorted(cum, u, side="right")), len(sums) - 1)
        while b > 0 and sums[b] <= 0:
            b -= 1
        where.setdefault(b, []).append((j, u - (cum[b] - sums[b])))
    out = [0] * len(targets)
    keys = sorted(where)
    found = compute(*[
        dask.delayed(_locate_block)(
            blocks.parts[b], blocks.wparts[b], None if state is None else state[b],
            [r for _, r in where[b]],
        )
        for b in keys
    ])  # fmt: skip
    for b, local in zip(keys, found):
        for (j, _), li in zip(where[b], local):
            out[j] = int(blocks.offsets[b]) + int(li)
    return out


def _locate_block(
    block: np.ndarray, wb: np.ndarray | None, state: np.ndarray | None, rests: list[float]
) -> list[int]:
    m = block.shape[0]
    if state is not None:
        mass = state
    else:
        mass = np.ones(m) if wb is None else np.asarray(wb, dtype=np.float64)
    cum = np.cumsum(mass)
    out = []
    for r in rests:
        i = min(int(np.searchsorted(cum, r, side="right")), m - 1)
        while i > 0 and mass[i] <= 0:  # rounding past the last row with mass
            i -= 1
        out.append(i)
    return out


def _sq_to(block: np.ndarray, wb: np.ndarray | None, row: np.ndarray) -> np.ndarray:
    """Each row's weight times its squared distance to ``row`` (float64, differences)."""
    diff = np.asarray(block, dtype=np.float64) - row
    d2 = np.einsum("ij,ij->i", diff, diff)
    return d2 if wb is None else d2 * np.asarray(wb, dtype=np.float64)


def _kpp_start(block: np.ndarray, wb: np.ndarray | None, rows: np.ndarray, i: int) -> np.ndarray:
    """A block's state: each row's weight times its squared distance to the nearest chosen
    row (its share of the potential)."""
    return _sq_to(block, wb, rows[0])


def _kpp_total(state: np.ndarray) -> float:
    return float(state.sum())


def _kpp_potentials(
    block: np.ndarray, wb: np.ndarray | None, state: np.ndarray, rows: np.ndarray, i: int
) -> np.ndarray:
    return np.array([np.minimum(state, _sq_to(block, wb, r)).sum() for r in rows])


def _kpp_update(
    block: np.ndarray, wb: np.ndarray | None, state: np.ndarray, rows: np.ndarray, i: int
) -> np.ndarray:
    return np.minimum(state, _sq_to(block, wb, rows[0]))
