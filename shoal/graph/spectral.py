"""SpectralClustering: k-means (or a discretisation) on the bottom eigenvectors of a graph
Laplacian (Shi & Malik 2000; Ng, Jordan & Weiss 2002; von Luxburg 2007)."""

from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
from scipy import linalg, sparse
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import LinearOperator, eigsh, lobpcg

from .._base import BaseClusterer
from .._kernels.numba_ import spatial
from .._validation import (
    check_int,
    check_option,
    check_random_state,
    check_real,
    validate_X,
)
from ..density._index import KDTREE_MAX_DIM
from .affinity import neg_sq_euclidean

__all__ = [
    "SpectralClustering",
    "cluster_qr",
    "discretize",
    "eigengap",
    "graph_laplacian",
    "spectral_embedding",
]  # fmt: skip

LAPLACIANS = ("unnormalized", "symmetric", "random_walk")
KERNELS = ("rbf", "laplacian", "linear", "poly", "polynomial", "sigmoid", "cosine")
GRAPHS = ("nearest_neighbors", "precomputed", "precomputed_nearest_neighbors")
SOLVERS = ("arpack", "lobpcg", "amg")
ASSIGN = ("kmeans", "discretize", "cluster_qr")
# Eigenvalues examined by n_clusters='auto' when n_components is not given.
AUTO_MAX_CLUSTERS = 10


def graph_laplacian(W: Any, kind: str = "symmetric") -> tuple[Any, np.ndarray]:
    """The Laplacian of a weighted graph, and the degrees.

    Self-loops (the diagonal of ``W``) are ignored, as scipy's ``csgraph.laplacian`` does.

    Parameters
    ----------
    W : ndarray or sparse matrix of shape (n, n)
        Symmetric non-negative affinities.
    kind : {'unnormalized', 'symmetric', 'random_walk'}, default='symmetric'
        ``L = D - W``, ``I - D^-1/2 W D^-1/2`` or ``I - D^-1 W`` (isolated nodes get a 1 on the
        diagonal of the normalised ones).

    Returns
    -------
    L : ndarray or sparse CSR matrix of shape (n, n)
        Same kind (dense or sparse) as ``W``.
    degree : ndarray of shape (n,)
        Row sums of ``W`` without the diagonal.
    """
    check_option("laplacian", kind, LAPLACIANS)
    n = W.shape[0]
    if sparse.issparse(W):
        Wo = sparse.csr_array(W, dtype=np.float64, copy=True)
        Wo.setdiag(0)
        Wo.eliminate_zeros()
        degree = np.asarray(Wo.sum(axis=1)).ravel()
    else:
        Wo = np.array(W, dtype=np.float64)
        np.fill_diagonal(Wo, 0.0)
        degree = Wo.sum(axis=1)
    isolated = degree == 0
    if kind == "unnormalized":
        L = -Wo
        diag = degree
    else:
        safe = np.where(isolated, 1.0, degree)
        left = 1.0 / np.sqrt(safe) if kind == "symmetric" else 1.0 / safe
        right = 1.0 / np.sqrt(safe) if kind == "symmetric" else np.ones(n)
        if sparse.issparse(Wo):
            L = -(sparse.dia_array((left, 0), shape=(n, n)) @ Wo
                  @ sparse.dia_array((right, 0), shape=(n, n)))  # fmt: skip
        else:
            L = -(left[:, None] * Wo * right[None, :])
        diag = 1.0 - isolated
    if sparse.issparse(L):
        L = sparse.csr_array(L)
        L.setdiag(diag)
    else:
        np.fill_diagonal(L, diag)
    return L, degree


def spectral_embedding(
    W: Any, n_components: int, *, laplacian: str = "symmetric", eigen_solver: str | None = None,
    random_state: Any = None, eigen_tol: Any = "auto",
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """The ``n_components`` bottom eigenvectors of the graph Laplacian of ``W``.

    Parameters
    ----------
    W : ndarray or sparse matrix of shape (n, n)
        Symmetric affinities.
    n_components : int
    laplacian : {'unnormalized', 'symmetric', 'random_walk'}, default='symmetric'
        'symmetric' returns ``D^-1/2 x`` for the eigenvectors ``x`` of ``I - D^-1/2 W D^-1/2``
        (scikit-learn's embedding); 'random_walk' returns the eigenvectors of ``I - D^-1 W``,
        which are those same vectors scaled to unit length; 'unnormalized' returns the
        orthonormal eigenvectors of ``D - W``.
    eigen_solver : {'arpack', 'lobpcg', 'amg'}, default=None ('arpack')
        ARPACK in shift-invert mode just below 0 (the bottom of the spectrum), LOBPCG, or LOBPCG
        with a pyamg multigrid preconditioner (needs pyamg; sparse graphs of 5 * n_components
        nodes or more, ARPACK otherwise, with a warning).
    random_state : int, RandomState instance or None
        Starting vectors of the eigensolver.
    eigen_tol : float or 'auto'
        Eigensolver tolerance ('auto': the solver's default).

    Returns
    -------
    embedding : ndarray of shape (n, n_components)
        Each column's sign fixed so its largest-magnitude entry is positive.
    eigenvalues : ndarray of shape (n_components,)
        The matching eigenvalues of the Laplacian, ascending.
    """
    solver = "arpack" if eigen_solver is None else eigen_solver
    rng = check_random_state(random_state)
    n = W.shape[0]
    k = int(n_components)
    normalized = laplacian != "unnormalized"
    L, degree = graph_laplacian(W, "symmetric" if normalized else "unnormalized")
    if normalized:  # scikit-learn's: isolated nodes get 1 on the diagonal too
        if sparse.issparse(L):
            L.setdiag(1.0)
        else:
            np.fill_diagonal(L, 1.0)
    dd = np.sqrt(np.where(degree == 0, 1.0, degree)) if normalized else None
    first = dd if dd is not None else np.ones(n)
    vals = vecs = None
    if solver == "amg" and (n < 5 * k or not sparse.issparse(L)):
        warnings.warn(
            "eigen_solver='amg' works on sparse graphs of at least 5 * n_components nodes; "
            "using ARPACK.",
            RuntimeWarning,
            stacklevel=2,
        )
        solver = "arpack"
    if solver == "arpack" and k < n:
        tol = 0 if eigen_tol == "auto" else float(eigen_tol)
        v0 = rng.uniform(-1, 1, n)
        try:
            if sparse.issparse(L):
                # Lanczos on sparse products only: shift-invert would factorise L, whose
                # fill-in on k-NN graphs of tens of thousands of samples costs minutes and
                # gigabytes.
                w, V = _lanczos_bottom(W, L, degree, k, normalized, tol, v0)
            else:
                # Shift-invert just below 0, the bottom of the (positive semi-definite)
                # spectrum; dense LU is what a dense affinity costs anyway.
                w, V = eigsh(L, k=k, sigma=-1e-5, which="LM", tol=tol, v0=v0)
            order = np.argsort(w, kind="stable")
            vals, vecs = w[order], V[:, order]
        except RuntimeError:  # exactly singular blocks: LOBPCG instead, as scikit-learn does
            solver = "lobpcg"
    if vecs is None:
        if solver == "amg":
            try:
                from pyamg import smoothed_aggregation_solver
            except ImportError as exc:
                raise ValueError(
                    "eigen_solver='amg' needs pyamg, which is not installed (pip install pyamg)."
                ) from exc
        if n < 5 * k + 1 or k >= n:
            dense = L.toarray() if sparse.issparse(L) else L
            w, V = linalg.eigh(dense, check_finite=False)
            vals, vecs = w[:k], V[:, :k]
        else:
            X0 = rng.standard_normal(size=(n, k + 1))
            X0[:, 0] = first
            lob_tol = None if eigen_tol == "auto" else float(eigen_tol)
            M = None
            Ls = sparse.csr_matrix(L) if sparse.issparse(L) else L
            if solver == "amg":
                shifted = sparse.csr_matrix(Ls) + 1e-5 * sparse.eye(n, format="csr")
                M = smoothed_aggregation_solver(shifted).aspreconditioner()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                w, V = lobpcg(Ls, X0, M=M, tol=lob_tol, largest=False, maxiter=2000)
            order = np.argsort(w)[:k]
            vals, vecs = w[order], V[:, order]
    emb = vecs if dd is None else vecs / dd[:, None]
    if laplacian == "random_walk":
        emb = emb / np.linalg.norm(emb, axis=0, keepdims=True)
    emb = np.array(emb, dtype=np.float64)
    signs = np.sign(emb[np.argmax(np.abs(emb), axis=0), np.arange(emb.shape[1])])
    signs[signs == 0] = 1.0
    return emb * signs[None, :], np.asarray(vals, dtype=np.float64)


def _lanczos_bottom(W: Any, L: Any, degree: np.ndarray, k: int, normalized: bool, tol: float,
                    v0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """The k bottom eigenpairs of a sparse Laplacian by Lanczos, without factorising it.

    The null space is known exactly: one vector per connected component (``D^1/2 1_c`` for
    the normalised Laplacian, ``1_c`` for the unnormalised one; isolated nodes carry none in
    the normalised case). Lanczos cannot find the copies of a repeated eigenvalue, so those
    vectors are taken as they are and projected out; Lanczos then finds the rest as the top
    of ``P (sI - L) P - s Q Q^T`` (s bounds the spectrum, so the known directions sink).
    """
    n = L.shape[0]
    n_comp, comp = connected_components(sparse.csr_array(W), directed=False)
    weight = np.sqrt(degree) if normalized else np.ones(n)
    sizes = np.bincount(comp, minlength=n_comp)
    norms = np.sqrt(np.bincount(comp, weights=weight**2, minlength=n_comp))
    live = np.flatnonzero(norms > 0)
    live = live[np.argsort(-sizes[live], kind="stable")]  # largest components first
    m0 = min(k, live.shape[0])
    Q = np.zeros((n, m0))
    for j, c in enumerate(live[:m0]):
        members = comp == c
        Q[members, j] = weight[members] / norms[c]
    if m0 == k:
        return np.zeros(k), Q
    s = 2.0 if normalized else 2.0 * float(degree.max()) + 1.0
    Lc = sparse.csr_matrix(L)

    def op(x: np.ndarray) -> np.ndarray:
        x = np.ravel(x)
        px = x - Q @ (Q.T @ x)
        y = s * px - Lc @ px
        return y - Q @ (Q.T @ y) - s * (Q @ (Q.T @ x))

    A = LinearOperator((n, n), matvec=op, dtype=np.float64)
    w, V = eigsh(A, k=k - m0, which="LA", tol=tol, v0=v0)
    return np.concatenate([np.zeros(m0), s - w]), np.hstack([Q, V])


def eigengap(eigenvalues: Any, *, min_clusters: int = 2, scale: str = "log") -> int:
    """Number of clusters by the eigengap heuristic: the k (>= ``min_clusters``) after which
    the ascending Laplacian eigenvalues jump the most.

    Parameters
    ----------
    eigenvalues : array-like of shape (m,)
        Bottom eigenvalues, ascending (m >= min_clusters + 1).
    min_clusters : int, default=2
    scale : {'log', 'linear'}, default='log'
        'linear': the classic ``argmax_k lambda_{k+1} - lambda_k``. 'log': the same on
        ``log(lambda + floor)`` with ``floor = 1e-3 * max(lambda)``, so that a jump from (nearly)
        zero to a small eigenvalue counts as a jump: graphs made of rings or chains (concentric
        circles, moons) have slowly growing spectra whose later absolute gaps outgrow the one
        that separates the clusters.

    Returns
    -------
    k : int
    """
    check_option("scale", scale, ("log", "linear"))
    lam = np.sort(np.asarray(eigenvalues, dtype=np.float64))
    if lam.shape[0] < min_clusters + 1:
        raise ValueError(
            f"eigengap needs at least min_clusters + 1 = {min_clusters + 1} eigenvalues; got "
            f"{lam.shape[0]}."
        )
    if scale == "log":
        lam = np.maximum(lam, 0.0)
        lam = np.log(lam + max(1e-3 * lam.max(), np.finfo(float).tiny))
    gaps = np.diff(lam)[min_clusters - 1 :]
    return int(np.argmax(gaps)) + min_clusters


def cluster_qr(vectors: Any) -> np.ndarray:
    """Labels from an embedding by column-pivoted QR (Damle, Minden & Ying 2019): no
    iteration, no randomness.

    Parameters
    ----------
    vectors : array-like of shape (n, k)

    Returns
    -------
    labels : ndarray of shape (n,), int64
    """
    V = np.asarray(vectors, dtype=np.float64)
    k = V.shape[1]
    _, _, piv = linalg.qr(V.T, pivoting=True)
    u, _, vt = linalg.svd(V[piv[:k], :].T)
    return np.abs(V @ (u @ vt)).argmax(axis=1).astype(np.int64)


def discretize(
    vectors: Any, *, max_svd_restarts: int = 30, n_iter_max: int = 20, random_state: Any = None
) -> np.ndarray:
    """Labels from an embedding by the closest discrete partition (Yu & Shi 2003): alternate a
    rotation of the (row-normalised) embedding and the indicator matrix nearest to it.

    Parameters
    ----------
    vectors : array-like of shape (n, k)
    max_svd_restarts : int, default=30
    n_iter_max : int, default=20
    random_state : int, RandomState instance or None

    Returns
    -------
    labels : ndarray of shape (n,), int64
    """
    rng = check_random_state(random_state)
    V = np.array(vectors, dtype=np.float64)
    n, k = V.shape
    for j in range(k):
        V[:, j] = V[:, j] / np.linalg.norm(V[:, j]) * np.sqrt(n)
        if V[0, j] != 0:
            V[:, j] = -V[:, j] * np.sign(V[0, j])
    V = V / np.sqrt((V**2).sum(axis=1))[:, None]
    for _ in range(max_svd_restarts):
        R = np.zeros((k, k))
        R[:, 0] = V[rng.randint(n), :]
        c = np.zeros(n)
        for j in range(1, k):
            c += np.abs(V @ R[:, j - 1])
            R[:, j] = V[c.argmin(), :]
        last = 0.0
        for it in range(1, n_iter_max + 2):
            labels = (V @ R).argmax(axis=1)
            # Indicator^T V: the sum of the embedded rows of each discrete cluster.
            T = np.zeros((k, k))
            np.add.at(T, labels, V)
            try:
                U, s, Vh = np.linalg.svd(T)
            except np.linalg.LinAlgError:
                break
            ncut = 2.0 * (n - s.sum())
            if abs(ncut - last) < np.finfo(float).eps or it > n_iter_max:
                return labels.astype(np.int64)
            last = ncut
            R = Vh.T @ U.T
    raise np.linalg.LinAlgError("SVD did not converge")


class SpectralClustering(BaseClusterer):
    """Spectral clustering: embed the samples with the bottom eigenvectors of a graph
    Laplacian, then cluster the embedding.

    Parameters
    ----------
    n_clusters : int or 'auto', default=8
        Clusters; 'auto' picks it by the eigengap of the Laplacian's bottom eigenvalues.
    eigen_solver : {'arpack', 'lobpcg', 'amg'}, default=None ('arpack')
    n_components : int, default=None
        Eigenvectors in the embedding (default: ``n_clusters``). With ``n_clusters='auto'``,
        the eigengap is looked for among the first ``n_components + 1`` eigenvalues (default
        11).
    random_state : int, RandomState instance or None, default=None
        Eigensolver start and k-means / discretisation draws.
    n_init : int, default=10
        k-means restarts.
    gamma : float, default=1.0
        Kernel coefficient of 'rbf', 'laplacian', 'poly' and 'sigmoid' (>= 0).
    affinity : str or callable, default='rbf'
        'rbf' (``exp(-gamma |x - y|^2)``, dense n x n), 'nearest_neighbors' (sparse
        symmetrised k-NN graph: 1 for mutual neighbours, 0.5 for one-way ones), 'precomputed'
        (X is a symmetric affinity matrix, dense or sparse), 'precomputed_nearest_neighbors'
        (X is a distance matrix; its k-NN graph), a kernel name ('laplacian', 'linear', 'poly',
        'polynomial', 'sigmoid', 'cosine') or a callable ``f(x, y, **kernel_params)``.
    n_neighbors : int, default=10
        Neighbours per sample (itself included) for the nearest-neighbour affinities.
    eigen_tol : float or 'auto', default='auto'
    assign_labels : {'kmeans', 'discretize', 'cluster_qr'}, default='kmeans'
    degree : float, default=3
        Degree of 'poly'.
    coef0 : float, default=1
        Constant of 'poly' and 'sigmoid'.
    kernel_params : dict, default=None
        Extra parameters of a callable affinity.
    n_jobs : int, default=None
        Accepted for compatibility (neighbour searches use numba's threads).
    verbose : bool, default=False
    laplacian : {'symmetric', 'random_walk', 'unnormalized'}, default='symmetric'
        Which Laplacian's eigenvectors embed the samples (see ``spectral_embedding``);
        'symmetric' is scikit-learn's.

    Attributes
    ----------
    affinity_matrix_ : ndarray or sparse matrix of shape (n_samples, n_samples)
    labels_ : ndarray of shape (n_samples,), int64
    embedding_ : ndarray of shape (n_samples, n_components)
    eigenvalues_ : ndarray
        Bottom eigenvalues of the Laplacian, ascending (with 'auto': all those examined).
    n_clusters_ : int
        The number of clusters used (the eigengap's choice with 'auto').
    n_features_in_ : int
    feature_names_in_ : ndarray

    Notes
    -----
    The nearest-neighbour graph comes from shoal's KD-tree (brute force beyond 16 features)
    and stays sparse: O(n * n_neighbors) memory. 'rbf' and the other kernels build the dense
    n x n matrix (that is what they are). Eigenvectors come from scipy's ARPACK in
    shift-invert mode just below the bottom of the spectrum (as scikit-learn does) or
    LOBPCG.

    Examples
    --------
    >>> import numpy as np
    >>> from shoal import SpectralClustering
    >>> X = np.array([[1, 1], [2, 1], [1, 0], [4, 7], [3, 5], [3, 6]], dtype=float)
    >>> sc = SpectralClustering(n_clusters=2, assign_labels="cluster_qr", random_state=0).fit(X)
    >>> sc.labels_.tolist()
    [1, 1, 1, 0, 0, 0]
    """

    _test_params: ClassVar[dict[str, Any]] = {"n_clusters": 3, "random_state": 0}

    def __init__(
        self,
        n_clusters: Any = 8,
        *,
        eigen_solver: str | None = None,
        n_components: int | None = None,
        random_state: Any = None,
        n_init: int = 10,
        gamma: float = 1.0,
        affinity: Any = "rbf",
        n_neighbors: int = 10,
        eigen_tol: Any = "auto",
        assign_labels: str = "kmeans",
        degree: float = 3,
        coef0: float = 1,
        kernel_params: dict | None = None,
        n_jobs: int | None = None,
        verbose: bool = False,
        laplacian: str = "symmetric",
    ) -> None:
        self.n_clusters = n_clusters
        self.eigen_solver = eigen_solver
        self.n_components = n_components
        self.random_state = random_state
        self.n_init = n_init
        self.gamma = gamma
        self.affinity = affinity
        self.n_neighbors = n_neighbors
        self.eigen_tol = eigen_tol
        self.assign_labels = assign_labels
        self.degree = degree
        self.coef0 = coef0
        self.kernel_params = kernel_params
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.laplacian = laplacian

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        pre = self.affinity in ("precomputed", "precomputed_nearest_neighbors")
        tags.input_tags.pairwise = pre
        tags.input_tags.sparse = pre
        return tags

    def _validate_params(self) -> None:
        k = self.n_clusters
        if not (isinstance(k, str) and k == "auto"):
            if isinstance(k, (bool, np.bool_)) or not isinstance(k, Integral):
                raise TypeError(f"n_clusters must be an int or 'auto'; got {k!r}.")
            check_int("n_clusters", k, low=1)
        if self.eigen_solver is not None:
            check_option("eigen_solver", self.eigen_solver, SOLVERS)
        check_int("n_components", self.n_components, low=1, allow_none=True)
        check_int("n_init", self.n_init, low=1)
        check_real("gamma", self.gamma, low=0.0)
        if not callable(self.affinity):
            check_option("affinity", self.affinity, KERNELS + GRAPHS)
        check_int("n_neighbors", self.n_neighbors, low=1)
        if not (isinstance(self.eigen_tol, str) and self.eigen_tol == "auto"):
            check_real("eigen_tol", self.eigen_tol, low=0.0)
        check_option("assign_labels", self.assign_labels, ASSIGN)
        check_real("degree", self.degree, low=0.0)
        if not isinstance(self.coef0, Real):
            raise TypeError(f"coef0 must be a real number; got {self.coef0!r}.")
        check_option("laplacian", self.laplacian, LAPLACIANS)

    def fit(self, X: Any, y: Any = None) -> SpectralClustering:
        """Build the affinity, embed, assign labels.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features), or (n_samples, \
n_samples) with a precomputed affinity
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : SpectralClustering
            The fitted estimator.
        """
        self._validate_params()
        W = self._affinity(X)
        n = W.shape[0]
        rng = check_random_state(self.random_state)
        auto = isinstance(self.n_clusters, str)
        if auto:
            top = (self.n_components or AUTO_MAX_CLUSTERS) + 1
            m = min(n - 1, top) if n > 2 else n
            if m < 3:
                raise ValueError(f"n_clusters='auto' needs at least 4 samples; got {n}.")
        else:
            if int(self.n_clusters) > n:
                raise ValueError(f"n_clusters={self.n_clusters} must be <= n_samples={n}.")
            m = int(self.n_components or self.n_clusters)
            if m > n:
                raise ValueError(f"n_components={m} must be <= n_samples={n}.")
        n_comp = _n_components(W)
        if n_comp > 1:
            warnings.warn(
                f"Graph is not fully connected ({n_comp} components), spectral embedding may "
                "not work as expected.",
                UserWarning,
                stacklevel=2,
            )
        emb, vals = spectral_embedding(W, m, laplacian=self.laplacian,
                                       eigen_solver=self.eigen_solver, random_state=rng,
                                       eigen_tol=self.eigen_tol)  # fmt: skip
        k = eigengap(vals) if auto else int(self.n_clusters)
        if auto:
            emb = emb[:, :k]
        self.affinity_matrix_ = W
        self.embedding_ = emb
        self.eigenvalues_ = vals
        self.n_clusters_ = k
        if self.verbose:
            print(f"Computing label assignment using {self.assign_labels}")
        if self.assign_labels == "kmeans":
            from ..centroid.kmeans import KMeans

            self.labels_ = KMeans(n_clusters=k, n_init=int(self.n_init),
                                  random_state=rng).fit(emb).labels_.astype(np.int64)  # fmt: skip
        elif self.assign_labels == "cluster_qr":
            self.labels_ = cluster_qr(emb)
        else:
            self.labels_ = discretize(emb, random_state=rng)
        return self

    def _affinity(self, X: Any) -> Any:
        kind = self.affinity
        if kind in ("precomputed", "precomputed_nearest_neighbors"):
            W = _square(self, X, kind)
            if kind == "precomputed_nearest_neighbors":
                return _knn_from_distances(W, int(self.n_neighbors))
            return W
        X = _validate_vectors(self, X)
        n = X.shape[0]
        if kind == "nearest_neighbors":
            if self.n_neighbors >= n:
                raise ValueError(f"n_neighbors={self.n_neighbors} must be < n_samples={n}.")
            return _knn_graph(X, int(self.n_neighbors))
        return _kernel(X, kind, float(self.gamma), float(self.degree), float(self.coef0),
                       self.kernel_params or {})  # fmt: skip


def _n_components(W: Any) -> int:
    """Connected components of the affinity graph (a dense matrix without zeros is one)."""
    if not sparse.issparse(W):
        if np.count_nonzero(W) == W.size:
            return 1
        W = sparse.csr_array(W)
    return int(connected_components(sparse.csr_array(W), directed=False)[0])


def _validate_vectors(est: Any, X: Any) -> np.ndarray:
    if sparse.issparse(X):
        raise TypeError(
            "SpectralClustering takes sparse input only as a precomputed affinity or distance "
            "matrix (affinity='precomputed' / 'precomputed_nearest_neighbors'); densify X."
        )
    return np.ascontiguousarray(validate_X(est, X, reset=True, min_samples=2), dtype=np.float64)


def _square(est: Any, X: Any, kind: str) -> Any:
    """A square, symmetric, non-negative precomputed matrix (dense or sparse CSR)."""
    if sparse.issparse(X):
        M = sparse.csr_array(X, dtype=np.float64)
        if M.shape[0] < 2:
            raise ValueError(f"X needs at least 2 samples; got shape {M.shape}.")
        data = M.data
        est.n_features_in_ = M.shape[1]
    else:
        M = validate_X(est, X, reset=True, min_samples=2)
        M = np.asarray(M, dtype=np.float64)
        data = M
    if M.shape[0] != M.shape[1]:
        raise ValueError(
            f"affinity={kind!r} needs a square (n_samples, n_samples) matrix; X has shape "
            f"{M.shape}."
        )
    if not np.isfinite(data).all():
        raise ValueError("X holds NaN or infinity.")
    if (data < 0).any():
        raise ValueError(f"affinity={kind!r}: X has negative entries.")
    if kind == "precomputed":
        diff = abs(M - M.T)
        worst = diff.max() if sparse.issparse(M) else float(np.max(diff))
        scale = max(1.0, float(abs(M).max()))
        if worst > 1e-10 * scale:
            raise ValueError(
                f"affinity='precomputed' needs a symmetric matrix; X differs from its transpose "
                f"by up to {worst:.3g}."
            )
    return M


def _knn_graph(X: np.ndarray, k: int) -> sparse.csr_array:
    """0.5 (C + C^T) for the k-nearest-neighbour connectivity C (each sample its own first
    neighbour), from shoal's KD-tree (brute force beyond 16 features)."""
    n, d = X.shape
    index = spatial.build_kdtree(X, 30) if d <= KDTREE_MAX_DIM else spatial.build_brute(X)
    kind, Xs, order, _, _, _, _, _, lo, hi, ns, ne, child = index
    dist = np.empty((n, k))
    idx = np.empty((n, k), dtype=np.int64)
    spatial.knn(kind, Xs, lo, hi, ns, ne, child, spatial.EUCLIDEAN, 2.0, dist, idx)
    rows = np.repeat(order, k)
    cols = order[idx].ravel()
    C = sparse.csr_array((np.ones(n * k), (rows, cols)), shape=(n, n))
    return (0.5 * (C + C.T)).tocsr()


def _knn_from_distances(D: Any, k: int) -> sparse.csr_array:
    """0.5 (C + C^T) for the k nearest entries of each row of a distance matrix (the zero
    diagonal makes every sample its own first neighbour)."""
    n = D.shape[0]
    if k >= n:
        raise ValueError(f"n_neighbors={k} must be < n_samples={n}.")
    rows = np.repeat(np.arange(n), k)
    if sparse.issparse(D):
        cols = np.empty(n * k, dtype=np.int64)
        for i in range(n):
            lo, hi = D.indptr[i], D.indptr[i + 1]
            if hi - lo < k:
                raise ValueError(
                    f"precomputed sparse distances: row {i} stores {hi - lo} entries, fewer than "
                    f"n_neighbors={k}."
                )
            pick = np.argsort(D.data[lo:hi], kind="stable")[:k]
            cols[i * k : (i + 1) * k] = D.indices[lo:hi][pick]
    else:
        part = np.argpartition(D, k - 1, axis=1)[:, :k]
        cols = part.ravel()
    C = sparse.csr_array((np.ones(n * k), (rows, cols)), shape=(n, n))
    return (0.5 * (C + C.T)).tocsr()


def _kernel(X: np.ndarray, kind: Any, gamma: float, degree: float, coef0: float,
            params: dict) -> np.ndarray:  # fmt: skip
    """The dense kernel matrix (one n x n array, filled in place)."""
    if callable(kind):
        n = X.shape[0]
        K = np.empty((n, n))
        for i in range(n):
            for j in range(i, n):
                K[i, j] = K[j, i] = float(kind(X[i], X[j], **params))
        return K
    if kind == "rbf":
        K = neg_sq_euclidean(X)
        K *= gamma
        return np.exp(K, out=K)
    if kind == "laplacian":
        n = X.shape[0]
        K = np.empty((n, n))
        step = max(1, (1 << 22) // max(1, n * X.shape[1]))
        for r0 in range(0, n, step):
            K[r0 : r0 + step] = np.abs(X[r0 : r0 + step, None, :] - X[None, :, :]).sum(-1)
        K *= -gamma
        return np.exp(K, out=K)
    if kind == "cosine":
        norms = np.linalg.norm(X, axis=1)
        norms[norms == 0] = 1.0
        U = X / norms[:, None]
        return U @ U.T
    K = X @ X.T
    if kind == "linear":
        return K
    K *= gamma
    K += coef0
    if kind == "sigmoid":
        return np.tanh(K, out=K)
    return np.power(K, degree, out=K)  # poly / polynomial
