"""Gaussian mixture kernels: per-component log densities (E-step) and weighted moments (M-step).

Conventions: ``X`` (n, d) float32/float64; ``means`` (k, d); covariance types and the shapes of
``covariances`` / ``prec_chol`` (Cholesky factors of the precision matrices, upper-triangular
``L`` with ``precision = L L^T``): 'full' (k, d, d), 'tied' (d, d), 'diag' (k, d),
'spherical' (k,). The work is done one component at a time with BLAS, so temporaries are
``(n, d)`` or ``(n, k)``, never ``(n, k, d)``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = [
    "gaussian_log_det_chol",
    "gaussian_log_prob",
    "gaussian_moments",
    "log_normalize_rows",
]

_LOG_2PI = float(np.log(2.0 * np.pi))


def gaussian_log_det_chol(prec_chol: np.ndarray, cov_type: str, d: int) -> np.ndarray:
    """Log-determinant of each precision Cholesky factor, ``(k,)`` (a scalar for 'tied')."""
    if cov_type == "full":
        return np.log(np.diagonal(prec_chol, axis1=1, axis2=2)).sum(axis=1)
    if cov_type == "tied":
        return np.asarray(np.log(np.diag(prec_chol)).sum())
    if cov_type == "diag":
        return np.log(prec_chol).sum(axis=1)
    return d * np.log(prec_chol)


def gaussian_log_prob(
    X: np.ndarray, means: np.ndarray, prec_chol: np.ndarray, cov_type: str, out: np.ndarray
) -> None:
    """OUT ``out`` (n, k), X's dtype: ``log N(x_i | mean_j, cov_j)``.

    'full' and 'tied' use ``||(x - mu) L||^2`` with one (n, d) product per component; 'diag'
    and 'spherical' expand the square into three BLAS products.
    """
    d = X.shape[1]
    k = means.shape[0]
    log_det = gaussian_log_det_chol(prec_chol, cov_type, d)
    if cov_type in ("full", "tied"):
        for j in range(k):
            L = prec_chol[j] if cov_type == "full" else prec_chol
            y = X @ L
            y -= means[j] @ L
            out[:, j] = np.einsum("ij,ij->i", y, y)
    elif cov_type == "diag":
        prec = prec_chol**2
        out[:] = (means**2 * prec).sum(axis=1) - 2.0 * (X @ (means * prec).T) + (X * X) @ prec.T
    else:
        prec = prec_chol**2
        x_sq = np.einsum("ij,ij->i", X, X)
        out[:] = (means**2).sum(axis=1) * prec - 2.0 * (X @ (means.T * prec)) + np.outer(x_sq, prec)
    out *= -0.5
    out += -0.5 * d * _LOG_2PI + log_det


@njit(cache=True, nogil=True, parallel=True)
def log_normalize_rows(A, log_weights, norm):
    """IN/OUT ``A`` (n, k): add ``log_weights`` (k,) to each row, then subtract the row's
    log-sum-exp, which goes to OUT ``norm`` (n,) float64 (a stable log-sum-exp: max first)."""
    n, k = A.shape
    for i in prange(n):
        m = -np.inf
        for j in range(k):
            v = A[i, j] + log_weights[j]
            A[i, j] = v
            if v > m:
                m = v
        if m == -np.inf:
            norm[i] = -np.inf
            continue
        s = 0.0
        for j in range(k):
            s += np.exp(np.float64(A[i, j]) - m)
        lse = m + np.log(s)
        norm[i] = lse
        for j in range(k):
            A[i, j] = A[i, j] - lse


def gaussian_moments(
    X: np.ndarray, resp: np.ndarray, cov_type: str, reg_covar: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted moments of the components: ``(nk, means, covariances)``.

    ``resp`` (n, k) holds responsibilities times sample weights. ``nk`` gets ``10 * eps``
    added (no empty component divides by zero) and ``reg_covar`` is added to the variances,
    as scikit-learn does.
    """
    d = X.shape[1]
    k = resp.shape[1]
    nk = resp.sum(axis=0) + 10 * np.finfo(resp.dtype).eps
    means = (resp.T @ X) / nk[:, None]
    if cov_type == "full":
        cov = np.empty((k, d, d), dtype=X.dtype)
        for j in range(k):
            diff = X - means[j]
            cov[j] = (resp[:, j] * diff.T) @ diff / nk[j]
            cov[j].flat[:: d + 1] += reg_covar
    elif cov_type == "tied":
        cov = X.T @ (X * resp.sum(axis=1)[:, None]) - (nk * means.T) @ means
        cov /= nk.sum()
        cov.flat[:: d + 1] += reg_covar
    else:
        var = (resp.T @ (X * X)) / nk[:, None] - means**2 + reg_covar
        cov = var if cov_type == "diag" else var.mean(axis=1)
    return nk, means, cov
