"""FuzzyCMeans: fuzzy c-means (Bezdek 1981), soft memberships instead of hard labels."""

from __future__ import annotations

from typing import Any, ClassVar

import numba
import numpy as np

from .._backend import select_backend
from .._validation import (
    check_array,
    check_distinct_rows,
    check_int,
    check_n_clusters,
    check_option,
    check_random_state,
    check_real,
    check_sample_weight,
    validate_X,
)
from ._kmeans_core import _kmeans_plusplus, check_init_array
from .kmeans import _KMeansPredictor

__all__ = ["FuzzyCMeans"]

INITS = ("random", "k-means++")


class FuzzyCMeans(_KMeansPredictor):
    """Fuzzy c-means clustering.

    Every sample belongs to every cluster with a membership ``u_ij`` in [0, 1] (rows sum to
    1). The algorithm alternates the centres ``c_j = sum_i u_ij^m x_i / sum_i u_ij^m`` and the
    memberships ``u_ij = 1 / sum_l (d_ij / d_il)^(2 / (m - 1))``, minimising
    ``J = sum_i sum_j u_ij^m d_ij^2``; it stops when the Frobenius norm of the membership change
    falls below ``tol`` (scikit-fuzzy's ``cmeans`` rule, whose iterates shoal reproduces).

    Parameters
    ----------
    n_clusters : int, default=3
        Number of clusters.
    m : float > 1, default=2.0
        Fuzzifier: close to 1 gives nearly hard (k-means) memberships, larger values softer.
    max_iter : int, default=300
        Most iterations.
    tol : float, default=0.005
        Stop when ``||U_new - U_old||_F < tol`` (scikit-fuzzy's ``error``).
    init : {'random', 'k-means++'} or array-like of shape (n_clusters, n_features), \
default='random'
        'random': uniform random memberships, normalised (as scikit-fuzzy); 'k-means++': the
        memberships of k-means++ centres; an array gives the initial centres.
    n_init : int, default=1
        Runs from different random starts (with a string ``init``); the lowest final objective
        wins.
    random_state : int, RandomState instance or None, default=None
    u_init : array-like of shape (n_samples, n_clusters), default=None
        Initial memberships (rows are normalised); overrides ``init``. Equal to the transpose
        of scikit-fuzzy's ``init``.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
    membership_ : ndarray of shape (n_samples, n_clusters), float64
        Final memberships of the training samples (rows sum to 1).
    labels_ : ndarray of shape (n_samples,), int64
        Cluster of largest membership.
    objective_ : ndarray of shape (n_iter_,)
        ``J`` at every iteration.
    n_iter_ : int
    partition_coefficient_ : float
        Fuzzy partition coefficient of ``membership_`` (1 for a hard partition, 1/k for the
        fuzziest).
    n_features_in_ : int
    feature_names_in_ : ndarray

    Notes
    -----
    Memory: the (n, k) membership matrix (the model's output) and O(k d) per thread.
    ``sample_weight`` multiplies each sample's term in the objective (integer weights act as
    repeated rows).
    ``predict_proba`` gives memberships of new samples to the fitted centres; ``transform`` and
    ``predict`` work as in KMeans (distances, largest membership = nearest centre).

    Examples
    --------
    >>> import numpy as np
    >>> from shoal import FuzzyCMeans
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 0.0], [10.0, 1.0], [5.0, 0.5]])
    >>> fcm = FuzzyCMeans(n_clusters=2, tol=1e-8, random_state=0).fit(X)
    >>> np.round(fcm.membership_[-1], 3).tolist()  # the middle point belongs to both
    [0.5, 0.5]
    >>> sorted(np.round(fcm.cluster_centers_[:, 0], 2).tolist())
    [0.56, 9.44]
    """

    # Enough restarts for the common checks' tiny problems to reach their best partition, so
    # that weights and repeated samples agree (check_sample_weight_equivalence).
    _test_params: ClassVar[dict[str, Any]] = {
        "n_clusters": 3, "random_state": 0, "n_init": 20, "tol": 1e-10, "max_iter": 1000,
    }  # fmt: skip

    def __init__(
        self,
        n_clusters: int = 3,
        *,
        m: float = 2.0,
        max_iter: int = 300,
        tol: float = 0.005,
        init: Any = "random",
        n_init: int = 1,
        random_state: Any = None,
        u_init: Any = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.m = m
        self.max_iter = max_iter
        self.tol = tol
        self.init = init
        self.n_init = n_init
        self.random_state = random_state
        self.u_init = u_init

    def _validate_params(self) -> None:
        check_int("n_clusters", self.n_clusters, low=1)
        check_real("m", self.m, low=1.0, low_inclusive=False)
        check_int("max_iter", self.max_iter, low=1)
        check_int("n_init", self.n_init, low=1)
        check_real("tol", self.tol, low=0.0)
        if isinstance(self.init, str):
            check_option("init", self.init, INITS)
        elif not hasattr(self.init, "__len__"):
            raise ValueError(
                f"init={self.init!r} is not valid; use one of {list(INITS)} or an array of "
                "shape (n_clusters, n_features)."
            )

    def _memberships(
        self,
        X: np.ndarray,
        w: np.ndarray,
        centers: np.ndarray,
        u_old: np.ndarray,
        u_new: np.ndarray,
        bounds: np.ndarray,
    ) -> tuple[float, float]:
        nb = bounds.shape[0] - 1
        obj = np.empty(nb)
        change = np.empty(nb)
        select_backend(X).kernels.fcm_memberships(
            X, w, centers, u_old, float(self.m), bounds, u_new, obj, change
        )
        return float(obj.sum()), float(change.sum())

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> FuzzyCMeans:
        """Compute the fuzzy partition.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (float32 stays float32 for the centres).
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the objective.

        Returns
        -------
        self : FuzzyCMeans
            The fitted estimator.
        """
        self._validate_params()
        X = validate_X(self, X, reset=True, min_samples=2)
        n = X.shape[0]
        k = check_n_clusters(self.n_clusters, n)
        check_distinct_rows(X, k)
        w = check_sample_weight(sample_weight, n, np.float64)
        rng = check_random_state(self.random_state)
        backend = select_backend(X)
        m = float(self.m)
        n_blocks = int(max(1, min(n, 4 * numba.get_num_threads())))
        bounds = np.linspace(0, n, n_blocks + 1).astype(np.int64)
        string_init = self.u_init is None and isinstance(self.init, str)
        runs = int(self.n_init) if string_init else 1
        best = None
        for _ in range(runs):
            res = self._run(X, w, k, m, rng, backend, bounds)
            if best is None or res[2][-1] < best[2][-1]:
                best = res
        assert best is not None
        centers, u, objective = best
        if string_init:
            # Clusters numbered by their centres (first feature first): labels do not depend on
            # the order of the samples or on which random start won.
            order = np.lexsort(centers.T[::-1])
            centers, u = centers[order], np.ascontiguousarray(u[:, order])
        self.cluster_centers_ = centers.astype(X.dtype)
        self.membership_ = u
        self.labels_ = np.asarray(u.argmax(axis=1), dtype=np.int64)
        self.objective_ = np.asarray(objective)
        self.n_iter_ = len(objective)
        self.partition_coefficient_ = float((u**2).sum() / n)
        return self

    def _run(
        self,
        X: np.ndarray,
        w: np.ndarray,
        k: int,
        m: float,
        rng: np.random.RandomState,
        backend: Any,
        bounds: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, list[float]]:
        """One run from the configured start: ``(centres, memberships, objective history)``."""
        kern = backend.kernels
        n, d = X.shape
        n_blocks = bounds.shape[0] - 1
        u = np.empty((n, k))
        if self.u_init is not None:
            u0 = check_array(self.u_init, name="u_init", dtype=np.float64)
            if u0.shape != (n, k):
                raise ValueError(
                    f"u_init has shape {u0.shape}; it should be (n_samples, n_clusters) = "
                    f"({n}, {k})."
                )
            if (u0 < 0).any():
                raise ValueError("u_init has negative memberships.")
            u[:] = u0 / np.where(u0.sum(1, keepdims=True) > 0, u0.sum(1, keepdims=True), 1.0)
        elif isinstance(self.init, str) and self.init == "random":
            u0 = rng.random_sample((n, k))
            u[:] = u0 / u0.sum(axis=1, keepdims=True)
        else:
            if isinstance(self.init, str):
                centers0, _ = _kmeans_plusplus(X, k, w.astype(X.dtype), rng, None, backend)
            else:
                centers0 = check_init_array(self.init, k, d, X.dtype)
            self._memberships(X, w, centers0, np.empty((0, k)), u, bounds)
        sums = np.empty((n_blocks, k, d))
        wsums = np.empty((n_blocks, k))
        u_new = np.empty_like(u)
        objective = []
        centers = np.empty((k, d))
        for _ in range(self.max_iter):
            kern.fcm_centers(X, w, u, m, bounds, sums, wsums)
            wt = wsums.sum(axis=0)
            centers = sums.sum(axis=0) / np.where(wt > 0, wt, 1.0)[:, None]
            obj, change = self._memberships(X, w, centers, u, u_new, bounds)
            objective.append(obj)
            u, u_new = u_new, u
            if np.sqrt(change) < self.tol:
                break
        return centers, u, objective

    def predict_proba(self, X: Any) -> np.ndarray:
        """Memberships of new samples to the fitted centres.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        u : ndarray of shape (n_samples, n_clusters)
            Rows sum to 1.
        """
        from .._base import check_fitted

        check_fitted(self, "cluster_centers_")
        X = self._prepare(X, reset=False)
        n = X.shape[0]
        k = self.cluster_centers_.shape[0]
        u = np.empty((n, k))
        n_blocks = int(max(1, min(n, 4 * numba.get_num_threads())))
        bounds = np.linspace(0, n, n_blocks + 1).astype(np.int64)
        centers = self.cluster_centers_.astype(np.float64)
        self._memberships(X, np.ones(n), centers, np.empty((0, k)), u, bounds)
        return u
