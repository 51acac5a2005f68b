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

from ..._backend import blas_one_thread

__all__ = [
    "gaussian_estep_chol",
    "gaussian_estep_diag",
    "gaussian_log_det_chol",
    "gaussian_log_prob",
    "gaussian_moment_sums",
    "gaussian_moment_sums_diag",
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
    X: np.ndarray,
    resp: np.ndarray,
    cov_type: str,
    reg_covar: float,
    shift: np.ndarray | None = None,
    sample_weight: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted moments of the components: ``(nk, means, covariances)``, X's dtype.

    ``resp`` (n, k) holds responsibilities times sample weights. ``nk`` gets ``10 * eps``
    added (no empty component divides by zero) and ``reg_covar`` is added to the variances,
    as scikit-learn does. One parallel pass over X accumulates first and second moments
    about ``shift`` (default: the data mean; float64), so no (n, d) temporary per component.
    'tied' takes the second moments of all samples, weighted by ``sample_weight`` (default: the
    row sums of ``resp``), as scikit-learn does, whatever the responsibilities.
    """
    n, d = X.shape
    k = resp.shape[1]
    bounds = _bounds(n)
    nb = bounds.shape[0] - 1
    if shift is None:
        shift = X.mean(axis=0, dtype=np.float64)
    eps10 = 10 * np.finfo(resp.dtype).eps
    r = resp
    sr = np.empty((nb, k))
    sx = np.empty((nb, k, d))
    if cov_type in ("full", "tied"):
        if cov_type == "tied":
            rw = resp.sum(axis=1) if sample_weight is None else sample_weight
            r = np.ascontiguousarray(np.asarray(rw, dtype=resp.dtype)[:, None])
            sr = np.empty((nb, 1))
            sx = np.empty((nb, 1, d))
        pf, pg = np.tril_indices(d)
        sxx = np.empty((nb, r.shape[1], pf.shape[0]))
        with blas_one_thread():
            gaussian_moment_sums(X, r, shift, bounds, _CHUNK, pf.astype(np.int64),
                                 pg.astype(np.int64), sr, sx, sxx)  # fmt: skip
        S = np.zeros((r.shape[1], d, d))
        S[:, pf, pg] = sxx.sum(axis=0)
        S[:, pg, pf] = S[:, pf, pg]
        if cov_type == "tied":
            nk = resp.sum(axis=0, dtype=np.float64) + eps10
            sx_k = resp.T.astype(np.float64) @ (X - shift)  # (k, d) first moments per component
            mu_c = sx_k / nk[:, None]
            # sum w x x^T - sum nk mu mu^T, moved back from the shifted to the raw moments (the
            # correction vanishes when the rows of resp sum to the weights, as in EM steps).
            a = sx.sum(axis=0)[0] - (nk[:, None] * mu_c).sum(axis=0)
            extra = np.outer(a, shift) + np.outer(shift, a)
            extra += (sr.sum() - nk.sum()) * np.outer(shift, shift)
            cov = (S[0] - (nk[:, None] * mu_c).T @ mu_c + extra) / nk.sum()
            cov.flat[:: d + 1] += reg_covar
            means = mu_c + shift
        else:
            nk = sr.sum(axis=0) + eps10
            mu_c = sx.sum(axis=0) / nk[:, None]
            cov = S / nk[:, None, None] - mu_c[:, :, None] * mu_c[:, None, :]
            means = mu_c + shift
            idx = np.arange(d)
            for j in _cancelled(cov[:, idx, idx], mu_c):
                diff = X - means[j]
                cov[j] = (resp[:, j] * diff.T) @ diff / nk[j]
            cov[:, idx, idx] += reg_covar
    else:
        sxx = np.empty((nb, k, d))
        gaussian_moment_sums_diag(X, resp, shift, bounds, sr, sx, sxx)
        nk = sr.sum(axis=0) + eps10
        mu_c = sx.sum(axis=0) / nk[:, None]
        var = sxx.sum(axis=0) / nk[:, None] - mu_c**2
        means = mu_c + shift
        for j in _cancelled(var, mu_c):
            var[j] = resp[:, j] @ (X - means[j]) ** 2 / nk[j]
        var += reg_covar
        cov = var if cov_type == "diag" else var.mean(axis=1)
    dt = X.dtype
    return nk.astype(dt), means.astype(dt), np.asarray(cov, dtype=dt)


_CHUNK = 512


def _cancelled(variances: np.ndarray, mu_c: np.ndarray) -> np.ndarray:
    """Components whose variances from ``E[z^2] - E[z]^2`` may have lost their digits to
    cancellation (a variance within 1e3 eps of the squared offset ``mu_c^2`` of the component
    from the shift); the caller recomputes them from centred differences. Keeps a collapsed
    component exactly singular, as the two-pass formula gives it."""
    risk = 1e3 * np.finfo(np.float64).eps * (mu_c**2).max(axis=1)
    return np.flatnonzero(variances.min(axis=1) <= risk)


def _bounds(n: int) -> np.ndarray:
    import numba

    n_blocks = int(max(1, min(n, numba.get_num_threads() * 4)))
    return np.linspace(0, n, n_blocks + 1).astype(np.int64)


@njit(cache=True, nogil=True, inline="always")
def _row_max(lp):
    """Largest entry of ``lp`` (a separate pass: tracking it inside the density loop costs a
    mispredicted branch whenever the best component comes late)."""
    best = lp[0]
    for j in range(1, lp.shape[0]):
        v = lp[j]
        best = v if v > best else best
    return best


@njit(cache=True, nogil=True, inline="always", fastmath={"reassoc", "contract", "nsz"})
def _finish_row(out, i, lp, ex, best, w, as_resp):
    """Log-sum-exp of ``lp`` (k,) with its maximum ``best``; writes row ``i`` of ``out`` (log
    responsibilities, or responsibilities times ``w[i]``) and returns the log-sum-exp. One
    ``exp`` per entry (``ex`` (k,) is workspace)."""
    k = lp.shape[0]
    tot = 0.0
    for j in range(k):
        # Below exp(-700) ~ 1e-304 a term cannot change the sums it enters; clamping there
        # keeps denormal numbers (slow arithmetic, slow exp) out of the E- and M-steps.
        e = np.exp(max(lp[j] - best, -700.0))
        ex[j] = e
        tot += e
    lse = best + np.log(tot)
    if as_resp:
        scale = np.float64(w[i]) / tot
        for j in range(k):
            out[i, j] = ex[j] * scale
    else:
        for j in range(k):
            out[i, j] = lp[j] - lse
    return lse


# Reassociation lets LLVM vectorise the sums; no flag that assumes finite values (a weight
# of zero gives log-weight -inf).
_FAST = {"reassoc", "contract", "nsz"}


@njit(cache=True, nogil=True, parallel=True, fastmath=_FAST)
def gaussian_estep_diag(X, means, prec, log_det, log_weights, bounds, w, as_resp, out, norm):
    """Fused E-step for 'diag' and 'spherical' covariances (see :func:`gaussian_estep_chol`).

    ``prec`` (k, d) float64: the precisions (inverse variances; a spherical component repeats
    its one value). OUT ``out`` (n, k) and ``norm`` (n,) as there.
    """
    n_blocks = bounds.shape[0] - 1
    k, d = means.shape
    const = -0.5 * d * np.log(2.0 * np.pi)
    for b in prange(n_blocks):
        lp = np.empty(k)
        ex = np.empty(k)
        for i in range(bounds[b], bounds[b + 1]):
            for j in range(k):
                acc = 0.0
                for f in range(d):
                    y = np.float64(X[i, f]) - means[j, f]
                    acc += y * y * prec[j, f]
                lp[j] = const - 0.5 * acc + log_det[j] + log_weights[j]
            best = _row_max(lp)
            norm[i] = _finish_row(out, i, lp, ex, best, w, as_resp)


@njit(cache=True, nogil=True, parallel=True, fastmath=_FAST)
def gaussian_estep_chol(
    X, Lcat, muL, log_det, log_weights, bounds, chunk, w, as_resp, log_resp, norm
):
    """Fused E-step for 'full' and 'tied' covariances: log responsibilities and log p(x).

    ``Lcat`` (d, k' * d) holds the precision Cholesky factors side by side (k' = k for 'full',
    1 for 'tied'); ``muL`` (k, d) float64 is ``mean_j @ L_j``. Each ``chunk`` of rows gets one
    BLAS product ``X[rows] @ Lcat``, then ``log N`` for every component, the weights and a
    stable log-sum-exp, so no (n, k, d) array and no (n, k) temporary besides ``log_resp``.

    OUT ``log_resp`` (n, k) X's dtype, ``norm`` (n,) float64. With ``as_resp`` the
    responsibilities times the weights ``w`` (n,) are written instead of their logs (what the
    M-step needs). The caller limits BLAS to one thread; parallelism is over the blocks of
    ``bounds``.
    """
    n_blocks = bounds.shape[0] - 1
    k, d = muL.shape
    tied = Lcat.shape[1] == d
    const = -0.5 * d * np.log(2.0 * np.pi)
    for b in prange(n_blocks):
        tile = np.empty((chunk, Lcat.shape[1]), dtype=X.dtype)
        lp = np.empty(k)
        ex = np.empty(k)
        stop = bounds[b + 1]
        for s in range(bounds[b], stop, chunk):
            e = min(stop, s + chunk)
            m = e - s
            np.dot(X[s:e], Lcat, tile[:m])
            for r in range(m):
                for j in range(k):
                    off = 0 if tied else j * d
                    acc = 0.0
                    for f in range(d):
                        y = np.float64(tile[r, off + f]) - muL[j, f]
                        acc += y * y
                    lp[j] = const - 0.5 * acc + log_det[j] + log_weights[j]
                best = _row_max(lp)
                norm[s + r] = _finish_row(log_resp, s + r, lp, ex, best, w, as_resp)


@njit(cache=True, nogil=True, parallel=True)
def gaussian_moment_sums(X, resp, shift, bounds, chunk, pair_f, pair_g, sr, sx, sxx):
    """Per-block weighted sums for the M-step, on ``z = X - shift`` (shift (d,) float64, e.g.
    the data mean, so that second moments do not lose precision to a large offset).

    IN ``resp`` (n, k): responsibilities times sample weights; ``pair_f``, ``pair_g`` (T,)
    int64: the (f, g) index pairs of the second moments wanted (the lower triangle).
    OUT ``sr`` (n_blocks, k) float64: ``sum_i r_ij``; ``sx`` (n_blocks, k, d) float64:
    ``sum_i r_ij z_i``; ``sxx`` (n_blocks, k, T) float64:
    ``sum_i r_ij z_if z_ig``. Each ``chunk`` of rows becomes two BLAS products,
    ``r^T z`` and ``r^T (z_f z_g)`` (the caller limits BLAS to one thread).
    """
    n_blocks = bounds.shape[0] - 1
    d = X.shape[1]
    k = resp.shape[1]
    T = pair_f.shape[0]
    for b in prange(n_blocks):
        # Loops and BLAS products into buffers, no array assignments to slices (each costs
        # numba seconds of compilation).
        for j in range(k):
            sr[b, j] = 0.0
            for f in range(d):
                sx[b, j, f] = 0.0
            for t in range(T):
                sxx[b, j, t] = 0.0
        z = np.empty((chunk, d))
        zz = np.empty((chunk, T))
        rr = np.empty((chunk, k))
        px = np.empty((k, d))
        pxx = np.empty((k, T))
        stop = bounds[b + 1]
        for s in range(bounds[b], stop, chunk):
            e = min(stop, s + chunk)
            m = e - s
            for r in range(m):
                for f in range(d):
                    z[r, f] = np.float64(X[s + r, f]) - shift[f]
                for t in range(T):
                    zz[r, t] = z[r, pair_f[t]] * z[r, pair_g[t]]
                for j in range(k):
                    v = np.float64(resp[s + r, j])
                    rr[r, j] = v
                    sr[b, j] += v
            np.dot(rr[:m].T, z[:m], px)
            np.dot(rr[:m].T, zz[:m], pxx)
            for j in range(k):
                for f in range(d):
                    sx[b, j, f] += px[j, f]
                for t in range(T):
                    sxx[b, j, t] += pxx[j, t]


@njit(cache=True, nogil=True, parallel=True, fastmath=_FAST)
def gaussian_moment_sums_diag(X, resp, shift, bounds, sr, sx, sxx):
    """As :func:`gaussian_moment_sums` with only the squares: ``sxx`` (n_blocks, k, d)."""
    n_blocks = bounds.shape[0] - 1
    d = X.shape[1]
    k = resp.shape[1]
    for b in prange(n_blocks):
        sr[b] = 0.0
        sx[b] = 0.0
        sxx[b] = 0.0
        z = np.empty(d)
        for i in range(bounds[b], bounds[b + 1]):
            for f in range(d):
                z[f] = np.float64(X[i, f]) - shift[f]
            for j in range(k):
                r = np.float64(resp[i, j])
                if r == 0.0:
                    continue
                sr[b, j] += r
                for f in range(d):
                    rz = r * z[f]
                    sx[b, j, f] += rz
                    sxx[b, j, f] += rz * z[f]
