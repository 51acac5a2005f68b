"""Gaussian mixture kernels in torch: log densities and the fused E-step, weighted moments
(M-step), precision Cholesky factors.

Same conventions as ``numba_.mixture``: ``X`` (n, d) float32/float64 tensor; ``means`` (k, d);
``prec_chol`` upper-triangular ``L`` with ``precision = L L^T``: 'full' (k, d, d), 'tied'
(d, d), 'diag' (k, d), 'spherical' (k,). Work happens in X's dtype (float32 stays float32 on the
GPU) on rows taken ``chunk`` at a time, so temporaries are bounded by a memory budget, never
(n, k, d). Every kernel takes an optional ``shift`` (d,): the data are measured from it (the
data mean, or the weighted mean of the components), so that float32 distances and second
moments do not lose their digits to an offset of the data from the origin.
"""

from __future__ import annotations

import math
from typing import Any

import torch

__all__ = [
    "gaussian_estep",
    "gaussian_estep_chol",
    "gaussian_estep_diag",
    "gaussian_log_det_chol",
    "gaussian_log_prob",
    "gaussian_moments",
    "gaussian_precision_cholesky",
    "log_normalize_rows",
]

_LOG_2PI = math.log(2.0 * math.pi)
# Elements of the largest temporary a kernel allocates per chunk of rows (128 MB in float64).
BUDGET = 1 << 24


def _rows(n: int, width: int) -> int:
    """Rows per chunk so that a (rows, width) temporary stays within ``BUDGET``."""
    return int(max(1, min(n, BUDGET // max(1, width))))


def gaussian_log_det_chol(prec_chol: torch.Tensor, cov_type: str, d: int) -> torch.Tensor:
    """Log-determinant of each precision Cholesky factor, ``(k,)`` (0-d for 'tied')."""
    if cov_type == "full":
        return torch.log(torch.diagonal(prec_chol, dim1=1, dim2=2)).sum(dim=1)
    if cov_type == "tied":
        return torch.log(torch.diagonal(prec_chol)).sum()
    if cov_type == "diag":
        return torch.log(prec_chol).sum(dim=1)
    return d * torch.log(prec_chol)


def _quad_rows(
    Xr: torch.Tensor, means: torch.Tensor, prec_chol: torch.Tensor, cov_type: str
) -> torch.Tensor:
    """``(m, k)``: squared Mahalanobis distances of rows ``Xr`` (already shifted) to the means.

    'full'/'tied': ``||x L - mu L||^2`` from one product against every factor side by side;
    'diag'/'spherical': the square expanded into products (as scikit-learn), accurate because
    the rows are measured from a point near the data.
    """
    m, d = Xr.shape
    k = means.shape[0]
    if cov_type == "full":
        Lcat = prec_chol.permute(1, 0, 2).reshape(d, k * d)
        muL = torch.einsum("kd,kdf->kf", means, prec_chol)
        y = (Xr @ Lcat).view(m, k, d) - muL
        return (y * y).sum(dim=2)
    if cov_type == "tied":
        y = Xr @ prec_chol
        muL = means @ prec_chol
        diff = y[:, None, :] - muL[None, :, :]
        return (diff * diff).sum(dim=2)
    prec = prec_chol * prec_chol
    if cov_type == "diag":
        return (means * means * prec).sum(1) - 2.0 * (Xr @ (means * prec).T) + (Xr * Xr) @ prec.T
    x_sq = (Xr * Xr).sum(dim=1, keepdim=True)
    return (means * means).sum(1) * prec - 2.0 * (Xr @ (means.T * prec)) + x_sq * prec


def _width(cov_type: str, k: int, d: int) -> int:
    return k * d if cov_type in ("full", "tied") else max(k, d)


def gaussian_log_prob(
    X: torch.Tensor,
    means: torch.Tensor,
    prec_chol: torch.Tensor,
    cov_type: str,
    out: torch.Tensor,
    shift: torch.Tensor | None = None,
) -> None:
    """OUT ``out`` (n, k), X's dtype: ``log N(x_i | mean_j, cov_j)`` (as ``numba_``)."""
    n, d = X.shape
    k = means.shape[0]
    dt = X.dtype
    sh = torch.zeros(d, dtype=dt, device=X.device) if shift is None else shift.to(dt)
    mu = means.to(dt) - sh
    pc = prec_chol.to(dt)
    const = gaussian_log_det_chol(pc, cov_type, d) - 0.5 * d * _LOG_2PI
    step = _rows(n, _width(cov_type, k, d))
    for s in range(0, n, step):
        q = _quad_rows(X[s : s + step] - sh, mu, pc, cov_type)
        out[s : s + step] = const - 0.5 * q


def log_normalize_rows(A: torch.Tensor, log_weights: torch.Tensor, norm: torch.Tensor) -> None:
    """IN/OUT ``A`` (n, k): add ``log_weights`` (k,) to each row, then subtract the row's
    log-sum-exp, which goes to OUT ``norm`` (n,) float64. Rows of ``-inf`` stay ``-inf``
    with ``norm`` ``-inf``."""
    A += log_weights.to(A.dtype)
    lse = torch.logsumexp(A, dim=1)
    norm.copy_(lse)
    finite = torch.isfinite(lse)
    A -= torch.where(finite, lse, torch.zeros_like(lse))[:, None]


def gaussian_estep(
    X: torch.Tensor,
    means: torch.Tensor,
    prec_chol: torch.Tensor,
    cov_type: str,
    log_offsets: torch.Tensor,
    log_weights: torch.Tensor,
    w: torch.Tensor | None,
    out: torch.Tensor,
    norm: torch.Tensor,
    shift: torch.Tensor | None = None,
) -> None:
    """Fused E-step over chunks of rows: log densities, weights, a stable log-sum-exp.

    ``log_offsets`` (k,) is added to every component's log density (0 for a plain mixture).
    OUT ``norm`` (n,) float64: ``log p(x_i)``; OUT ``out`` (n, k) X's dtype: the log
    responsibilities, or with ``w`` (n,) the responsibilities times ``w`` (what the M-step
    needs). Temporaries are one chunk of rows at a time.
    """
    n, d = X.shape
    k = means.shape[0]
    dt = X.dtype
    sh = torch.zeros(d, dtype=dt, device=X.device) if shift is None else shift.to(dt)
    mu = means.to(dt) - sh
    pc = prec_chol.to(dt)
    const = (
        gaussian_log_det_chol(pc, cov_type, d)
        - 0.5 * d * _LOG_2PI
        + log_offsets.to(dt)
        + log_weights.to(dt)
    )
    step = _rows(n, _width(cov_type, k, d))
    for s in range(0, n, step):
        e = min(n, s + step)
        lp = const - 0.5 * _quad_rows(X[s:e] - sh, mu, pc, cov_type)
        lse = torch.logsumexp(lp, dim=1)
        norm[s:e] = lse
        lse = torch.where(torch.isfinite(lse), lse, torch.zeros_like(lse))
        if w is None:
            out[s:e] = lp - lse[:, None]
        else:
            out[s:e] = torch.exp(lp - lse[:, None]) * w[s:e, None].to(dt)


def gaussian_estep_diag(
    X: torch.Tensor,
    means: torch.Tensor,
    prec: torch.Tensor,
    log_det: torch.Tensor,
    log_weights: torch.Tensor,
    bounds: Any,
    w: torch.Tensor,
    as_resp: bool,
    out: torch.Tensor,
    norm: torch.Tensor,
) -> None:
    """``numba_.gaussian_estep_diag``'s contract: ``prec`` (k, d) precisions, ``log_det`` (k,)
    the log-determinants of the Cholesky factors (plus any per-component offset). ``bounds``
    (the numba path's parallel blocks) is accepted and ignored."""
    d = X.shape[1]
    pc = torch.sqrt(prec)
    offsets = log_det - gaussian_log_det_chol(pc, "diag", d)
    gaussian_estep(X, means, pc, "diag", offsets, log_weights, w if as_resp else None, out,
                   norm)  # fmt: skip


def gaussian_estep_chol(
    X: torch.Tensor,
    Lcat: torch.Tensor,
    muL: torch.Tensor,
    log_det: torch.Tensor,
    log_weights: torch.Tensor,
    bounds: Any,
    chunk: int,
    w: torch.Tensor,
    as_resp: bool,
    log_resp: torch.Tensor,
    norm: torch.Tensor,
) -> None:
    """``numba_.gaussian_estep_chol``'s contract: ``Lcat`` (d, k' d) the Cholesky factors side
    by side (k' = k for 'full', 1 for 'tied'), ``muL`` (k, d) ``mean_j @ L_j``, ``log_det`` (k,).
    ``bounds`` is ignored; ``chunk`` rows are done at a time."""
    n = X.shape[0]
    k, d = muL.shape
    dt = X.dtype
    tied = Lcat.shape[1] == d
    L = Lcat.to(dt)
    mL = muL.to(dt)
    const = log_det.to(dt) + log_weights.to(dt) - 0.5 * d * _LOG_2PI
    for s in range(0, n, max(1, int(chunk))):
        e = min(n, s + chunk)
        y = X[s:e] @ L
        y = y[:, None, :] if tied else y.view(e - s, k, d)
        diff = y - mL
        lp = const - 0.5 * (diff * diff).sum(dim=2)
        lse = torch.logsumexp(lp, dim=1)
        norm[s:e] = lse
        lse = torch.where(torch.isfinite(lse), lse, torch.zeros_like(lse))
        if as_resp:
            log_resp[s:e] = torch.exp(lp - lse[:, None]) * w[s:e, None].to(dt)
        else:
            log_resp[s:e] = lp - lse[:, None]


def _cancelled(variances: torch.Tensor, mu_c: torch.Tensor, eps: float) -> list[int]:
    """Components whose ``E[z^2] - E[z]^2`` variances may have lost their digits to
    cancellation (see ``numba_.mixture._cancelled``); ``eps`` is the precision the sums were
    accumulated in."""
    risk = 1e3 * eps * (mu_c * mu_c).max(dim=1).values
    return torch.nonzero(variances.min(dim=1).values <= risk).flatten().tolist()


def gaussian_moments(
    X: torch.Tensor,
    resp: torch.Tensor,
    cov_type: str,
    reg_covar: float,
    shift: torch.Tensor | None = None,
    sample_weight: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Weighted moments of the components: ``(nk, means, covariances)``, X's dtype.

    The contract of ``numba_.gaussian_moments`` (``resp`` holds responsibilities times sample
    weights; ``nk`` gets ``10 eps`` added; ``reg_covar`` on the variances; 'tied' takes the
    second moments of all samples weighted by ``sample_weight``, default the row sums of
    ``resp``). The sums are products over the shifted data ``z = X - shift`` in X's dtype;
    the small (k, d) results are finished in float64. 'full' covariances are two-pass
    (about each component's mean, one (n, d) product per component); 'diag'/'spherical' use
    ``E[z^2] - E[z]^2`` and recompute, two-pass, the components where that cancels.
    """
    d = X.shape[1]
    k = resp.shape[1]
    dt = X.dtype
    f64 = torch.float64
    if shift is None:
        shift = X.mean(dim=0, dtype=f64)
    shift = shift.to(f64)
    z = X - shift.to(dt)
    eps10 = 10 * torch.finfo(resp.dtype).eps
    nk = resp.sum(dim=0, dtype=f64) + eps10
    sx = (resp.T @ z).to(f64)
    mu_c = sx / nk[:, None]
    if cov_type == "full":
        cov = torch.empty((k, d, d), dtype=f64, device=X.device)
        for j in range(k):
            diff = z - mu_c[j].to(dt)
            cov[j] = ((resp[:, j : j + 1] * diff).T @ diff).to(f64) / nk[j]
        idx = torch.arange(d, device=X.device)
        cov[:, idx, idx] += reg_covar
    elif cov_type == "tied":
        rw = resp.sum(dim=1) if sample_weight is None else sample_weight.to(dt)
        wz = rw[:, None] * z
        S = (wz.T @ z).to(f64)
        sr = rw.sum(dtype=f64)
        a = wz.sum(dim=0, dtype=f64) - (nk[:, None] * mu_c).sum(dim=0)
        extra = torch.outer(a, shift) + torch.outer(shift, a)
        extra += (sr - nk.sum()) * torch.outer(shift, shift)
        cov = (S - (nk[:, None] * mu_c).T @ mu_c + extra) / nk.sum()
        cov = 0.5 * (cov + cov.T)
        cov.diagonal().add_(reg_covar)
    else:
        sxx = (resp.T @ (z * z)).to(f64)
        var = sxx / nk[:, None] - mu_c * mu_c
        for j in _cancelled(var, mu_c, float(torch.finfo(dt).eps)):
            diff = z - mu_c[j].to(dt)
            var[j] = (resp[:, j] @ (diff * diff)).to(f64) / nk[j]
        var += reg_covar
        cov = var if cov_type == "diag" else var.mean(dim=1)
    means = mu_c + shift
    return nk.to(dt), means.to(dt), cov.to(dt)


def gaussian_precision_cholesky(cov: torch.Tensor, cov_type: str) -> tuple[torch.Tensor, int]:
    """``(prec_chol, bad)``: Cholesky factors of the precisions (upper-triangular ``L`` with
    ``precision = L L^T`` for 'full'/'tied', ``1 / sqrt(variance)`` otherwise) and the first
    component whose covariance is not positive definite (-1 when none; 0 for 'tied'). The
    caller raises; a bad component's factor is undefined."""
    if cov_type in ("full", "tied"):
        covs = cov if cov_type == "full" else cov[None]
        chol, info = torch.linalg.cholesky_ex(covs)
        bad = torch.nonzero(info).flatten()
        first = int(bad[0]) if bad.numel() else -1
        eye = torch.eye(covs.shape[-1], dtype=cov.dtype, device=cov.device).expand_as(covs)
        inv = torch.linalg.solve_triangular(chol, eye, upper=False)
        out = inv.transpose(-1, -2).contiguous()
        return (out if cov_type == "full" else out[0]), first
    flat = cov <= 0.0 if cov_type == "spherical" else (cov <= 0).any(dim=1)
    bad = torch.nonzero(flat).flatten()
    first = int(bad[0]) if bad.numel() else -1
    return 1.0 / torch.sqrt(cov), first
