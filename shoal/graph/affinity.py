"""AffinityPropagation: exemplars chosen by passing messages between samples (Frey & Dueck
2007)."""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numba
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .._base import BaseClusterer, check_fitted
from .._kernels.numba_.affinity import (
    MIN_COLUMN_BLOCK,
    ap_iterate,
    ap_refine,
    equal_off_diagonal,
    kth_smallest,
)
from .._validation import check_int, check_option, check_random_state, check_real, validate_X
from ..density._index import nearest_rows

__all__ = ["AffinityPropagation"]

AFFINITIES = ("euclidean", "precomputed")
# Rows per block when the float32 similarities are computed in float64.
_ROWS = 256


class AffinityPropagation(BaseClusterer):
    """Affinity propagation: samples exchange responsibilities and availabilities until a set
    of exemplars emerges; each sample joins its most similar exemplar.

    Parameters
    ----------
    damping : float in [0.5, 1), default=0.5
        Weight of the previous message in each update (damps oscillations).
    max_iter : int, default=200
        Most iterations.
    convergence_iter : int, default=15
        Stop once the exemplars have not changed for this many iterations.
    copy : bool, default=True
        With affinity='precomputed', False lets the fit work in the caller's matrix (it then
        holds the preferences and the tie-breaking noise afterwards); True works on a copy.
    preference : float or array-like of shape (n_samples,), default=None
        Self-similarity: samples with larger preferences are likelier exemplars (default: the
        median similarity, which gives a moderate number of clusters).
    affinity : {'euclidean', 'precomputed'}, default='euclidean'
        'euclidean': similarity = minus the squared Euclidean distance; 'precomputed': X is
        the (n_samples, n_samples) similarity matrix.
    verbose : bool, default=False
        Print when the iteration stops.
    random_state : int, RandomState instance or None, default=None
        The tiny noise (relative 1e-16) that breaks ties between equal similarities.

    Attributes
    ----------
    cluster_centers_indices_ : ndarray of shape (n_clusters,), int64
        Exemplar indices, ascending.
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        The exemplars (affinity='euclidean' only).
    labels_ : ndarray of shape (n_samples,), int64
        Cluster of each sample (-1 everywhere when no exemplar emerged).
    affinity_matrix_ : ndarray of shape (n_samples, n_samples)
        The similarities used (preferences on the diagonal, noise added).
    n_iter_ : int
        Iterations run.
    converged_ : bool
        Whether the exemplars held still for ``convergence_iter`` iterations.
    n_features_in_ : int
    feature_names_in_ : ndarray

    Notes
    -----
    Memory is three n x n arrays in X's float dtype (similarities, responsibilities,
    availabilities): that is inherent to the algorithm, and nothing else of that size is
    allocated (the median preference comes from a radix selection, not a sorted copy). The
    updates are scikit-learn's, operation for operation; on non-convergence the result is
    scikit-learn's too (the last iteration's exemplars, with a ConvergenceWarning).

    Examples
    --------
    >>> import numpy as np
    >>> from shoal import AffinityPropagation
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [4, 2], [4, 4], [4, 0]], dtype=float)
    >>> ap = AffinityPropagation(random_state=5).fit(X)
    >>> ap.labels_.tolist(), ap.cluster_centers_indices_.tolist()
    ([0, 0, 0, 1, 1, 1], [0, 3])
    """

    _test_params: ClassVar[dict[str, Any]] = {"random_state": 0}

    def __init__(
        self,
        *,
        damping: float = 0.5,
        max_iter: int = 200,
        convergence_iter: int = 15,
        copy: bool = True,
        preference: Any = None,
        affinity: str = "euclidean",
        verbose: bool = False,
        random_state: Any = None,
    ) -> None:
        self.damping = damping
        self.max_iter = max_iter
        self.convergence_iter = convergence_iter
        self.copy = copy
        self.preference = preference
        self.affinity = affinity
        self.verbose = verbose
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.pairwise = self.affinity == "precomputed"
        return tags

    def _validate_params(self) -> None:
        check_real("damping", self.damping, low=0.5, high=1.0, high_inclusive=False)
        check_int("max_iter", self.max_iter, low=1)
        check_int("convergence_iter", self.convergence_iter, low=1)
        check_option("affinity", self.affinity, AFFINITIES)

    def fit(self, X: Any, y: Any = None) -> AffinityPropagation:
        """Find the exemplars.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or (n_samples, n_samples) with \
affinity='precomputed'
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : AffinityPropagation
            The fitted estimator.
        """
        self._validate_params()
        precomputed = self.affinity == "precomputed"
        X = validate_X(self, X, reset=True, copy=precomputed and bool(self.copy))
        n = X.shape[0]
        if precomputed:
            if X.shape[1] != n:
                raise ValueError(
                    "affinity='precomputed' needs a square similarity matrix; X has shape "
                    f"{X.shape}."
                )
            S = X
            if not S.flags.writeable:
                S = S.copy()
        else:
            S = neg_sq_euclidean(X)
        pref = self._preferences(S)
        rng = check_random_state(self.random_state)
        if n == 1 or (np.all(pref == pref[0]) and equal_off_diagonal(S)):
            warnings.warn(
                "All samples have mutually equal similarities. Returning arbitrary cluster "
                "center(s).",
                stacklevel=2,
            )
            many = pref[0] > S[0, n - 1]  # scikit-learn's rule
            centers = np.arange(n) if many else np.array([0])
            labels = np.arange(n) if many else np.zeros(n, dtype=np.int64)
            n_iter, converged = 0, True
        else:
            np.fill_diagonal(S, pref)
            _add_tie_noise(S, rng)
            R = np.zeros_like(S)
            A = np.zeros_like(S)
            damp = S.dtype.type(self.damping)
            keep = S.dtype.type(1 - float(self.damping))
            n_iter, converged, exemplar = ap_iterate(
                S, R, A, damp, keep, int(self.max_iter), int(self.convergence_iter),
                bool(self.verbose), _block_width(n),
            )  # fmt: skip
            del R, A
            centers, labels = _exemplars(S, exemplar, converged)
        self.affinity_matrix_ = S
        self.cluster_centers_indices_ = np.asarray(centers, dtype=np.int64)
        self.labels_ = np.asarray(labels, dtype=np.int64)
        self.n_iter_ = int(n_iter)
        self.converged_ = bool(converged)
        if not precomputed:
            self.cluster_centers_ = X[self.cluster_centers_indices_].copy()
        return self

    def _preferences(self, S: np.ndarray) -> np.ndarray:
        n = S.shape[0]
        if self.preference is None:
            flat = S.reshape(-1)
            bits = flat.view(np.int64 if flat.dtype == np.float64 else np.int32)
            m = flat.shape[0]
            hi = kth_smallest(flat, bits, m // 2)
            med = hi if m % 2 else (kth_smallest(flat, bits, m // 2 - 1) + hi) / 2
            return np.full(n, med, dtype=np.float64)
        pref = np.asarray(self.preference, dtype=np.float64)
        if pref.ndim == 0:
            pref = np.full(n, float(pref))
        if pref.shape != (n,):
            raise ValueError(
                f"preference must be a float or an array of n_samples={n} values; got shape "
                f"{pref.shape}."
            )
        if not np.isfinite(pref).all():
            raise ValueError("preference holds NaN or infinity.")
        return pref

    def predict(self, X: Any) -> np.ndarray:
        """The cluster of the nearest exemplar (affinity='euclidean').

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,), int64
            -1 everywhere when the fit found no exemplar.
        """
        check_fitted(self, "cluster_centers_indices_")
        if self.affinity == "precomputed":
            raise ValueError("Predict method is not supported when affinity='precomputed'.")
        X = validate_X(self, X, reset=False)
        C = self.cluster_centers_.astype(np.float64)
        if C.shape[0] == 0:
            warnings.warn(
                "This model does not have any cluster centers because affinity propagation "
                "did not converge. Labeling every sample as '-1'.",
                ConvergenceWarning,
                stacklevel=2,
            )
            return np.full(X.shape[0], -1, dtype=np.int64)
        return nearest_rows(np.ascontiguousarray(X, dtype=np.float64), C)

    def fit_predict(self, X: Any, y: Any = None, **kwargs: Any) -> np.ndarray:
        """Fit and return the cluster of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored
            Not used, present for API consistency.
        **kwargs : dict
            Unused.

        Returns
        -------
        labels : ndarray of shape (n_samples,), int64
        """
        return self.fit(X).labels_


def _block_width(n: int) -> int:
    """Columns per availability block: one block per thread, at least MIN_COLUMN_BLOCK."""
    nt = numba.get_num_threads()
    return max(MIN_COLUMN_BLOCK, -(-n // nt))


def neg_sq_euclidean(X: np.ndarray) -> np.ndarray:
    """Minus the squared Euclidean distances, computed as scikit-learn's euclidean_distances
    (``(-2 x.y + |x|^2) + |y|^2``, clipped at 0, zero diagonal) in one n x n array."""
    if X.dtype == np.float64:
        sq = np.einsum("ij,ij->i", X, X)
        S = X @ X.T
        S *= -2.0
        S += sq[:, None]
        S += sq[None, :]
    else:  # float32: float64 blocks, stored as float32
        X64 = X.astype(np.float64)
        sq = np.einsum("ij,ij->i", X64, X64)
        S = np.empty((X.shape[0], X.shape[0]), dtype=X.dtype)
        for r0 in range(0, X.shape[0], _ROWS):
            B = X64[r0 : r0 + _ROWS] @ X64.T
            B *= -2.0
            B += sq[r0 : r0 + _ROWS, None]
            B += sq[None, :]
            S[r0 : r0 + _ROWS] = B
    np.maximum(S, 0, out=S)
    np.fill_diagonal(S, 0)
    np.negative(S, out=S)
    return S


def _add_tie_noise(S: np.ndarray, rng: np.random.RandomState) -> None:
    """``S += (eps S + 100 tiny) z``, z standard normal drawn row after row (the same stream
    as one (n, n) draw), without an n x n temporary."""
    info = np.finfo(S.dtype)
    eps, tiny = float(info.eps), float(info.tiny)
    for i in range(S.shape[0]):
        z = rng.standard_normal(size=S.shape[1])
        row = S[i].astype(np.float64)
        S[i] = row + (eps * row + tiny * 100) * z


def _exemplars(
    S: np.ndarray, exemplar: np.ndarray, converged: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Exemplars and labels from the final exemplar flags (scikit-learn's refinement)."""
    n = S.shape[0]
    idx = np.flatnonzero(exemplar).astype(np.int64)
    if idx.size == 0:
        warnings.warn(
            "Affinity propagation did not converge and this model will not have any cluster "
            "centers.",
            ConvergenceWarning,
            stacklevel=3,
        )
        return np.empty(0, dtype=np.int64), np.full(n, -1, dtype=np.int64)
    if not converged:
        warnings.warn(
            "Affinity propagation did not converge, this model may return degenerate cluster "
            "centers and labels.",
            ConvergenceWarning,
            stacklevel=3,
        )
    c = ap_refine(S, idx)
    labels = idx[c]
    centers = np.unique(labels)
    return centers, np.searchsorted(centers, labels)
