"""FuzzyCMeans: fuzzy c-means (Bezdek 1981), soft memberships instead of hard labels."""

from __future__ import annotations

from typing import Any, ClassVar

import numba
import numpy as np

from .._backend import from_tensor, is_torch_tensor, select_backend, wants_torch
from .._tensor_input import (
    as_param,
    inference_device,
    to_host,
    torch_weights,
    validate_tensor,
)
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


def _f64(X: Any) -> Any:
    import torch

    return torch.float64


def _int64() -> Any:
    import torch

    return torch.int64


def torch_unique_rows(X: Any) -> int:
    """Number of distinct rows of a tensor."""
    import torch

    return int(torch.unique(X, dim=0).shape[0])


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
    device : {None, "auto", "cpu", "cuda", "cuda:N"}, default=None
        Where the iterations run. None/"auto" follow the input (numpy: numba kernels; a torch
        tensor: torch kernels on its device); "cuda" runs numpy input on the GPU and returns
        numpy. See Notes.

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

    The torch path (a tensor in, or ``device="cuda"``) runs the same iteration with torch
    kernels: memberships in X's dtype (float32 stays float32), the random start drawn on the
    host from ``random_state`` (the same start as the numba path). ``cluster_centers_``,
    ``membership_`` and ``labels_`` are then tensors on X's device, and ``predict``,
    ``predict_proba``, ``transform`` and ``fit_predict`` on a tensor return tensors there.
    A model fitted on tensors cannot be saved with ``shoal.io.save`` (``TypeError``).

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
        device: str | None = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.m = m
        self.max_iter = max_iter
        self.tol = tol
        self.init = init
        self.n_init = n_init
        self.random_state = random_state
        self.u_init = u_init
        self.device = device

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
        X_in = X
        if wants_torch(X, self.device):
            X = validate_tensor(self, X, reset=True, device=self.device, min_samples=2)
            n = X.shape[0]
            k = check_n_clusters(self.n_clusters, n)
            if k > 1 and torch_unique_rows(X) < k:
                check_distinct_rows(to_host(X), k)  # raises its message
            w = torch_weights(sample_weight, n, X.new_empty(0, dtype=_f64(X)))
            bounds = np.array([0, n], dtype=np.int64)
        else:
            X = validate_X(self, X, reset=True, min_samples=2)
            n = X.shape[0]
            k = check_n_clusters(self.n_clusters, n)
            check_distinct_rows(X, k)
            w = check_sample_weight(sample_weight, n, np.float64)
            n_blocks = int(max(1, min(n, 4 * numba.get_num_threads())))
            bounds = np.linspace(0, n, n_blocks + 1).astype(np.int64)
        rng = check_random_state(self.random_state)
        backend = select_backend(X)
        m = float(self.m)
        string_init = self.u_init is None and isinstance(self.init, str)
        runs = int(self.n_init) if string_init else 1
        best: Any = None
        for _ in range(runs):
            res = self._run(X, w, k, m, rng, backend, bounds)
            if best is None or res[2][-1] < best[2][-1]:
                best = res
        assert best is not None
        centers: Any
        u: Any
        centers, u, objective = best
        if string_init:
            # Clusters numbered by their centres (first feature first): labels do not depend on
            # the order of the samples or on which random start won.
            order = np.lexsort(to_host(centers).T[::-1])
            if is_torch_tensor(u):
                order_t = as_param(order, u, _int64())
                centers, u = centers[order_t], u[:, order_t].contiguous()
            else:
                centers, u = centers[order], np.ascontiguousarray(u[:, order])
        self.objective_ = np.asarray(objective)
        self.n_iter_ = len(objective)
        self.partition_coefficient_ = float((u**2).sum() / n)
        if is_torch_tensor(u):
            self.cluster_centers_ = from_tensor(centers.to(X.dtype), X_in)
            self.membership_ = from_tensor(u, X_in)
            self.labels_ = from_tensor(u.argmax(dim=1), X_in)
            return self
        self.cluster_centers_ = centers.astype(X.dtype)
        self.membership_ = u
        self.labels_ = np.asarray(u.argmax(axis=1), dtype=np.int64)
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
        on_torch = is_torch_tensor(X)
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
            host_dt = np.float32 if on_torch and _f64(X) != X.dtype else np.float64
            if isinstance(self.init, str):
                Xh, wh = (to_host(X), to_host(w)) if on_torch else (X, w)
                host = select_backend(Xh)
                centers0, _ = _kmeans_plusplus(Xh, k, wh.astype(Xh.dtype), rng, None, host)
            else:
                centers0 = check_init_array(self.init, k, d, host_dt if on_torch else X.dtype)
            if on_torch:
                return self._run_torch(X, w, k, m, as_param(centers0, X), None, bounds)
            self._memberships(X, w, centers0, np.empty((0, k)), u, bounds)
        if on_torch:
            return self._run_torch(X, w, k, m, None, as_param(u, X), bounds)
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

    def _run_torch(
        self, X: Any, w: Any, k: int, m: float, centers0: Any, u0: Any, bounds: np.ndarray
    ) -> tuple[Any, Any, list[float]]:
        """``_run``'s iteration on the torch kernels, from initial centres or memberships.
        Memberships are in X's dtype; one block (the reductions are whole-tensor products);
        one host synchronisation per iteration (the stopping test)."""
        import torch

        kern = select_backend(X).kernels
        n, d = X.shape
        dt = X.dtype
        wx = w.to(dt)
        obj = torch.empty(1, dtype=dt, device=X.device)
        change = torch.empty(1, dtype=dt, device=X.device)
        if u0 is None:
            u0 = torch.empty((n, k), dtype=dt, device=X.device)
            kern.fcm_memberships(X, wx, centers0, u0[:0], m, bounds, u0, obj, change)
        u = u0
        u_new = torch.empty_like(u)
        sums = torch.empty((1, k, d), dtype=dt, device=X.device)
        wsums = torch.empty((1, k), dtype=dt, device=X.device)
        objective: list[float] = []
        centers = torch.empty((k, d), dtype=dt, device=X.device)
        for _ in range(self.max_iter):
            kern.fcm_centers(X, wx, u, m, bounds, sums, wsums)
            wt = wsums.sum(dim=0)
            centers = sums.sum(dim=0) / torch.where(wt > 0, wt, torch.ones_like(wt))[:, None]
            kern.fcm_memberships(X, wx, centers, u, m, bounds, u_new, obj, change)
            stats = torch.stack([obj[0], change[0]]).double().cpu().tolist()
            objective.append(stats[0])
            u, u_new = u_new, u
            if np.sqrt(stats[1]) < self.tol:
                break
        return centers, u, objective

    def _torch_memberships(self, X: Any) -> Any:
        """Memberships of tensor X to the fitted centres (torch kernels, X's dtype)."""
        import torch

        k = self.cluster_centers_.shape[0]
        u = torch.empty((X.shape[0], k), dtype=X.dtype, device=X.device)
        scratch = torch.empty(1, dtype=X.dtype, device=X.device)
        select_backend(X).kernels.fcm_memberships(
            X, torch.ones(X.shape[0], dtype=X.dtype, device=X.device),
            as_param(self.cluster_centers_, X), u[:0], float(self.m),
            np.array([0, X.shape[0]]), u, scratch, scratch,
        )  # fmt: skip
        return u

    def _torch_input(self, X: Any) -> Any:
        """Validated tensor X when this call runs on the torch path, else None."""
        from .._base import check_fitted

        check_fitted(self, "cluster_centers_")
        dev = inference_device(X, self.device, self.cluster_centers_)
        return None if dev is None else validate_tensor(self, X, reset=False, device=dev)

    def predict(self, X: Any) -> Any:
        """Index of the closest centre (the largest membership) for each sample.

        Parameters
        ----------
        X : array-like or tensor of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,), int64 (a tensor for tensor input)
        """
        T = self._torch_input(X)
        if T is None:
            return super().predict(X)
        return from_tensor(self._torch_sq_dist(T).argmin(dim=1), X)

    def transform(self, X: Any) -> Any:
        """Distance of each sample to every centre.

        Parameters
        ----------
        X : array-like or tensor of shape (n_samples, n_features)

        Returns
        -------
        distances : ndarray of shape (n_samples, n_clusters), X's dtype (a tensor for tensor
            input)
        """
        T = self._torch_input(X)
        if T is None:
            return super().transform(X)
        return from_tensor(self._torch_sq_dist(T).sqrt(), X)

    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> float:
        """Opposite of the inertia of X against the fitted centres (as KMeans).

        Parameters
        ----------
        X : array-like or tensor of shape (n_samples, n_features)
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        T = self._torch_input(X)
        if T is None:
            return super().score(X, y, sample_weight)
        w = torch_weights(sample_weight, T.shape[0], T)
        return -float((w * self._torch_sq_dist(T).min(dim=1).values).sum())

    def _torch_sq_dist(self, T: Any) -> Any:
        from .._kernels.torch_.fuzzy import fcm_sq_distances

        return fcm_sq_distances(T, as_param(self.cluster_centers_, T))

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
        T = self._torch_input(X)
        if T is not None:
            return from_tensor(self._torch_memberships(T), X)
        X = self._prepare(X, reset=False)
        n = X.shape[0]
        k = self.cluster_centers_.shape[0]
        u = np.empty((n, k))
        n_blocks = int(max(1, min(n, 4 * numba.get_num_threads())))
        bounds = np.linspace(0, n, n_blocks + 1).astype(np.int64)
        centers = self.cluster_centers_.astype(np.float64)
        self._memberships(X, np.ones(n), centers, np.empty((0, k)), u, bounds)
        return u
