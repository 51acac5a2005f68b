"""DBSCAN: density-based clustering with noise (Ester et al. 1996), bounded memory."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numba
import numpy as np
from scipy import sparse

from .._backend import from_tensor, wants_torch
from .._base import BaseClusterer
from .._kernels.numba_ import spatial
from .._kernels.numba_.dbscan import (
    blas_block_pass,
    dbscan_graph,
    dbscan_grid,
    dbscan_index,
    number_components,
    union_pairs,
)
from .._tensor_input import torch_weights, validate_tensor
from .._validation import (
    check_distinct_rows,
    check_int,
    check_option,
    check_real,
    check_sample_weight,
    validate_X,
)
from ._index import (
    ALGORITHMS,
    METRICS,
    build_fine_grid,
    build_index,
    check_metric,
    index_kind_name,
    resolve_metric,
)

__all__ = ["DBSCAN", "dbscan"]


class DBSCAN(BaseClusterer):
    """Density-based spatial clustering of applications with noise.

    Core samples have at least ``min_samples`` samples (weights) within ``eps``, themselves
    included; clusters are the groups of core samples linked by ``eps``-neighbourhoods plus the
    non-core samples within ``eps`` of a core (border samples); everything else is noise (-1).

    Parameters
    ----------
    eps : float > 0, default=0.5
        Neighbourhood radius (samples at distance ``<= eps`` are neighbours).
    min_samples : int >= 1, default=5
        Weight of a neighbourhood, the sample itself included, that makes a core sample.
    metric : str, default='euclidean'
        'euclidean', 'manhattan' ('cityblock', 'l1'), 'chebyshev', 'minkowski' (with ``p``),
        'sqeuclidean', 'cosine', or 'precomputed' (a dense or scipy-sparse square matrix of
        distances; for a sparse one, only stored entries are neighbours).
    metric_params : dict, default=None
        ``{'p': ...}`` for 'minkowski' (as scikit-learn).
    algorithm : {'auto', 'grid', 'kd_tree', 'ball_tree', 'brute'}, default='auto'
        Neighbour search: 'auto' takes a grid of ``eps``-cells for up to 3 features, a KD-tree
        up to 16 features and blocked brute force beyond. 'ball_tree' is accepted for
        scikit-learn compatibility and runs the KD-tree.
    leaf_size : int, default=30
        KD-tree leaf size.
    p : float >= 1, default=None
        Minkowski power (None: 2, or ``metric_params['p']``).
    n_jobs : int, default=None
        Accepted for compatibility; shoal's kernels use numba's threads.
    device : {None, "auto", "cpu", "cuda", "cuda:N"}, default=None
        Where the neighbourhoods are searched. None/"auto" follow the input (numpy: numba
        kernels; a torch tensor: torch kernels on its device); "cuda" runs numpy input on the
        GPU and returns numpy. The torch path has the Euclidean metric only. See Notes.

    Attributes
    ----------
    core_sample_indices_ : ndarray of shape (n_core,), int64
        Indices of the core samples, increasing.
    components_ : ndarray of shape (n_core, n_features)
        The core samples (rows of ``X``, in its dtype).
    labels_ : ndarray of shape (n_samples,), int64
        Cluster of each sample, -1 for noise.
    n_features_in_ : int
    feature_names_in_ : ndarray
    algorithm_ : str
        The index used: 'grid', 'kd_tree', 'brute' or 'precomputed'.

    Notes
    -----
    Labels equal scikit-learn's exactly, numbering included: clusters are numbered in the order
    of their lowest-index core sample, and a border sample within ``eps`` of cores of several
    clusters joins the lowest-numbered of them (the cluster scikit-learn's expansion reaches
    first).

    The torch path (a tensor in, or ``device="cuda"``; metric 'euclidean'): candidate pairs
    from a grid of ``eps`` cells (the 3^d adjacent cells, for up to 3 features and
    ``algorithm`` 'auto'/'grid') or blocked brute force, measured exactly in float64, core
    components by hooking and pointer jumping; the labels, numbering included, are those of
    the numba path. Memory: O(n) plus a bounded chunk of candidate pairs plus the core-core
    edges. ``labels_``, ``core_sample_indices_`` and ``components_`` are then tensors on X's
    device. A model fitted on tensors cannot be saved with ``shoal.io.save`` (``TypeError``).

    Memory: O(n) plus one neighbourhood per thread at a time (the neighbourhoods are searched
    again instead of stored: one pass counts them, one links core samples with a union-find,
    one labels border samples). Time: the three passes over the index, O(n * neighbours) for
    well-spread data.

    Examples
    --------
    >>> import numpy as np
    >>> from shoal import DBSCAN
    >>> X = np.array([[1, 2], [2, 2], [2, 3], [8, 7], [8, 8], [25, 80]], dtype=float)
    >>> DBSCAN(eps=3, min_samples=2).fit(X).labels_.tolist()
    [0, 0, 0, 1, 1, -1]
    """

    _test_params: ClassVar[dict[str, Any]] = {}

    def __init__(
        self,
        eps: float = 0.5,
        *,
        min_samples: int = 5,
        metric: str = "euclidean",
        metric_params: dict | None = None,
        algorithm: str = "auto",
        leaf_size: int = 30,
        p: float | None = None,
        n_jobs: int | None = None,
        device: str | None = None,
    ) -> None:
        self.eps = eps
        self.min_samples = min_samples
        self.metric = metric
        self.metric_params = metric_params
        self.algorithm = algorithm
        self.leaf_size = leaf_size
        self.p = p
        self.n_jobs = n_jobs
        self.device = device

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.pairwise = self.metric == "precomputed"
        tags.input_tags.sparse = self.metric == "precomputed"
        return tags

    def _validate_params(self) -> None:
        check_real("eps", self.eps, low=0.0, low_inclusive=False)
        check_int("min_samples", self.min_samples, low=1)
        check_metric("DBSCAN", self.metric, METRICS)
        check_option("algorithm", self.algorithm, ALGORITHMS)
        check_int("leaf_size", self.leaf_size, low=1)
        check_real("p", self.p, low=1.0, allow_none=True)

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> DBSCAN:
        """Cluster the samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or (n_samples, n_samples) with \
metric='precomputed' (dense or sparse)
            Training data.
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the neighbourhood counts (a sample of weight
            ``min_samples`` is core on its own); negative weights are not allowed.

        Returns
        -------
        self : DBSCAN
            The fitted estimator.
        """
        self._validate_params()
        eps = float(self.eps)
        if self.metric != "precomputed" and wants_torch(X, self.device):
            return self._fit_torch(X, eps, sample_weight)
        if self.metric == "precomputed":
            n, core, labels = self._fit_precomputed(X, eps, sample_weight)
            self.algorithm_ = "precomputed"
            components = None
        else:
            X = validate_X(self, X, reset=True)
            n = X.shape[0]
            if n > 1:
                check_distinct_rows(X, 2)
            w = check_sample_weight(sample_weight, n, np.float64)
            rows = X.astype(np.float64)
            if self.metric == "cosine":
                norms = np.sqrt(np.einsum("ij,ij->i", rows, rows))
                if (norms == 0).any():
                    raise ValueError(
                        "metric='cosine' needs rows with non-zero norm; X has a zero row "
                        f"(row {int(np.flatnonzero(norms == 0)[0])})."
                    )
                rows /= norms[:, None]
                code, power, radius = spatial.EUCLIDEAN, 2.0, math.sqrt(2.0 * eps)
            elif self.metric == "sqeuclidean":
                code, power, radius = spatial.EUCLIDEAN, 2.0, math.sqrt(eps)
            else:
                code, power = resolve_metric(self.metric, self.p, self.metric_params)
                radius = eps
            thresh = spatial.surrogate(radius, code, power)
            core_s = np.empty(n, dtype=np.bool_)
            labels_s = np.empty(n, dtype=np.int64)
            fine = None
            if self.algorithm in ("auto", "grid") and X.shape[1] <= 3:
                fine = build_fine_grid(rows, radius, power)
            if fine is not None:
                Xs, order, keys, starts, offs = fine
                self.algorithm_ = "grid"
                dbscan_grid(Xs, order, keys, starts, offs, w[order], thresh, code, power,
                            float(self.min_samples), core_s, labels_s, _blocks(n))  # fmt: skip
            elif code == spatial.EUCLIDEAN and (
                self.algorithm == "brute" or (self.algorithm == "auto" and X.shape[1] > 16)
            ):
                self.algorithm_ = "brute"
                order = np.arange(n)
                _dbscan_blas(rows, radius, w, float(self.min_samples), core_s, labels_s)
            else:
                index = build_index(rows, radius, self.algorithm, int(self.leaf_size))
                self.algorithm_ = index_kind_name(index)
                order = index[2]
                dbscan_index(index, thresh, code, power, w[order], float(self.min_samples),
                             core_s, labels_s, _blocks(n))  # fmt: skip
            core = np.empty(n, dtype=np.bool_)
            labels = np.empty(n, dtype=np.int64)
            core[order] = core_s
            labels[order] = labels_s
            components = X
        self.core_sample_indices_ = np.flatnonzero(core).astype(np.int64)
        self.labels_ = labels
        if components is None:
            self.components_ = np.empty((0, n))
        else:
            self.components_ = components[self.core_sample_indices_]
        return self

    def _fit_torch(self, X_in: Any, eps: float, sample_weight: Any) -> DBSCAN:
        """The torch path of ``fit`` (see Notes)."""
        import torch

        from .._kernels.torch_.dbscan import dbscan_torch

        if self.metric != "euclidean":
            raise NotImplementedError(
                f"The torch path of DBSCAN has metric='euclidean' only; got "
                f"metric={self.metric!r}. Pass a numpy array to use the numba path."
            )
        X = validate_tensor(self, X_in, reset=True, device=self.device)
        n, d = X.shape
        if n > 1 and int(torch.unique(X, dim=0).shape[0]) < 2:
            check_distinct_rows(X[:2].cpu().numpy(), 2)  # raises its message
        w = torch_weights(sample_weight, n, X.new_empty(0, dtype=torch.float64))
        use_grid = self.algorithm in ("auto", "grid") and d <= 3
        core, labels = dbscan_torch(X.double(), eps, w, float(self.min_samples), use_grid)
        self.algorithm_ = "grid" if use_grid else "brute"
        idx = torch.nonzero(core).flatten()
        self.core_sample_indices_ = from_tensor(idx, X_in)
        self.labels_ = from_tensor(labels, X_in)
        self.components_ = from_tensor(X[idx], X_in)
        return self

    def _fit_precomputed(
        self, X: Any, eps: float, sample_weight: Any
    ) -> tuple[int, np.ndarray, np.ndarray]:
        if sparse.issparse(X):
            G = sparse.csr_array(X)
            if G.shape[0] != G.shape[1]:
                raise ValueError(
                    f"metric='precomputed' needs a square distance matrix; X has shape {G.shape}."
                )
            self.n_features_in_ = G.shape[1]
            data = np.asarray(G.data, dtype=np.float64)
            if not np.isfinite(data).all():
                raise ValueError("X contains NaN or infinity.")
            if (data < 0).any():
                raise ValueError("metric='precomputed': X has negative distances.")
            n = G.shape[0]
            indptr, indices = _sparse_within(G, eps)
        else:
            D = validate_X(self, X, reset=True)
            n = D.shape[0]
            if D.shape[1] != n:
                raise ValueError(
                    f"metric='precomputed' needs a square distance matrix; X has shape {D.shape}."
                )
            if (D < 0).any():
                raise ValueError("metric='precomputed': X has negative distances.")
            indptr, indices = _dense_within(D, eps)
        w = check_sample_weight(sample_weight, n, np.float64)
        core = np.empty(n, dtype=np.bool_)
        labels = np.empty(n, dtype=np.int64)
        dbscan_graph(indptr, indices, w, float(self.min_samples), core, labels)
        return n, core, labels


def _blocks(n: int) -> int:
    return int(max(1, min(n, 16 * numba.get_num_threads())))


def _dbscan_blas(
    rows: np.ndarray,
    radius: float,
    w: np.ndarray,
    min_samples: float,
    core: np.ndarray,
    labels: np.ndarray,
) -> None:
    """Euclidean DBSCAN by brute force in row blocks through BLAS (many features).

    Each block's inner products come from one matrix product; squared distances from
    ``|x|^2 + |y|^2 - 2 x.y``, measured again directly when within rounding of the radius, so
    the neighbourhoods are those of exact distances. Three passes as ``dbscan_index`` (core
    weights, union of core pairs, border labels); memory O(block x n) with blocks of at most
    4 M entries.
    """
    n = rows.shape[0]
    sq = np.einsum("ij,ij->i", rows, rows)
    r2 = radius * radius
    step = max(1, 2**22 // n)
    counts = np.empty(step, dtype=np.int64)
    parent = np.arange(n)
    for mode in (0, 1, 2):  # core weights, union of core pairs, border labels
        if mode == 2:
            labels[:] = -1
            number_components(core, parent, labels)
        for r0 in range(0, n, step):
            r1 = min(n, r0 + step)
            G = rows[r0:r1] @ rows.T
            shape = (r1 - r0, n) if mode == 1 else (0, 0)
            pairs = np.empty(shape, dtype=np.int64)
            blas_block_pass(rows, sq, G, r0, r2, mode, w, min_samples, core, labels, pairs,
                            counts)  # fmt: skip
            if mode == 1:
                for i in range(r1 - r0):
                    c = counts[i]
                    if c:
                        union_pairs(parent, np.full(c, r0 + i, dtype=np.int64), pairs[i, :c])


def _dense_within(D: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """CSR of the entries <= eps, the diagonal always included, row blocks at a time."""
    n = D.shape[0]
    indptr = np.zeros(n + 1, dtype=np.int64)
    parts = []
    step = max(1, 2**22 // max(n, 1))
    for r0 in range(0, n, step):
        r1 = min(n, r0 + step)
        mask = D[r0:r1] <= eps
        mask[np.arange(r1 - r0), np.arange(r0, r1)] = True
        rows, cols = np.nonzero(mask)
        parts.append(cols.astype(np.int64))
        indptr[r0 + 1 : r1 + 1] = np.cumsum(np.bincount(rows, minlength=r1 - r0))
        indptr[r0 + 1 : r1 + 1] += indptr[r0]
    indices = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
    return indptr, indices


def _sparse_within(G: Any, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """CSR of the stored entries <= eps, plus the diagonal (as scikit-learn's DBSCAN)."""
    G = G.tocoo()
    keep = G.data <= eps
    n = G.shape[0]
    rows = np.concatenate([G.row[keep], np.arange(n)]).astype(np.int64)
    cols = np.concatenate([G.col[keep], np.arange(n)]).astype(np.int64)
    M = sparse.csr_array((np.ones(rows.shape[0]), (rows, cols)), shape=(n, n))
    M.sum_duplicates()
    return M.indptr.astype(np.int64), M.indices.astype(np.int64)


def dbscan(
    X: Any,
    eps: float = 0.5,
    *,
    min_samples: int = 5,
    metric: str = "euclidean",
    metric_params: dict | None = None,
    algorithm: str = "auto",
    leaf_size: int = 30,
    p: float | None = None,
    sample_weight: Any = None,
    n_jobs: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """DBSCAN as a function (scikit-learn's ``dbscan``).

    Parameters
    ----------
    X, eps, min_samples, metric, metric_params, algorithm, leaf_size, p, n_jobs
        As in ``DBSCAN``.
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    core_samples : ndarray of shape (n_core,), int64
    labels : ndarray of shape (n_samples,), int64
    """
    est = DBSCAN(
        eps, min_samples=min_samples, metric=metric, metric_params=metric_params,
        algorithm=algorithm, leaf_size=leaf_size, p=p, n_jobs=n_jobs,
    ).fit(X, sample_weight=sample_weight)  # fmt: skip
    return est.core_sample_indices_, est.labels_
