"""MiniBatchKMeans: k-means on random mini-batches (Sculley 2010), scikit-learn's conventions."""

from __future__ import annotations

import math
import warnings
from typing import Any, ClassVar

import numpy as np

from .._backend import Backend, is_torch_tensor, select_backend, wants_torch
from .._validation import (
    check_int,
    check_n_clusters,
    check_random_state,
    check_real,
    check_sample_weight,
    validate_X,
)
from ._kmeans_core import (
    _blas_one_thread,
    check_init_array,
    check_init_params,
    init_centroids,
    labels_inertia,
    tolerance,
)
from .kmeans import KMeans, _KMeansPredictor

__all__ = ["MiniBatchKMeans"]


class _EarlyStop:
    """scikit-learn's stopping rule: an exponentially weighted average (EWA) of the mean batch
    inertia that has not improved for ``max_no_improvement`` steps, or a centre shift within
    ``tol``."""

    def __init__(self, batch: int, n: int, tol: float, patience: int | None, verbose: int):
        self.alpha = min(batch * 2.0 / (n + 1), 1.0)
        self.batch = batch
        self.tol = tol
        self.patience = patience
        self.verbose = verbose
        self.ewa: float | None = None
        self.ewa_min: float | None = None
        self.stale = 0
        self.last = 0.0

    def __call__(self, step: int, n_steps: int, shift: float, batch_inertia: float) -> bool:
        mean = batch_inertia / self.batch
        self.last = mean
        step += 1
        if step == 1:
            if self.verbose:
                print(f"Minibatch step {step}/{n_steps}: mean batch inertia: {mean}")
            return False
        self.ewa = mean if self.ewa is None else self.ewa * (1 - self.alpha) + mean * self.alpha
        if self.verbose:
            print(
                f"Minibatch step {step}/{n_steps}: mean batch inertia: {mean}, "
                f"ewa inertia: {self.ewa}"
            )
        if self.tol > 0.0 and shift <= self.tol:
            if self.verbose:
                print(f"Converged (small centers change) at step {step}/{n_steps}")
            return True
        if self.ewa_min is None or self.ewa < self.ewa_min:
            self.stale = 0
            self.ewa_min = self.ewa
        else:
            self.stale += 1
        if self.patience is not None and self.stale >= self.patience:
            if self.verbose:
                print(f"Converged (lack of improvement in inertia) at step {step}/{n_steps}")
            return True
        return False


class MiniBatchKMeans(_KMeansPredictor):
    """Mini-batch k-means (drop-in for ``sklearn.cluster.MiniBatchKMeans``).

    Each step draws ``batch_size`` samples (with replacement, with probability proportional to
    ``sample_weight``), assigns them to the nearest centre and moves each centre towards the
    mean of its new samples with a learning rate of 1 / (weight the centre has absorbed so far).
    Rarely used centres are periodically moved onto random batch samples
    (``reassignment_ratio``). Stops after ``max_iter`` passes over the data, when the smoothed
    batch inertia has not improved for ``max_no_improvement`` steps, or when the centres move
    less than ``tol``. For the same ``random_state`` the batches, reassignments and stopping
    step are scikit-learn's (the same draws from the same generator).

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    init : {'k-means++', 'random'}, callable or array-like of shape (n_clusters, n_features), \
default='k-means++'
        As in ``KMeans``; computed on a random subsample of ``init_size`` rows.
    max_iter : int, default=100
        Most passes over the data (``max_iter * n_samples / batch_size`` steps).
    batch_size : int, default=1024
        Samples per mini-batch.
    verbose : int, default=0
        Print the batch inertia of every step.
    compute_labels : bool, default=True
        After the steps, assign every sample (sets ``labels_`` and the exact ``inertia_``);
        with False, ``inertia_`` is the smoothed batch estimate and ``labels_`` is not set.
    random_state : int, RandomState instance or None, default=None
        Seed of the initialisation, the batches and the reassignments.
    tol : float, default=0.0
        Stop when the summed squared centre shift of a step is at most ``tol`` times the mean
        per-feature variance of X (0 disables it).
    max_no_improvement : int or None, default=10
        Stop after this many steps without improvement of the smoothed batch inertia (None
        disables it).
    init_size : int or None, default=None
        Rows sampled for the initialisation and for comparing the ``n_init`` starts;
        ``3 * batch_size`` (at least ``3 * n_clusters``) when None.
    n_init : 'auto' or int, default='auto'
        Initialisations tried (the best initial inertia on a validation sample wins); 'auto' is
        3 for 'random' or a callable and 1 otherwise.
    reassignment_ratio : float, default=0.01
        A centre that absorbed less than this fraction of the largest centre's weight is moved
        to a random sample of the current batch (every ``10 * n_clusters`` samples seen, and
        whenever a centre is still empty).
    device : {None, 'auto', 'cpu', 'cuda', 'cuda:N'}, default=None
        Where the fit computes. None/'auto' follow the input (numpy: numba on the CPU; a torch
        tensor: torch on its device); 'cuda'/'cuda:N' compute on that GPU also for numpy X
        (the fitted attributes are then numpy arrays). See Notes.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Centres, X's dtype.
    labels_ : ndarray of shape (n_samples,), int64
        Label of each training sample (when ``compute_labels``).
    inertia_ : float
        Weighted sum of squared distances of the training samples to their closest centre.
    n_iter_ : int
        Passes over the data (a step counts ``batch_size / n_samples`` of a pass).
    n_steps_ : int
        Mini-batch steps done.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names when X had string column names.

    Notes
    -----
    Each step is one numba call that gathers the batch rows, finds their nearest centres with a
    BLAS tile per thread and updates the centres, so no batch copy of X and no ``(n, k)``
    matrix is made; memory O(n + batch_size · k). When ``n_samples <= batch_size`` every
    mini-batch would be the whole data set: shoal then runs full-batch k-means (``KMeans``
    with the same ``init``, ``n_init``, ``max_iter``, ``tol`` and ``random_state``), which is
    deterministic, reaches at least as low an inertia, and treats weights exactly like
    repeated samples. ``partial_fit`` always does one mini-batch step.

    **GPU (torch).** With a torch tensor (or ``device='cuda'``) ``fit`` and ``partial_fit`` run
    the same steps with the torch kernels: the batches, the initial subsample and the
    reassignments are drawn on the host from ``random_state`` exactly as in the numpy path (only
    the row indices travel to the device), so for the same seed and initial centres both paths
    take the same steps, up to rounding. Fitted ``cluster_centers_`` / ``labels_`` are tensors on
    the input's device; ``predict`` / ``transform`` on a tensor return tensors on its device. A
    model fitted on tensors cannot be saved by ``shoal.io.save``.

    Examples
    --------
    >>> import numpy as np
    >>> from shoal import MiniBatchKMeans
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(0, 0.5, (500, 2)), rng.normal(6, 0.5, (500, 2))])
    >>> mbk = MiniBatchKMeans(n_clusters=2, batch_size=128, random_state=0).fit(X)
    >>> sorted(np.abs(np.round(mbk.cluster_centers_[:, 0])).tolist())
    [0.0, 6.0]
    >>> bool(mbk.predict([[0.0, 0.0]])[0] != mbk.predict([[6.0, 6.0]])[0])
    True
    """

    # Small problems run as full-batch k-means (see Notes); enough restarts that they reach
    # their global optimum, so weights and repeated samples give the same partition.
    _test_params: ClassVar[dict[str, Any]] = {"n_clusters": 3, "n_init": 50, "max_iter": 100}
    _batch_size: int
    _n_since_last_reassign: int
    _counts: Any  # ndarray, or a tensor for a model fitted on tensors

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init: Any = "k-means++",
        max_iter: int = 100,
        batch_size: int = 1024,
        verbose: int = 0,
        compute_labels: bool = True,
        random_state: Any = None,
        tol: float = 0.0,
        max_no_improvement: int | None = 10,
        init_size: int | None = None,
        n_init: str | int = "auto",
        reassignment_ratio: float = 0.01,
        device: str | None = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.init = init
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.verbose = verbose
        self.compute_labels = compute_labels
        self.random_state = random_state
        self.tol = tol
        self.max_no_improvement = max_no_improvement
        self.init_size = init_size
        self.n_init = n_init
        self.reassignment_ratio = reassignment_ratio
        self.device = device

    _resolved_n_init = KMeans._resolved_n_init

    def _validate_params(self) -> None:
        check_int("n_clusters", self.n_clusters, low=1)
        check_init_params(self.init, self.n_init)
        check_int("max_iter", self.max_iter, low=1)
        check_int("batch_size", self.batch_size, low=1)
        check_int("verbose", self.verbose, low=0)
        if not isinstance(self.compute_labels, (bool, np.bool_)):
            raise TypeError(f"compute_labels={self.compute_labels!r} must be True or False.")
        check_real("tol", self.tol, low=0.0)
        check_int("max_no_improvement", self.max_no_improvement, low=0, allow_none=True)
        check_int("init_size", self.init_size, low=1, allow_none=True)
        check_real("reassignment_ratio", self.reassignment_ratio, low=0.0)

    def _resolved_init_size(self, n: int, k: int, batch: int) -> int:
        size = self.init_size
        if size is None:
            size = 3 * batch
            if size < k:
                size = 3 * k
        elif size < k:
            warnings.warn(
                f"init_size={size} should be larger than n_clusters={k}. Setting it to "
                "min(3*n_clusters, n_samples)",
                RuntimeWarning,
                stacklevel=3,
            )
            size = 3 * k
        return min(int(size), n)

    def _checked_init(self, k: int, d: int, dtype: Any) -> Any:
        init = self.init
        if not (isinstance(init, str) or callable(init)):
            init = check_init_array(init, k, d, dtype)
        return init

    def _should_reassign(self, counts: np.ndarray) -> bool:
        """Every ``10 * n_clusters`` samples seen, and whenever a centre is still empty."""
        self._n_since_last_reassign += self._batch_size
        if (counts == 0).any() or self._n_since_last_reassign >= 10 * self.n_clusters:
            self._n_since_last_reassign = 0
            return True
        return False

    def _reassign(
        self,
        X: np.ndarray,
        rows: np.ndarray,
        centers: np.ndarray,
        counts: np.ndarray,
        rng: np.random.RandomState,
    ) -> None:
        """Move centres with little weight onto random samples of the batch (in place)."""
        low, picked = self._reassignment(counts, rows.shape[0], rng)
        if picked is not None:
            centers[low] = X[rows[picked]]
        if (~low).any():
            # Not back to zero, or they would be moved again at once.
            counts[low] = counts[~low].min()

    def _reassignment(
        self, counts: np.ndarray, b: int, rng: np.random.RandomState
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Which centres move (those with little weight, at most half a batch of them) and the
        batch rows they move to (None when none moves); draws from ``rng``."""
        low = counts < self.reassignment_ratio * counts.max()
        if low.sum() > 0.5 * b:
            low[np.argsort(counts)[int(0.5 * b) :]] = False
        n_low = int(low.sum())
        if not n_low:
            return low, None
        if self.verbose:
            print(f"[MiniBatchKMeans] Reassigning {n_low} cluster centers.")
        return low, rng.choice(b, replace=False, size=n_low)

    def _step(
        self,
        X: np.ndarray,
        rows: np.ndarray,
        wb: np.ndarray,
        centers: np.ndarray,
        centers_new: np.ndarray,
        counts: np.ndarray,
        work: tuple[np.ndarray, ...],
        rng: np.random.RandomState,
        backend: Backend,
    ) -> tuple[float, float]:
        reassign = self._should_reassign(counts)
        labels, min_sq, sums, wsum = work
        chunk = int(max(16, min(256, 32768 // max(centers.shape[0], 1))))
        inertia, shift = backend.kernels.minibatch_step(
            X, rows, wb, centers, centers_new, counts, chunk, labels[: rows.shape[0]],
            min_sq[: rows.shape[0]], sums, wsum,
        )  # fmt: skip
        if reassign and self.reassignment_ratio > 0:
            self._reassign(X, rows, centers_new, counts, rng)
            shift = float(((centers_new.astype(np.float64) - centers) ** 2).sum())
        return float(inertia), float(shift)

    @staticmethod
    def _workspace(b: int, k: int, d: int) -> tuple[np.ndarray, ...]:
        return (
            np.empty(b, dtype=np.int64),
            np.empty(b, dtype=np.float64),
            np.empty((k, d), dtype=np.float64),
            np.empty(k, dtype=np.float64),
        )

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> MiniBatchKMeans:
        """Compute the centres from mini-batches of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (float32 stays float32).
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample: batches are drawn with probability proportional to it.

        Returns
        -------
        self : MiniBatchKMeans
            The fitted estimator.
        """
        self._validate_params()
        if wants_torch(X, self.device):
            return self._fit_torch(X, sample_weight)
        X = validate_X(self, X, reset=True, min_samples=2)
        n, d = X.shape
        k = check_n_clusters(self.n_clusters, n)
        w = check_sample_weight(sample_weight, n, X.dtype)
        rng = check_random_state(self.random_state)
        self._random_state = rng
        backend = select_backend(X)
        init = self._checked_init(k, d, X.dtype)
        n_init = self._resolved_n_init(default=3)
        self._batch_size = min(int(self.batch_size), n)
        self._n_since_last_reassign = 0
        if n <= self.batch_size:
            return self._fit_full_batch(X, w, k, init, n_init, rng)

        init_size = self._resolved_init_size(n, k, self._batch_size)
        valid = rng.randint(0, n, init_size)
        X_valid = X[valid]
        w_valid = w[valid]
        best = None
        best_inertia = np.inf
        for r in range(n_init):
            if self.verbose:
                print(f"Init {r + 1}/{n_init} with method {init}")
            centers = init_centroids(X, k, init, rng, w, backend, init_size=init_size)
            _, inertia = labels_inertia(X_valid, w_valid, centers, backend)
            if self.verbose:
                print(f"Inertia for init {r + 1}/{n_init}: {inertia}")
            if best is None or inertia < best_inertia:
                best, best_inertia = centers, inertia
        assert best is not None
        centers = np.ascontiguousarray(best, dtype=X.dtype)
        centers_new = np.empty_like(centers)
        counts = np.zeros(k, dtype=np.float64)

        b = self._batch_size
        # The draws of numpy's RandomState.choice(n, b, p=w / w.sum()): one uniform per row,
        # searched in the cumulative distribution (scikit-learn draws its batches this way).
        p = (w / np.sum(w)).astype(np.float64)
        cdf = p.cumsum()
        cdf /= cdf[-1]
        wb = np.ones(b, dtype=np.float64)
        work = self._workspace(b, k, d)
        n_steps = (self.max_iter * n) // b
        stop = _EarlyStop(b, n, tolerance(X, self.tol), self.max_no_improvement, self.verbose)
        i = 0
        with _blas_one_thread():
            for i in range(n_steps):
                rows = cdf.searchsorted(rng.random_sample(b), side="right")
                inertia, shift = self._step(
                    X, rows, wb, centers, centers_new, counts, work, rng, backend
                )
                centers, centers_new = centers_new, centers
                if stop(i, n_steps, shift, inertia):
                    break
        self.cluster_centers_ = centers
        self._counts = counts
        self.n_steps_ = i + 1
        self.n_iter_ = math.ceil((i + 1) * b / n)
        if self.compute_labels:
            self.labels_, self.inertia_ = labels_inertia(X, w, centers, backend)
        else:
            ewa = stop.ewa if stop.ewa is not None else stop.last
            self.inertia_ = float(ewa * np.sum(w, dtype=np.float64))
        return self

    def _fit_full_batch(
        self,
        X: np.ndarray,
        w: np.ndarray,
        k: int,
        init: Any,
        n_init: int,
        rng: np.random.RandomState,
    ) -> MiniBatchKMeans:
        """Every batch would be all of X: full-batch k-means (see the class Notes)."""
        km = KMeans(
            k,
            init=init,
            n_init=n_init,
            max_iter=self.max_iter,
            tol=self.tol,
            verbose=self.verbose,
            random_state=rng,
            algorithm="lloyd",
        ).fit(X, sample_weight=w)
        self.cluster_centers_ = km.cluster_centers_
        self._counts = np.bincount(km.labels_, weights=w, minlength=k).astype(np.float64)
        self.n_steps_ = km.n_iter_
        self.n_iter_ = km.n_iter_
        if self.compute_labels:
            self.labels_ = km.labels_
        self.inertia_ = km.inertia_
        return self

    def partial_fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> MiniBatchKMeans:
        """Update the centres with one mini-batch step on X.

        The first call initialises the centres from X (so it needs at least ``n_clusters``
        samples); later calls need X with the same number of features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The mini-batch.
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample of the batch.

        Returns
        -------
        self : MiniBatchKMeans
            The updated estimator.
        """
        fitted = hasattr(self, "cluster_centers_")
        if not fitted:
            self._validate_params()
        if wants_torch(X, self.device):
            return self._partial_fit_torch(X, sample_weight, fitted)
        if fitted and is_torch_tensor(self.cluster_centers_):
            self.cluster_centers_ = self._centers_np()
            self._counts = self._counts.detach().cpu().numpy()
        X = validate_X(self, X, reset=not fitted, min_samples=1)
        n, d = X.shape
        w = check_sample_weight(sample_weight, n, X.dtype)
        backend = select_backend(X)
        if not hasattr(self, "_random_state"):
            self._random_state = check_random_state(self.random_state)
        rng = self._random_state
        if not fitted:
            k = check_n_clusters(self.n_clusters, n)
            self._batch_size = min(int(self.batch_size), n)
            init = self._checked_init(k, d, X.dtype)
            init_size = self._resolved_init_size(n, k, self._batch_size)
            self.cluster_centers_ = init_centroids(X, k, init, rng, w, backend, init_size=init_size)
            self._counts = np.zeros(k, dtype=np.float64)
            self._n_since_last_reassign = 0
            self.n_steps_ = 0
        centers = self.cluster_centers_
        if centers.dtype != X.dtype:
            centers = centers.astype(X.dtype)
        centers = np.ascontiguousarray(centers)
        k = centers.shape[0]
        rows = np.arange(n, dtype=np.int64)
        work = self._workspace(n, k, d)
        with _blas_one_thread():
            self._step(
                X, rows, w.astype(np.float64), centers, centers, self._counts, work, rng, backend
            )
        self.cluster_centers_ = centers
        if self.compute_labels:
            self.labels_, self.inertia_ = labels_inertia(X, w, centers, backend)
        self.n_steps_ += 1
        return self

    def fit_transform(self, X: Any, y: Any = None, sample_weight: Any = None) -> np.ndarray:
        """Fit, then return the distances of X to the centres (see ``transform``)."""
        return self.fit(X, sample_weight=sample_weight).transform(X)

    # ----------------------------------------------------------------------- torch path

    def _reassign_torch(
        self, X: Any, rows: Any, centers: Any, counts: Any, rng: np.random.RandomState
    ) -> None:
        """``_reassign`` for tensors: the decision and the draws on the host (the numpy path's
        draws), the moves on the device."""
        import torch

        counts_np = counts.detach().cpu().numpy()
        low, picked = self._reassignment(counts_np, rows.shape[0], rng)
        if picked is not None:
            low_t = torch.as_tensor(low, device=centers.device)
            centers[low_t] = X[rows[torch.as_tensor(picked, device=rows.device)]]
        if (~low).any():
            counts_np[low] = counts_np[~low].min()
            counts.copy_(torch.as_tensor(counts_np, device=counts.device))

    def _step_torch(
        self, X: Any, rows: Any, wb: Any, centers: Any, centers_new: Any, counts: Any,
        work: tuple[Any, ...], rng: np.random.RandomState,
    ) -> tuple[float, float]:  # fmt: skip
        import torch

        import shoal._kernels.torch_ as kern

        reassign = self._should_reassign(counts)
        labels, min_sq, sums, wsum = work
        b = rows.shape[0]
        chunk = kern.chunk_rows(b, centers.shape[0], X)
        inertia, shift = kern.minibatch_step(
            X, rows, wb, centers, centers_new, counts, chunk, labels[:b], min_sq[:b], sums, wsum
        )
        if reassign and self.reassignment_ratio > 0:
            self._reassign_torch(X, rows, centers_new, counts, rng)
            shift = float(((centers_new.to(torch.float64) - centers.to(torch.float64)) ** 2).sum())
        return inertia, shift

    @staticmethod
    def _workspace_torch(b: int, k: int, d: int, device: Any) -> tuple[Any, ...]:
        import torch

        f64 = torch.float64
        return (
            torch.empty(b, dtype=torch.int64, device=device),
            torch.empty(b, dtype=f64, device=device),
            torch.empty((k, d), dtype=f64, device=device),
            torch.empty(k, dtype=f64, device=device),
        )

    def _fit_torch(self, X: Any, sample_weight: Any) -> MiniBatchKMeans:
        """``fit`` with the torch kernels; the same draws as the numpy path (class Notes)."""
        import torch

        from .._tensor_input import torch_weights, validate_tensor
        from ._kmeans_torch import (
            check_init_tensor,
            init_centroids_t,
            labels_inertia_t,
            tolerance_t,
        )

        Xt = validate_tensor(self, X, reset=True, device=self.device, min_samples=2)
        n, d = Xt.shape
        k = check_n_clusters(self.n_clusters, n)
        w = torch_weights(sample_weight, n, Xt)
        rng = check_random_state(self.random_state)
        self._random_state = rng
        init = self.init
        if not (isinstance(init, str) or callable(init)):
            init = check_init_tensor(init, k, d, Xt)
        n_init = self._resolved_n_init(default=3)
        self._batch_size = min(int(self.batch_size), n)
        self._n_since_last_reassign = 0
        if n <= self.batch_size:
            return self._fit_full_batch_torch(X, Xt, w, k, init, n_init, rng)

        init_size = self._resolved_init_size(n, k, self._batch_size)
        valid = torch.as_tensor(rng.randint(0, n, init_size), device=Xt.device)
        X_valid = Xt[valid]
        w_valid = w[valid]
        best = None
        best_inertia = np.inf
        for r in range(n_init):
            if self.verbose:
                print(f"Init {r + 1}/{n_init} with method {init}")
            centers = init_centroids_t(Xt, k, init, rng, w, init_size=init_size)
            _, inertia = labels_inertia_t(X_valid, w_valid, centers)
            if self.verbose:
                print(f"Inertia for init {r + 1}/{n_init}: {inertia}")
            if best is None or inertia < best_inertia:
                best, best_inertia = centers, inertia
        assert best is not None
        centers = best.contiguous()
        centers_new = torch.empty_like(centers)
        counts = torch.zeros(k, dtype=torch.float64, device=Xt.device)
        b = self._batch_size
        # The batch draws of the numpy path, on the host: one uniform per row searched in the
        # cumulative distribution of the weights; only the row indices go to the device.
        w_np = w.detach().cpu().numpy()
        p = (w_np / np.sum(w_np)).astype(np.float64)
        cdf = p.cumsum()
        cdf /= cdf[-1]
        wb = torch.ones(b, dtype=torch.float64, device=Xt.device)
        work = self._workspace_torch(b, k, d, Xt.device)
        n_steps = (self.max_iter * n) // b
        stop = _EarlyStop(b, n, tolerance_t(Xt, self.tol), self.max_no_improvement, self.verbose)
        i = 0
        for i in range(n_steps):
            rows_np = cdf.searchsorted(rng.random_sample(b), side="right")
            rows = torch.as_tensor(rows_np, device=Xt.device)
            inertia, shift = self._step_torch(Xt, rows, wb, centers, centers_new, counts, work, rng)
            centers, centers_new = centers_new, centers
            if stop(i, n_steps, shift, inertia):
                break
        self.cluster_centers_ = self._back(centers, X)
        self._counts = counts
        self.n_steps_ = i + 1
        self.n_iter_ = math.ceil((i + 1) * b / n)
        if self.compute_labels:
            labels, self.inertia_ = labels_inertia_t(Xt, w, centers)
            self.labels_ = self._back(labels, X)
        else:
            ewa = stop.ewa if stop.ewa is not None else stop.last
            self.inertia_ = float(ewa * float(w.to(torch.float64).sum()))
        return self

    def _fit_full_batch_torch(
        self, X: Any, Xt: Any, w: Any, k: int, init: Any, n_init: int, rng: np.random.RandomState
    ) -> MiniBatchKMeans:
        """``_fit_full_batch`` on tensors (torch ``KMeans`` on the same device)."""
        import torch

        km = KMeans(
            k, init=init, n_init=n_init, max_iter=self.max_iter, tol=self.tol,
            verbose=self.verbose, random_state=rng, algorithm="lloyd",
        ).fit(Xt, sample_weight=w)  # fmt: skip
        centers, labels = km.cluster_centers_, km.labels_
        self.cluster_centers_ = self._back(centers, X)
        self._counts = torch.bincount(labels, weights=w.to(torch.float64), minlength=k)
        self.n_steps_ = km.n_iter_
        self.n_iter_ = km.n_iter_
        if self.compute_labels:
            self.labels_ = self._back(labels, X)
        self.inertia_ = km.inertia_
        return self

    def _partial_fit_torch(self, X: Any, sample_weight: Any, fitted: bool) -> MiniBatchKMeans:
        """``partial_fit`` with the torch kernels (one mini-batch step on all of X)."""
        import torch

        from .._tensor_input import torch_weights, validate_tensor
        from ._kmeans_torch import (
            check_init_tensor,
            init_centroids_t,
            labels_inertia_t,
        )

        Xt = validate_tensor(self, X, reset=not fitted, device=self.device, min_samples=1)
        n, d = Xt.shape
        w = torch_weights(sample_weight, n, Xt)
        if not hasattr(self, "_random_state"):
            self._random_state = check_random_state(self.random_state)
        rng = self._random_state
        if not fitted:
            k = check_n_clusters(self.n_clusters, n)
            self._batch_size = min(int(self.batch_size), n)
            init = self.init
            if not (isinstance(init, str) or callable(init)):
                init = check_init_tensor(init, k, d, Xt)
            init_size = self._resolved_init_size(n, k, self._batch_size)
            centers = init_centroids_t(Xt, k, init, rng, w, init_size=init_size)
            counts = torch.zeros(k, dtype=torch.float64, device=Xt.device)
            self._n_since_last_reassign = 0
            self.n_steps_ = 0
        else:
            c = self.cluster_centers_
            centers = c if is_torch_tensor(c) else torch.as_tensor(np.asarray(c))
            counts = self._counts
            counts = counts if is_torch_tensor(counts) else torch.as_tensor(counts)
        centers = centers.to(device=Xt.device, dtype=Xt.dtype).contiguous()
        counts = counts.to(device=Xt.device, dtype=torch.float64).contiguous()
        k = centers.shape[0]
        rows = torch.arange(n, device=Xt.device)
        work = self._workspace_torch(n, k, d, Xt.device)
        self._step_torch(Xt, rows, w.to(torch.float64), centers, centers, counts, work, rng)
        self.cluster_centers_ = self._back(centers, X)
        self._counts = counts
        if self.compute_labels:
            labels, self.inertia_ = labels_inertia_t(Xt, w, centers)
            self.labels_ = self._back(labels, X)
        self.n_steps_ += 1
        return self
