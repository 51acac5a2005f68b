"""KMedoids: PAM, FasterPAM, alternate (Voronoi iteration) and CLARA k-medoids."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from .._backend import select_backend
from .._base import BaseClusterer, CentroidMixin, check_fitted
from .._kernels.numba_.pairwise import METRIC_CODES
from .._validation import (
    check_array,
    check_distinct_rows,
    check_int,
    check_n_clusters,
    check_option,
    check_random_state,
    check_sample_weight,
    validate_X,
)
from ._kmeans_core import warn_if_fewer_clusters
from .kmeans import _unit_rows

__all__ = ["KMedoids"]

METHODS = ("fasterpam", "pam", "alternate", "clara")
INITS = ("k-medoids++", "build", "random")
METRICS = (*METRIC_CODES, "precomputed")

# The n x n distance matrix is built when it fits this budget (bytes); beyond it, distances
# are computed on the fly from the data (same results, no quadratic memory).
MATRIX_BUDGET = 256 * 2**20
# A swap must lower the loss by more than this fraction of it: rounding-level "gains" (e.g.
# swapping a medoid for its duplicate) must not make the search cycle.
REL_TOL = 1e-12
# Chunk of query rows per distance block in predict / transform.
QUERY_CHUNK = 65536


class KMedoids(CentroidMixin, BaseClusterer):
    """k-medoids clustering: the k most central samples (medoids) as cluster representatives.

    Minimises the total distance ``sum_i w_i d(x_i, nearest medoid)`` for any metric; the
    medoids are actual samples, so one far outlier cannot drag a centre away (it can only
    change which sample is the medoid).

    Parameters
    ----------
    n_clusters : int, default=8
        Number of medoids.
    metric : {'euclidean', 'sqeuclidean', 'manhattan', 'cosine', 'precomputed'}, \
default='euclidean'
        Dissimilarity. With 'precomputed', ``X`` in ``fit`` is a symmetric non-negative
        ``(n_samples, n_samples)`` matrix and in ``predict`` / ``transform`` the
        ``(n_queries, n_samples)`` distances to the training samples.
    method : {'fasterpam', 'pam', 'alternate', 'clara'}, default='fasterpam'
        'pam': BUILD-style start, then the best of all ``k (n - k)`` swaps per iteration
        until none lowers the loss (Kaufman & Rousseeuw's SWAP, with Schubert & Rousseeuw's
        O(k) faster evaluation). 'fasterpam': eager swaps (the first improving swap met is
        taken), the same local-optimum guarantee in far fewer passes. 'alternate': assign to
        the nearest medoid, move each medoid to its cluster's most central member (like
        k-means; faster, usually a worse loss). 'clara': PAM on ``n_sampling_iter`` samples
        of ``sample_size`` points, the medoids with the lowest loss on all data win.
    init : {'k-medoids++', 'build', 'random'} or array-like, default='k-medoids++'
        Initial medoids: 'k-medoids++' (greedy D^2 sampling, as k-means++), 'build' (PAM's
        greedy BUILD, deterministic, O(k n^2) distance evaluations), 'random' (k distinct
        samples); an int array of k sample indices, or (not with 'precomputed') an array of
        shape (n_clusters, n_features) whose rows are replaced by their nearest samples.
    max_iter : int, default=300
        Most passes (fasterpam), swaps (pam) or iterations (alternate).
    random_state : int, RandomState instance or None, default=None
        Seeds 'k-medoids++', 'random' and CLARA's samples.
    sample_size : int, default=None
        CLARA's sample size; default ``min(n_samples, 40 + 2 * n_clusters)`` (Kaufman &
        Rousseeuw).
    n_sampling_iter : int, default=5
        CLARA's number of samples.

    Attributes
    ----------
    medoid_indices_ : ndarray of shape (n_clusters,), int64
        Sample indices of the medoids; cluster ``l`` is the cluster of medoid ``l``.
    cluster_centers_ : ndarray of shape (n_clusters, n_features) or None
        The medoids (rows of ``X``, in its dtype); None with ``metric='precomputed'``.
    labels_ : ndarray of shape (n_samples,), int64
        Nearest medoid of each sample (ties: the lower cluster index).
    inertia_ : float
        ``sum_i w_i d(x_i, nearest medoid)``.
    n_iter_ : int
    n_swaps_ : int
        Swaps made by 'pam' / 'fasterpam' (medoid changes for 'alternate').
    n_features_in_ : int
    feature_names_in_ : ndarray

    Notes
    -----
    Memory: 'pam' and 'fasterpam' use the ``n x n`` distance matrix when it fits 256 MiB
    (n <= ~5,800 in float64, ~8,100 in float32) and otherwise compute distances on the fly
    from the data (O(n d) memory, more distance evaluations); 'alternate' the same; 'clara'
    never needs more than ``sample_size^2``. 'precomputed' holds the matrix the user passed.
    Time per pass: O(n^2) distance look-ups for pam/fasterpam (one pass per swap for pam),
    O(sum of squared cluster sizes) for alternate.
    ``sample_weight`` weights each sample's distance in the loss (integer weights act as
    repeated samples); zero-weight samples never become medoids. With ``n_clusters=1`` every
    method returns the exact 1-medoid (the sample with the least total distance).

    Examples
    --------
    >>> import numpy as np
    >>> from shoal import KMedoids
    >>> X = np.array([[1.0, 2.0], [1.0, 4.0], [1.0, 0.0], [4.0, 2.0], [4.0, 4.0], [4.0, 0.0]])
    >>> km = KMedoids(n_clusters=2, init="build").fit(X)
    >>> km.medoid_indices_.tolist(), km.labels_.tolist(), km.inertia_
    ([0, 3], [0, 0, 0, 1, 1, 1], 8.0)
    """

    _test_params: ClassVar[dict[str, Any]] = {
        "n_clusters": 3, "method": "pam", "init": "build", "random_state": 0,
    }  # fmt: skip

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        metric: str = "euclidean",
        method: str = "fasterpam",
        init: Any = "k-medoids++",
        max_iter: int = 300,
        random_state: Any = None,
        sample_size: int | None = None,
        n_sampling_iter: int = 5,
    ) -> None:
        self.n_clusters = n_clusters
        self.metric = metric
        self.method = method
        self.init = init
        self.max_iter = max_iter
        self.random_state = random_state
        self.sample_size = sample_size
        self.n_sampling_iter = n_sampling_iter

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.input_tags.pairwise = self.metric == "precomputed"
        return tags

    def _validate_params(self) -> None:
        check_int("n_clusters", self.n_clusters, low=1)
        check_option("metric", self.metric, METRICS)
        check_option("method", self.method, METHODS)
        check_int("max_iter", self.max_iter, low=1)
        check_int("sample_size", self.sample_size, low=1, allow_none=True)
        check_int("n_sampling_iter", self.n_sampling_iter, low=1)
        if isinstance(self.init, str):
            check_option("init", self.init, INITS)
        elif self.method == "clara":
            raise ValueError(
                f"method='clara' draws its own samples; init must be one of {list(INITS)}, "
                "not an array."
            )
        elif not hasattr(self.init, "__len__"):
            raise ValueError(
                f"init={self.init!r} is not valid; use one of {list(INITS)}, an array of "
                "medoid indices or an array of shape (n_clusters, n_features)."
            )

    # ------------------------------------------------------------------ data preparation
    def _prepare(self, X: Any, reset: bool) -> tuple[np.ndarray, np.ndarray]:
        """Validated data as given, and the rows the distances use (unit rows for cosine)."""
        X = validate_X(self, X, reset=reset, min_samples=2 if reset else 1)
        if self.metric == "precomputed":
            if reset:
                _check_precomputed(X)
            elif (X < 0).any():
                raise ValueError("metric='precomputed': X has negative distances.")
        elif self.metric == "cosine":
            return X, _unit_rows(X)
        return X, X

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> KMedoids:
        """Find the medoids.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or (n_samples, n_samples) with \
metric='precomputed'
            Training data or distances.
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample's distance in the loss.

        Returns
        -------
        self : KMedoids
            The fitted estimator.
        """
        self._validate_params()
        raw, X = self._prepare(X, reset=True)
        n = X.shape[0]
        k = check_n_clusters(self.n_clusters, n)
        check_distinct_rows(X, k, precomputed=self.metric == "precomputed")
        w = check_sample_weight(sample_weight, n, np.float64)
        candidate = w > 0
        n_cand = int(candidate.sum())
        if k > n_cand:
            raise ValueError(
                f"n_clusters={k} must be <= the number of samples with positive weight ({n_cand})."
            )
        rng = check_random_state(self.random_state)
        kern = select_backend(X).kernels
        precomputed = self.metric == "precomputed"
        code = 0 if precomputed else METRIC_CODES[self.metric]
        XT = np.empty((0, n), X.dtype) if precomputed else np.ascontiguousarray(X.T)
        if precomputed:
            D, use_matrix = X, True
        elif self.method != "clara" and n * n * X.itemsize <= MATRIX_BUDGET:
            D, use_matrix = np.empty((n, n), X.dtype), True
            kern.distance_matrix(XT, code, D)
        else:
            D, use_matrix = np.empty((0, 0), X.dtype), False
        src = (XT, D, use_matrix, code)

        if self.method == "clara":
            medoids, n_iter, n_swaps = self._clara(X, src, w, candidate, k, rng, kern)
        else:
            medoids = self._init(X, src, w, candidate, k, rng, kern)
            n_iter, n_swaps = self._improve(src, w, candidate, medoids, kern)

        near, dnear = _nearest(src, medoids, kern)
        warn_if_fewer_clusters(near, k)
        self.medoid_indices_ = medoids
        self.labels_ = near
        self.inertia_ = float(np.dot(w, dnear))
        self.n_iter_ = int(n_iter)
        self.n_swaps_ = int(n_swaps)
        self.cluster_centers_ = None if precomputed else raw[medoids]
        return self

    # ------------------------------------------------------------------ the algorithms
    def _init(
        self,
        X: np.ndarray,
        src: tuple,
        w: np.ndarray,
        candidate: np.ndarray,
        k: int,
        rng: np.random.RandomState,
        kern: Any,
    ) -> np.ndarray:
        n = w.shape[0]
        medoids = np.empty(k, dtype=np.int64)
        init = self.init
        if k == 1 or (isinstance(init, str) and init == "build"):
            kern.kmedoids_build(*src, w, candidate, medoids[: 1 if k == 1 else k], _blocks(n))
        elif isinstance(init, str) and init == "k-medoids++":
            n_trials = 2 + int(math.log(k))
            uniforms = rng.random_sample(1 + (k - 1) * n_trials)
            kern.kmedoids_pp(*src, w, candidate, uniforms, medoids)
        elif isinstance(init, str):  # random
            medoids[:] = rng.choice(np.flatnonzero(candidate), k, replace=False)
        else:
            medoids[:] = self._init_array(X, src, candidate, k, kern)
        return medoids

    def _init_array(
        self, X: np.ndarray, src: tuple, candidate: np.ndarray, k: int, kern: Any
    ) -> np.ndarray:
        arr = np.asarray(self.init)
        n = candidate.shape[0]
        if arr.ndim == 1 and arr.dtype.kind in "iu":
            idx = arr.astype(np.int64)
            if idx.shape[0] != k:
                raise ValueError(f"init has {idx.shape[0]} medoid indices; n_clusters={k}.")
            if idx.min() < 0 or idx.max() >= n:
                raise ValueError(f"init indices must lie in [0, {n}); got {idx.tolist()}.")
            if np.unique(idx).shape[0] != k:
                raise ValueError(f"init indices must be distinct; got {idx.tolist()}.")
            if not candidate[idx].all():
                raise ValueError("init names a sample with zero sample_weight as a medoid.")
            return idx
        if self.metric == "precomputed":
            raise ValueError(
                "With metric='precomputed', init must be 'k-medoids++', 'build', 'random' or "
                "an int array of medoid indices."
            )
        rows = check_array(arr, name="init", dtype=X.dtype)
        if rows.shape != (k, X.shape[1]):
            raise ValueError(
                f"init has shape {rows.shape}; it should be (n_clusters, n_features) = "
                f"({k}, {X.shape[1]}) or an int array of {k} medoid indices."
            )
        if self.metric == "cosine":
            rows = _unit_rows(rows)
        # Each row becomes its nearest candidate sample not taken by an earlier row.
        dist = np.empty((n, k), dtype=np.float64)
        kern.medoid_distances(src[0], rows.astype(np.float64), src[3], dist)
        dist[~candidate] = np.inf
        idx = np.empty(k, dtype=np.int64)
        for l in range(k):
            j = int(np.argmin(dist[:, l]))
            idx[l] = j
            dist[j] = np.inf
        return idx

    def _improve(
        self,
        src: tuple,
        w: np.ndarray,
        candidate: np.ndarray,
        medoids: np.ndarray,
        kern: Any,
        method: str | None = None,
    ) -> tuple[int, int]:
        method = method or self.method
        k = medoids.shape[0]
        n = w.shape[0]
        if k == 1:
            return 0, 0
        if method == "fasterpam":
            return kern.kmedoids_fasterpam(*src, w, candidate, medoids, self.max_iter, REL_TOL)
        if method == "pam":
            return kern.kmedoids_pam(
                *src, w, candidate, medoids, self.max_iter, REL_TOL, _blocks(n)
            )
        return self._alternate(src, w, candidate, medoids, kern)

    def _alternate(
        self, src: tuple, w: np.ndarray, candidate: np.ndarray, medoids: np.ndarray, kern: Any
    ) -> tuple[int, int]:
        XT, D, use_matrix, code = src
        k = medoids.shape[0]
        cost = np.empty(w.shape[0])
        n_changes = 0
        n_iter = 0
        for n_iter in range(1, self.max_iter + 1):  # noqa: B007 - n_iter is reported
            near, _ = _nearest(src, medoids, kern)
            order = np.argsort(near, kind="stable")
            starts = np.zeros(k + 1, dtype=np.int64)
            np.cumsum(np.bincount(near, minlength=k), out=starts[1:])
            XT_sorted = XT if use_matrix else np.ascontiguousarray(XT[:, order])
            kern.alternate_update(
                XT_sorted, D, use_matrix, code, order, starts, w[order], candidate[order], cost
            )
            changed = 0
            for l in range(k):
                s0, s1 = starts[l], starts[l + 1]
                if s1 == s0:
                    continue
                p = s0 + int(np.argmin(cost[s0:s1]))
                here = np.flatnonzero(order[s0:s1] == medoids[l])
                current = cost[s0 + here[0]] if here.size else np.inf
                # Keep the current medoid unless another member is strictly more central.
                if cost[p] < current * (1.0 - REL_TOL):
                    medoids[l] = order[p]
                    changed += 1
            n_changes += changed
            if changed == 0:
                break
        return n_iter, n_changes

    def _clara(
        self,
        X: np.ndarray,
        src: tuple,
        w: np.ndarray,
        candidate: np.ndarray,
        k: int,
        rng: np.random.RandomState,
        kern: Any,
    ) -> tuple[np.ndarray, int, int]:
        XT, D, use_matrix, code = src
        pool = np.flatnonzero(candidate)
        size = self.sample_size if self.sample_size is not None else 40 + 2 * k
        size = min(max(int(size), k), pool.shape[0])
        rounds = 1 if size == pool.shape[0] else int(self.n_sampling_iter)
        best: np.ndarray | None = None
        best_loss = np.inf
        n_iter = n_swaps = 0
        for _ in range(rounds):
            if best is None:
                idx = rng.choice(pool, size, replace=False)
            else:  # Kaufman & Rousseeuw: the best medoids so far join every later sample
                rest = np.setdiff1d(pool, best, assume_unique=True)
                idx = np.concatenate([best, rng.choice(rest, size - k, replace=False)])
            idx = np.sort(idx)
            XT_s = np.ascontiguousarray(XT[:, idx])
            if use_matrix:
                D_s = np.ascontiguousarray(D[np.ix_(idx, idx)])
            else:
                D_s = np.empty((size, size), X.dtype)
                kern.distance_matrix(XT_s, code, D_s)
            sub = (XT_s, D_s, True, code)
            w_s = w[idx]
            cand_s = np.ones(size, dtype=bool)
            med_s = self._init(X[idx], sub, w_s, cand_s, k, rng, kern)
            it, sw = self._improve(sub, w_s, cand_s, med_s, kern, method="pam")
            n_iter += it
            n_swaps += sw
            medoids = idx[med_s]
            _, dnear = _nearest(src, medoids, kern)
            loss = float(np.dot(w, dnear))
            if loss < best_loss:
                best_loss, best = loss, medoids
        assert best is not None
        return best.astype(np.int64), n_iter, n_swaps

    # ------------------------------------------------------------------ fitted methods
    def _query_distances(self, X: np.ndarray, r0: int, r1: int) -> np.ndarray:
        if self.metric == "precomputed":
            return np.ascontiguousarray(X[r0:r1, self.medoid_indices_])
        M = self._medoid_rows()
        out = np.empty((r1 - r0, M.shape[0]), dtype=X.dtype)
        kern = select_backend(X).kernels
        kern.medoid_distances(np.ascontiguousarray(X[r0:r1].T), M, METRIC_CODES[self.metric], out)
        return out

    def _medoid_rows(self) -> np.ndarray:
        M = np.asarray(self.cluster_centers_, dtype=np.float64)
        return _unit_rows(M) if self.metric == "cosine" else M

    def predict(self, X: Any) -> np.ndarray:
        """Nearest medoid of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or (n_samples, n_train_samples) \
with metric='precomputed'
            New data (or its distances to the training samples).

        Returns
        -------
        labels : ndarray of shape (n_samples,), int64
        """
        check_fitted(self, "medoid_indices_")
        X = self._prepare(X, reset=False)[1]
        labels = np.empty(X.shape[0], dtype=np.int64)
        for r0 in range(0, X.shape[0], QUERY_CHUNK):
            r1 = min(X.shape[0], r0 + QUERY_CHUNK)
            labels[r0:r1] = np.argmin(self._query_distances(X, r0, r1), axis=1)
        return labels

    def transform(self, X: Any) -> np.ndarray:
        """Distance of each sample to every medoid (the n x k matrix the caller asked for).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or (n_samples, n_train_samples) \
with metric='precomputed'

        Returns
        -------
        distances : ndarray of shape (n_samples, n_clusters)
            In the dtype of ``X``.
        """
        check_fitted(self, "medoid_indices_")
        X = self._prepare(X, reset=False)[1]
        return self._query_distances(X, 0, X.shape[0])

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the transformed features: ``"kmedoids<i>"`` for each medoid."""
        check_fitted(self, "medoid_indices_")
        k = self.medoid_indices_.shape[0]
        return np.asarray([f"kmedoids{i}" for i in range(k)], dtype=object)


def _blocks(n: int) -> int:
    import numba

    return int(max(1, min(n, 8 * numba.get_num_threads())))


def _nearest(src: tuple, medoids: np.ndarray, kern: Any) -> tuple[np.ndarray, np.ndarray]:
    """Nearest medoid position and distance of every training sample."""
    n = src[0].shape[1]
    near = np.empty(n, dtype=np.int64)
    second = np.empty(n, dtype=np.int64)
    dnear = np.empty(n)
    dsecond = np.empty(n)
    kern.kmedoids_nearest_two(*src, medoids, near, dnear, second, dsecond)
    return near, dnear


def _check_precomputed(D: np.ndarray) -> None:
    """A precomputed dissimilarity matrix: square, non-negative, symmetric (one pass over D)."""
    n, m = D.shape
    if n != m:
        raise ValueError(
            f"metric='precomputed' needs a square distance matrix; X has shape {D.shape}."
        )
    stats = np.empty((_blocks(n), 6))
    select_backend(D).kernels.precomputed_check(D, stats)
    lo = stats[np.argmin(stats[:, 0])]
    if lo[0] < 0:
        raise ValueError(
            f"metric='precomputed': X has negative distances (X[{int(lo[1])}, {int(lo[2])}] = "
            f"{lo[0]:g})."
        )
    gap = stats[np.argmax(stats[:, 3])]
    scale = float(D.max())  # non-negative by now
    if gap[3] > 1e-6 * max(scale, 1e-300):
        i, j = int(gap[4]), int(gap[5])
        raise ValueError(
            f"metric='precomputed' needs a symmetric distance matrix; X[{i}, {j}] = "
            f"{D[i, j]:g} but X[{j}, {i}] = {D[j, i]:g}."
        )
