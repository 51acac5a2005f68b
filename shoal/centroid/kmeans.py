"""KMeans: Lloyd, Elkan and Hamerly k-means, k-means++ seeding, spherical k-means."""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp

from .._backend import from_tensor, is_torch_tensor, select_backend, wants_torch
from .._base import BaseClusterer, CentroidMixin, check_fitted
from .._validation import (
    check_int,
    check_n_clusters,
    check_option,
    check_random_state,
    check_real,
    check_sample_weight,
    validate_X,
)
from ._kmeans_core import (
    ALGORITHMS,
    check_init_array,
    check_init_params,
    init_centroids,
    kmeans_single,
    tolerance,
    warn_if_fewer_clusters,
)
from ._kmeans_sparse import (
    csr_labels_inertia,
    csr_tolerance,
    csr_transform,
    csr_unit_rows,
    init_centroids_csr,
    kmeans_single_csr,
    row_sq_norms,
)

__all__ = ["KMeans"]

METRICS = ("euclidean", "cosine")
# Distance arithmetic of the torch path (shoal._kernels.torch_.kmeans.PRECISIONS; kept here so
# that validating it never imports torch).
PRECISIONS = ("fp32", "tf32", "bf16")


class _KMeansPredictor(CentroidMixin, BaseClusterer):
    """predict / transform / score against ``cluster_centers_``, shared by the k-means family."""

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    # Whether fit / predict / transform / score take scipy.sparse input (CSR kernels).
    _accepts_sparse: ClassVar[bool] = False

    def _prepare(self, X: Any, reset: bool) -> Any:
        """Validate X; for cosine, return unit-norm rows (a copy)."""
        X = validate_X(
            self, X, reset=reset, min_samples=1 if not reset else 2,
            accept_sparse=self._accepts_sparse,
        )  # fmt: skip
        if getattr(self, "metric", "euclidean") == "cosine":
            X = csr_unit_rows(X) if sp.issparse(X) else _unit_rows(X)
        return X

    def _centers_np(self) -> np.ndarray:
        """``cluster_centers_`` as a numpy array (a model fitted on tensors keeps tensors)."""
        centers = self.cluster_centers_
        return centers.detach().cpu().numpy() if is_torch_tensor(centers) else centers

    def _uses_torch(self, X: Any) -> bool:
        return wants_torch(X, getattr(self, "device", None))

    def _prepare_torch(self, X: Any) -> tuple[Any, Any]:
        """Validated tensor X (unit rows for cosine) and the centres as a tensor beside it."""
        from .._tensor_input import validate_tensor
        from ._kmeans_torch import unit_rows_t

        Xt = validate_tensor(self, X, reset=False, device=getattr(self, "device", None))
        if getattr(self, "metric", "euclidean") == "cosine":
            Xt = unit_rows_t(Xt)
        centers = self.cluster_centers_
        if is_torch_tensor(centers):
            C = centers.detach().to(device=Xt.device, dtype=Xt.dtype).contiguous()
        else:
            import torch

            C = torch.as_tensor(np.asarray(centers), device=Xt.device).to(Xt.dtype).contiguous()
        return Xt, C

    def _assign_torch(self, X: Any) -> tuple[Any, Any]:
        """Labels (int64) and exact squared distances (float64) of X as tensors, on the
        device the fit computes on."""
        import torch

        import shoal._kernels.torch_ as kern

        Xt, C = self._prepare_torch(X)
        labels = torch.empty(Xt.shape[0], dtype=torch.int64, device=Xt.device)
        min_sq = torch.empty(Xt.shape[0], dtype=torch.float64, device=Xt.device)
        C64 = C.to(torch.float64)
        kern.assign_labels(Xt, C, (C64 * C64).sum(dim=1), labels, min_sq)
        return labels, min_sq

    @staticmethod
    def _back(value: Any, X: Any) -> Any:
        """A result tensor where the input lived: a tensor on X's device, numpy for numpy X."""
        if is_torch_tensor(X):
            return value.to(X.device)
        return from_tensor(value, X)

    def _assign(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        backend = select_backend(X)
        if sp.issparse(X):
            return csr_labels_inertia(X, self._centers_np(), backend)
        centers = self._centers_np().astype(X.dtype, copy=False)
        labels = np.empty(X.shape[0], dtype=np.int64)
        min_sq = np.empty(X.shape[0], dtype=np.float64)
        c_sq = (centers.astype(np.float64) ** 2).sum(axis=1)
        backend.kernels.assign_labels(X, centers, c_sq, labels, min_sq)
        return labels, min_sq

    def predict(self, X: Any) -> np.ndarray:
        """Index of the closest centre for each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data.

        Returns
        -------
        labels : ndarray of shape (n_samples,), int64
            A tensor on X's device when X is a torch tensor.
        """
        check_fitted(self, "cluster_centers_")
        if self._uses_torch(X):
            return self._back(self._assign_torch(X)[0], X)
        X = self._prepare(X, reset=False)
        return self._assign(X)[0]

    def transform(self, X: Any) -> np.ndarray:
        """Distance of each sample to every centre (the n x k matrix the caller asked for).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            New data (KMeans also takes scipy.sparse X).

        Returns
        -------
        distances : ndarray of shape (n_samples, n_clusters), X's dtype
            Euclidean distances (between unit-norm rows and centres for ``metric='cosine'``);
            a tensor on X's device when X is a torch tensor.
        """
        check_fitted(self, "cluster_centers_")
        if self._uses_torch(X):
            import shoal._kernels.torch_ as kern

            Xt, C = self._prepare_torch(X)
            dist = Xt.new_empty((Xt.shape[0], C.shape[0]))
            kern.transform_dense(Xt, C, dist)
            return self._back(dist, X)
        X = self._prepare(X, reset=False)
        backend = select_backend(X)
        if sp.issparse(X):
            return csr_transform(X, self._centers_np(), backend)
        centers_np = self._centers_np()
        out = np.empty((X.shape[0], centers_np.shape[0]), dtype=X.dtype)
        centers = centers_np.astype(X.dtype, copy=False)
        backend.kernels.transform_dense(X, centers, out)
        return out

    def fit_transform(self, X: Any, y: Any = None, sample_weight: Any = None) -> np.ndarray:
        """Fit, then return the distances of X to the centres (see ``transform``)."""
        return self.fit(X, sample_weight=sample_weight).transform(X)

    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> float:
        """Opposite of the inertia of X against the fitted centres (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data.
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample.

        Returns
        -------
        score : float
        """
        check_fitted(self, "cluster_centers_")
        if self._uses_torch(X):
            import torch

            from .._tensor_input import torch_weights

            _, min_sq = self._assign_torch(X)
            w_t = torch_weights(sample_weight, min_sq.shape[0], min_sq)
            total_t = float(torch.dot(w_t, min_sq))
            return -(total_t / 2.0 if getattr(self, "metric", "euclidean") == "cosine" else total_t)
        X = self._prepare(X, reset=False)
        w = check_sample_weight(sample_weight, X.shape[0], np.float64)
        _, min_sq = self._assign(X)
        total = float(np.dot(w, min_sq))
        return -(total / 2.0 if getattr(self, "metric", "euclidean") == "cosine" else total)


class KMeans(_KMeansPredictor):
    """K-means clustering (drop-in for ``sklearn.cluster.KMeans``).

    Minimises the within-cluster sum of squared distances. Every algorithm runs the same
    iterations (assign each sample to its nearest centre, move each centre to its samples'
    weighted mean) and gives the same result up to ties; they differ in how many distances
    they compute.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    init : {'k-means++', 'random'}, callable or array-like of shape (n_clusters, n_features), \
default='k-means++'
        'k-means++': greedy k-means++ with ``2 + log(k)`` local trials per centre, with
        triangle-inequality pruning (same centres as unpruned, far fewer distances).
        'random': ``n_clusters`` distinct rows drawn at random. A callable is called as
        ``init(X, n_clusters, random_state=rng)`` and returns the centres.
    n_init : 'auto' or int, default='auto'
        Number of runs from different seeds; the lowest inertia wins. 'auto' is 1 for
        'k-means++' or an array, and 10 for 'random' or a callable (scikit-learn's rule).
    max_iter : int, default=300
        Most iterations of one run.
    tol : float, default=1e-4
        Convergence when the summed squared centre shift is at most ``tol`` times the mean
        per-feature variance of X.
    verbose : int, default=0
        Print the inertia of every iteration.
    random_state : int, RandomState instance or None, default=None
        Seed of the initialisation.
    copy_x : bool, default=True
        X is centred before fitting (for accurate distances). With False, X is centred in
        place and restored afterwards (tiny rounding differences may remain).
    algorithm : {'lloyd', 'elkan', 'hamerly', 'auto'}, default='auto'
        'lloyd': one fused, chunked, parallel pass per iteration (BLAS tile distances, argmin
        and cluster sums together, never an n x k matrix). 'elkan': Elkan's bounds, k lower
        bounds per sample (allocates n x k floats). 'hamerly': one upper and one lower bound per
        sample (Hamerly 2010), O(n) extra memory; after the first iterations most samples need
        no distance at all. 'auto' picks 'hamerly', which the benchmarks show to be the fastest
        of the three on dense data. On sparse X every choice runs Lloyd's iterations (a CSR
        kernel; the bounds of Elkan and Hamerly save little when a distance costs
        O(nnz of the row), so they are dense-only), with the same results.
    metric : {'euclidean', 'cosine'}, default='euclidean'
        'cosine' gives spherical k-means (Dhillon & Modha 2001): rows of X are scaled to unit
        norm, centres are kept at unit norm, and ``inertia_`` is the summed cosine distance
        ``sum w (1 - cos(x, c))``. Zero rows are an error.
    device : {None, 'auto', 'cpu', 'cuda', 'cuda:N'}, default=None
        Where the fit computes. None/'auto' follow the input: numpy-like X runs the numba
        kernels on the CPU, a torch tensor runs the torch kernels on the tensor's device.
        'cuda'/'cuda:N' compute on that GPU also for numpy X (the fitted attributes are then
        numpy arrays); 'cpu' with a tensor computes on the CPU with torch. See Notes.
    precision : {'fp32', 'tf32', 'bf16'}, default='fp32'
        Distance arithmetic of the torch path for float32 data: 'tf32' / 'bf16' round the
        operands of the ``x.c`` products to that precision (tensor cores on a GPU) and then
        recompute in fp32 every row whose two nearest centres lie within the rounding's error
        bound, so the labels are fp32's. Ignored by the numba path and for float64 data.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Centres, X's dtype. With 'k-means++' or 'random' init they are numbered in
        lexicographic order of their coordinates, so labels do not depend on the order of the
        samples; with an array or callable init, centre j grew from initial centre j.
    labels_ : ndarray of shape (n_samples,), int64
        Label of each training sample.
    inertia_ : float
        Weighted sum of squared distances to the closest centre (cosine distances with
        ``metric='cosine'``).
    n_iter_ : int
        Iterations of the best run.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names when X had string column names.

    Notes
    -----
    Time per Lloyd iteration O(n k d); memory O(n + k d · threads), plus O(n k) for 'elkan'.
    float32 input stays float32 (cluster sums are accumulated in float64).

    scipy.sparse input (any format; converted to CSR) is clustered without densifying: an
    iteration costs O(nnz · k), centres are dense ``(k, d)`` arrays, and distances use the norm
    expansion ``||x||^2 - 2 x.c + ||c||^2`` in float64 (sparse X is not centred). For the same
    initial centres, sparse and dense X give the same labels and inertia (up to rounding ties).
    ``predict``, ``transform`` and ``score`` take sparse X as well.

    **GPU (torch).** With a torch tensor (or ``device='cuda'``) every iteration is Lloyd's,
    whatever ``algorithm`` says: 'elkan' and 'hamerly' give Lloyd's iterates anyway (they only
    skip distances), and their per-sample bounds do not pay on a GPU, where one fused pass
    over X is a GEMM-shaped kernel (Triton for float32 on CUDA: distances and an online argmin
    in one pass, never an n x k matrix). k-means++ runs on the device; its random draws come
    from ``random_state`` on the host, the numba path's draws, so the same seed gives the same
    centres as the numpy path except where rounding separates near-tied samples. Then
    ``cluster_centers_`` and ``labels_`` are tensors on the input's device (``inertia_`` a
    float), and ``predict`` / ``transform`` / ``fit_predict`` on a tensor return tensors on its
    device (the result lives where the input lived, whatever ``device`` computed it).
    float32 stays float32 (cluster sums in float64). ``copy_x`` is ignored: the torch path
    always centres a copy. A callable ``init`` receives the tensor. A model fitted on tensors
    cannot be saved by ``shoal.io.save`` (fit on numpy with ``device='cuda'`` to get numpy
    attributes); sparse tensors are refused.

    Examples
    --------
    >>> import numpy as np
    >>> from shoal import KMeans
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]], dtype=float)
    >>> km = KMeans(n_clusters=2, random_state=0).fit(X)
    >>> sorted(np.bincount(km.labels_).tolist())
    [3, 3]
    >>> a, b = km.predict([[0, 0], [12, 3]])
    >>> bool(a != b)
    True
    """

    # Enough restarts that the common checks' tiny problems reach their global optimum, so that
    # weighted and repeated samples (check_sample_weight_equivalence) give the same partition.
    _test_params: ClassVar[dict[str, Any]] = {"n_clusters": 3, "n_init": 50, "max_iter": 100}
    _accepts_sparse: ClassVar[bool] = True

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init: Any = "k-means++",
        n_init: str | int = "auto",
        max_iter: int = 300,
        tol: float = 1e-4,
        verbose: int = 0,
        random_state: Any = None,
        copy_x: bool = True,
        algorithm: str = "auto",
        metric: str = "euclidean",
        device: str | None = None,
        precision: str = "fp32",
    ) -> None:
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.verbose = verbose
        self.random_state = random_state
        self.copy_x = copy_x
        self.algorithm = algorithm
        self.metric = metric
        self.device = device
        self.precision = precision

    def _validate_params(self) -> None:
        check_int("n_clusters", self.n_clusters, low=1)
        check_init_params(self.init, self.n_init)
        check_int("max_iter", self.max_iter, low=1)
        check_real("tol", self.tol, low=0.0)
        check_int("verbose", self.verbose, low=0)
        check_option("algorithm", self.algorithm, ALGORITHMS)
        check_option("metric", self.metric, METRICS)
        check_option("precision", self.precision, PRECISIONS)

    def _resolved_n_init(self, default: int = 10) -> int:
        """scikit-learn's rule: 'auto' is ``default`` for 'random' and a callable, else 1; an
        array init runs once."""
        init = self.init
        is_array = not (isinstance(init, str) or callable(init))
        if isinstance(self.n_init, str):
            return default if (isinstance(init, str) and init == "random") or callable(init) else 1
        if is_array and self.n_init != 1:
            warnings.warn(
                f"Explicit initial center position passed: performing only one init in "
                f"{type(self).__name__} instead of n_init={self.n_init}.",
                RuntimeWarning,
                stacklevel=3,
            )
            return 1
        return int(self.n_init)

    def _resolved_algorithm(self) -> str:
        if self.algorithm == "auto":
            return "hamerly" if self.n_clusters > 1 else "lloyd"
        if self.algorithm in ("elkan", "hamerly") and self.n_clusters == 1:
            return "lloyd"
        return str(self.algorithm)

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> KMeans:
        """Compute k-means clustering.

        Parameters
        ----------
        X : {array-like, sparse matrix, torch.Tensor} of shape (n_samples, n_features)
            Training data (float32 stays float32); scipy.sparse input runs the CSR kernels, a
            torch tensor the torch kernels on its device.
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample; None gives every sample weight 1.

        Returns
        -------
        self : KMeans
            The fitted estimator.
        """
        self._validate_params()
        if wants_torch(X, self.device):
            return self._fit_torch(X, sample_weight)
        raw = X
        X = validate_X(self, X, reset=True, min_samples=2, copy=False, accept_sparse=True)
        n, d = X.shape
        k = check_n_clusters(self.n_clusters, n)
        w = check_sample_weight(sample_weight, n, X.dtype)
        rng = check_random_state(self.random_state)
        backend = select_backend(X)
        n_init = self._resolved_n_init()
        algorithm = self._resolved_algorithm()
        init = self.init
        if not (isinstance(init, str) or callable(init)):
            init = check_init_array(init, k, d, X.dtype)
        if sp.issparse(X):
            return self._fit_sparse(X, w, k, init, n_init, rng, backend)

        spherical = self.metric == "cosine"
        restore = None
        if spherical:
            X = _unit_rows(X)
        else:
            # Centring keeps the norm expansion ||x||^2 - 2 x.c + ||c||^2 accurate.
            mean = X.mean(axis=0, dtype=np.float64).astype(X.dtype)
            in_place = not self.copy_x and X is raw and X.flags.writeable
            if in_place:
                X -= mean
                restore = mean
            else:
                X = X - mean
            if not isinstance(init, str) and not callable(init):
                init = init - mean
        tol = tolerance(X, self.tol)

        best = None
        try:
            for _ in range(n_init):
                centers0 = init_centroids(X, k, init, rng, w, backend)
                res = kmeans_single(
                    X,
                    w,
                    centers0,
                    algorithm=algorithm,
                    max_iter=self.max_iter,
                    tol=tol,
                    verbose=self.verbose,
                    spherical=spherical,
                    backend=backend,
                )
                if best is None or res.inertia < best.inertia:
                    best = res
        finally:
            if restore is not None:
                X += restore
        assert best is not None
        centers = best.centers
        if not spherical:
            centers = centers + (restore if restore is not None else mean)
        return self._set_fitted(best._replace(centers=centers), init, spherical, X.dtype, k)

    def _fit_torch(self, X: Any, sample_weight: Any) -> KMeans:
        """Lloyd's iterations with the torch kernels (see the class Notes)."""
        import torch

        from .._tensor_input import torch_weights, validate_tensor
        from ._kmeans_torch import (
            canonical_order_t,
            check_init_tensor,
            init_centroids_t,
            kmeans_single_t,
            tolerance_t,
            unit_rows_t,
            warn_if_fewer_clusters_t,
        )

        Xt = validate_tensor(self, X, reset=True, device=self.device, min_samples=2)
        n, d = Xt.shape
        k = check_n_clusters(self.n_clusters, n)
        w = torch_weights(sample_weight, n, Xt)
        rng = check_random_state(self.random_state)
        n_init = self._resolved_n_init()
        init = self.init
        if not (isinstance(init, str) or callable(init)):
            init = check_init_tensor(init, k, d, Xt)
        spherical = self.metric == "cosine"
        mean = None
        if spherical:
            Xw = unit_rows_t(Xt)
        else:
            # Centring keeps the norm expansion ||x||^2 - 2 x.c + ||c||^2 accurate.
            mean = Xt.to(torch.float64).mean(dim=0).to(Xt.dtype)
            Xw = Xt - mean
            if not isinstance(init, str) and not callable(init):
                init = init - mean
        tol = tolerance_t(Xw, self.tol)
        best = None
        for _ in range(n_init):
            centers0 = init_centroids_t(Xw, k, init, rng, w)
            res = kmeans_single_t(
                Xw, w, centers0, max_iter=self.max_iter, tol=tol, verbose=self.verbose,
                spherical=spherical, precision=self.precision,
            )  # fmt: skip
            if best is None or res.inertia < best.inertia:
                best = res
        assert best is not None
        centers: Any = best.centers
        labels: Any = best.labels
        if mean is not None:
            centers = centers + mean
        if isinstance(init, str):
            centers, labels = canonical_order_t(centers, labels)
        self.cluster_centers_ = self._back(centers.contiguous(), X)
        self.labels_ = self._back(labels, X)
        self.inertia_ = best.inertia / 2.0 if spherical else best.inertia
        self.n_iter_ = best.n_iter
        warn_if_fewer_clusters_t(labels, k)
        return self

    def _fit_sparse(
        self,
        X: sp.csr_matrix,
        w: np.ndarray,
        k: int,
        init: Any,
        n_init: int,
        rng: np.random.RandomState,
        backend: Any,
    ) -> KMeans:
        """Lloyd's iterations on CSR rows (never centred, never densified)."""
        spherical = self.metric == "cosine"
        if spherical:
            X = csr_unit_rows(X)
        x_sq = row_sq_norms(X, backend)
        tol = csr_tolerance(X, self.tol)
        best = None
        for _ in range(n_init):
            centers0 = init_centroids_csr(X, k, init, rng, w, x_sq, backend)
            res = kmeans_single_csr(
                X, x_sq, w, centers0, max_iter=self.max_iter, tol=tol, verbose=self.verbose,
                spherical=spherical, backend=backend,
            )  # fmt: skip
            if best is None or res.inertia < best.inertia:
                best = res
        assert best is not None
        return self._set_fitted(best, init, spherical, X.dtype, k)

    def _set_fitted(self, best: Any, init: Any, spherical: bool, dtype: Any, k: int) -> KMeans:
        centers, labels = best.centers, best.labels
        if isinstance(init, str):
            centers, labels = _canonical_order(centers, labels)
        self.cluster_centers_ = np.ascontiguousarray(centers, dtype=dtype)
        self.labels_ = labels
        self.inertia_ = best.inertia / 2.0 if spherical else best.inertia
        self.n_iter_ = best.n_iter
        warn_if_fewer_clusters(self.labels_, k)
        return self


def _canonical_order(centers: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Number clusters by their centres in lexicographic order (first feature first).

    With a random initialisation the numbering is arbitrary; a canonical one makes labels
    independent of the order of the samples (and of weights versus repeated samples).
    """
    order = np.lexsort(centers.T[::-1])
    rank = np.empty_like(order)
    rank[order] = np.arange(order.shape[0])
    return centers[order], rank[labels]


def _unit_rows(X: np.ndarray) -> np.ndarray:
    norms = np.sqrt(np.einsum("ij,ij->i", X, X, dtype=np.float64))
    zero = np.flatnonzero(norms == 0)
    if zero.size:
        raise ValueError(
            f"metric='cosine' needs rows with non-zero norm; X has {zero.size} zero row(s) "
            f"(first at row {zero[0]})."
        )
    return (X / norms[:, None]).astype(X.dtype, copy=False)
