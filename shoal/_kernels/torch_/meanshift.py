"""Mean shift kernels in torch (and Triton): one step of every seed, and the iteration.

A Gaussian mean-shift step is softmax attention: seed y moves to
``sum_j softmax_j((y.x_j - |x_j|^2 / 2) / h^2) x_j``. Both implementations here stream over
tiles of X with an online softmax (running maximum, running sum, rescaled accumulator: the
FlashAttention recurrence), so nothing of size seeds x n is ever allocated:

* ``_gaussian_step_triton``: a Triton kernel, one program per block of seeds (CUDA, float32);
* ``_gaussian_step_torch``: the same recurrence in plain torch on (seed block, X tile) chunks
  (CPU, float64, and the reference the tests compare the Triton kernel against).

Accuracy in float32: the logits are differences of large numbers when the data sit far from
the point they are measured from (fp16 attention gets errors up to 0.6 that way). Each block
of seeds is therefore measured from its own centre ``c`` (the mean of the block's seeds):
``x' = x - c``, ``y' = y - c``, and the logit error is about ``eps |y'|^2 / h^2`` for the
samples that carry weight, small when the block's seeds are close together (the caller sorts
the seeds spatially). Products use full fp32 (``input_precision="ieee"``), not TF32.
"""

from __future__ import annotations

import math
import os
from typing import Any

import torch

from .mixture import BUDGET

__all__ = [
    "meanshift_flat_step",
    "meanshift_gaussian_step",
    "meanshift_torch",
    "spatial_order",
    "triton_available",
]

_LOG2E = 1.0 / math.log(2.0)
_TRITON: dict[bool, Any] = {}


def triton_available() -> bool:
    """Whether triton imports (the Triton kernel runs on CUDA, or anywhere under
    ``TRITON_INTERPRET=1``)."""
    try:
        import triton  # noqa: F401
    except ImportError:
        return False
    return True


def _interpreting() -> bool:
    return os.environ.get("TRITON_INTERPRET", "0") not in ("", "0")


def _triton_kernel() -> Any:
    """The Triton kernel, built on first use (triton reads ``TRITON_INTERPRET`` when a kernel
    is defined; one kernel per mode)."""
    key = _interpreting()
    if key in _TRITON:
        return _TRITON[key]
    import triton
    import triton.language as tl

    @triton.jit
    def _ms_gauss(
        Y, X, OUT, LOGMASS, LOGPEAK, M, N, D, stride_y, stride_x, stride_o, scale,
        BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_D: tl.constexpr,
    ):  # fmt: skip
        pid = tl.program_id(0)
        offs_m = pid * BLOCK_M + tl.arange(0, BLOCK_M)
        offs_d = tl.arange(0, BLOCK_D)
        mask_m = offs_m < M
        mask_d = offs_d < D
        y = tl.load(
            Y + offs_m[:, None] * stride_y + offs_d[None, :],
            mask=mask_m[:, None] & mask_d[None, :], other=0.0,
        )  # fmt: skip
        # The block's own origin: the mean of its seeds.
        cnt = tl.sum(mask_m.to(tl.float32), axis=0)
        c = tl.sum(y, axis=0) / cnt
        y = tl.where(mask_m[:, None] & mask_d[None, :], y - c[None, :], 0.0)
        m_i = tl.full([BLOCK_M], float("-inf"), tl.float32)
        l_i = tl.zeros([BLOCK_M], tl.float32)
        acc = tl.zeros([BLOCK_M, BLOCK_D], tl.float32)
        for start in range(0, N, BLOCK_N):
            offs_n = start + tl.arange(0, BLOCK_N)
            mask_n = offs_n < N
            x = tl.load(
                X + offs_n[:, None] * stride_x + offs_d[None, :],
                mask=mask_n[:, None] & mask_d[None, :], other=0.0,
            )  # fmt: skip
            x = tl.where(mask_n[:, None] & mask_d[None, :], x - c[None, :], 0.0)
            xsq = tl.sum(x * x, axis=1)
            qk = tl.dot(y, tl.trans(x), input_precision="ieee")
            s = (qk - 0.5 * xsq[None, :]) * scale
            s = tl.where(mask_n[None, :], s, float("-inf"))
            m_new = tl.maximum(m_i, tl.max(s, axis=1))
            alpha = tl.exp2(m_i - m_new)
            p = tl.exp2(s - m_new[:, None])
            l_i = l_i * alpha + tl.sum(p, axis=1)
            acc = acc * alpha[:, None] + tl.dot(p, x, input_precision="ieee")
            m_i = m_new
        out = acc / l_i[:, None] + c[None, :]
        tl.store(
            OUT + offs_m[:, None] * stride_o + offs_d[None, :], out,
            mask=mask_m[:, None] & mask_d[None, :],
        )  # fmt: skip
        ysq = tl.sum(y * y, axis=1)
        ln2 = 0.6931471805599453
        peak = m_i * ln2 - 0.5 * ysq * scale * ln2
        tl.store(LOGPEAK + offs_m, peak, mask=mask_m)
        tl.store(LOGMASS + offs_m, peak + tl.log(l_i), mask=mask_m)

    _TRITON[key] = _ms_gauss
    return _ms_gauss


def _gaussian_step_triton(
    X: torch.Tensor, Y: torch.Tensor, h: float, out: torch.Tensor, log_mass: torch.Tensor,
    log_peak: torch.Tensor, block_m: int = 64, block_n: int = 64,
) -> None:  # fmt: skip
    import triton

    kern = _triton_kernel()
    m, d = Y.shape
    block_d = max(16, triton.next_power_of_2(d))
    grid = (triton.cdiv(m, block_m),)
    kern[grid](
        Y, X, out, log_mass, log_peak, m, X.shape[0], d, Y.stride(0), X.stride(0),
        out.stride(0), _LOG2E / (h * h), BLOCK_M=block_m, BLOCK_N=block_n, BLOCK_D=block_d,
    )  # fmt: skip


def _gaussian_step_torch(
    X: torch.Tensor, Y: torch.Tensor, h: float, out: torch.Tensor, log_mass: torch.Tensor,
    log_peak: torch.Tensor, block_m: int = 1024,
) -> None:  # fmt: skip
    n, d = X.shape
    inv = 1.0 / (h * h)
    tile = max(1, BUDGET // max(1, block_m))
    for s in range(0, Y.shape[0], block_m):
        e = min(Y.shape[0], s + block_m)
        c = Y[s:e].mean(dim=0)
        y = Y[s:e] - c
        m_i = torch.full((e - s,), float("-inf"), dtype=X.dtype, device=X.device)
        l_i = torch.zeros(e - s, dtype=X.dtype, device=X.device)
        acc = torch.zeros((e - s, d), dtype=X.dtype, device=X.device)
        for t in range(0, n, tile):
            x = X[t : t + tile] - c
            logits = (y @ x.T - 0.5 * (x * x).sum(dim=1)) * inv
            m_new = torch.maximum(m_i, logits.max(dim=1).values)
            alpha = torch.exp(m_i - m_new)
            p = torch.exp(logits - m_new[:, None])
            l_i = l_i * alpha + p.sum(dim=1)
            acc = acc * alpha[:, None] + p @ x
            m_i = m_new
        out[s:e] = acc / l_i[:, None] + c
        peak = m_i - 0.5 * (y * y).sum(dim=1) * inv
        log_peak[s:e] = peak
        log_mass[s:e] = peak + torch.log(l_i)


def meanshift_gaussian_step(
    X: torch.Tensor,
    Y: torch.Tensor,
    h: float,
    out: torch.Tensor,
    log_mass: torch.Tensor,
    log_peak: torch.Tensor,
    use_triton: bool | None = None,
) -> None:
    """One Gaussian mean-shift step of every seed.

    Parameters
    ----------
    X : tensor of shape (n, d)
        IN. Samples (float32/float64; measured from each seed block's centre).
    Y : tensor of shape (m, d)
        IN. Seeds, X's dtype and device.
    h : float
        IN. Bandwidth.
    out : tensor of shape (m, d)
        OUT. ``sum_j w_j x_j / sum_j w_j`` with ``w_j = exp(-|y - x_j|^2 / (2 h^2))``.
    log_mass, log_peak : tensors of shape (m,)
        OUT. ``log sum_j w_j`` and ``log max_j w_j`` (``-min_j |y - x_j|^2 / (2 h^2)``).
    use_triton : bool, optional
        The Triton kernel (float32 only); default: on CUDA when triton imports, or under
        ``TRITON_INTERPRET=1``.
    """
    if use_triton is None:
        use_triton = (
            X.dtype == torch.float32 and (X.is_cuda or _interpreting()) and triton_available()
        )
    if use_triton:
        _gaussian_step_triton(X.contiguous(), Y.contiguous(), h, out, log_mass, log_peak)
    else:
        _gaussian_step_torch(X, Y, h, out, log_mass, log_peak)


def meanshift_flat_step(
    X: torch.Tensor, Y: torch.Tensor, h: float, out: torch.Tensor, count: torch.Tensor
) -> None:
    """One flat-kernel step: OUT ``out`` (m, d) the mean of the samples within ``h`` of each
    seed (the seed itself where there is none) and ``count`` (m,) int64 their number.
    Distances are sums of squared differences (as the numba kernel measures them), in chunks
    of (seeds x samples x d) bounded by ``BUDGET``."""
    n, d = X.shape
    m = Y.shape[0]
    r2 = h * h
    tile_n = max(1, min(n, BUDGET // max(1, 64 * d)))
    block_m = max(1, min(m, BUDGET // max(1, tile_n * d)))
    for s in range(0, m, block_m):
        e = min(m, s + block_m)
        y = Y[s:e]
        sums = torch.zeros((e - s, d), dtype=X.dtype, device=X.device)
        cnt = torch.zeros(e - s, dtype=torch.int64, device=X.device)
        for t in range(0, n, tile_n):
            x = X[t : t + tile_n]
            diff = y[:, None, :] - x[None, :, :]
            within = ((diff * diff).sum(dim=2) <= r2).to(X.dtype)
            sums += within @ x
            cnt += within.sum(dim=1).to(torch.int64)
        has = cnt > 0
        out[s:e] = torch.where(has[:, None], sums / cnt.clamp(min=1)[:, None].to(X.dtype), y)
        count[s:e] = cnt


def spatial_order(Y: torch.Tensor, cell: float) -> torch.Tensor:
    """A permutation that puts seeds of nearby grid cells (side ``cell``, on the first three
    coordinates) next to each other, so that a block of seeds spans a small region."""
    q = torch.floor((Y[:, :3] - Y[:, :3].min(dim=0).values) / cell).to(torch.int64)
    key = torch.zeros(Y.shape[0], dtype=torch.int64, device=Y.device)
    for f in range(q.shape[1]):
        span = int(q[:, f].max()) + 1 if q.shape[0] else 1
        key = key * span + q[:, f]
    return torch.argsort(key, stable=True)


def meanshift_torch(
    X: torch.Tensor,
    seeds: torch.Tensor,
    h: float,
    gaussian: bool,
    reach: float,
    max_iter: int,
    stop: float,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Mean shift of every seed to its mode, as ``numba_.meanshift_flat`` /
    ``meanshift_weighted`` iterate it: a seed stops when it moves by at most ``stop``, after
    ``max_iter`` + 1 steps, or when no sample lies within ``h`` (flat) / ``reach`` (Gaussian;
    the Gaussian weights use every sample, the numba path skips those beyond ``reach``, whose
    weights are below 1e-17).

    Returns
    -------
    modes : tensor of shape (m, d)
    strength : tensor of shape (m,), float64
        Flat: samples within ``h`` at the last step; Gaussian: the kernel mass
        ``sum_j exp(-r_j^2 / (2 h^2))``. 0 for a seed that saw no sample.
    n_iter : tensor of shape (m,), int64
    """
    m = seeds.shape[0]
    order = spatial_order(seeds, 4.0 * h) if gaussian else torch.arange(m, device=X.device)
    pos = seeds[order].to(X.dtype).clone()
    strength = torch.zeros(m, dtype=torch.float64, device=X.device)
    n_iter = torch.zeros(m, dtype=torch.int64, device=X.device)
    active = torch.arange(m, device=X.device)
    floor = -0.5 * (reach / h) ** 2
    for it in range(max_iter + 1):
        if active.numel() == 0:
            break
        Y = pos[active]
        new = torch.empty_like(Y)
        if gaussian:
            log_mass = torch.empty(Y.shape[0], dtype=X.dtype, device=X.device)
            log_peak = torch.empty_like(log_mass)
            meanshift_gaussian_step(X, Y, h, new, log_mass, log_peak)
            alive = log_peak >= floor
            strength[active] = torch.where(alive, torch.exp(log_mass.double()), 0.0)
        else:
            cnt = torch.empty(Y.shape[0], dtype=torch.int64, device=X.device)
            meanshift_flat_step(X, Y, h, new, cnt)
            alive = cnt > 0
            strength[active] = cnt.double()
        shift = torch.sqrt(((new - Y) ** 2).sum(dim=1))
        pos[active] = torch.where(alive[:, None], new, Y)
        n_iter[active] = it
        keep = alive & (shift > stop) if it < max_iter else torch.zeros_like(alive)
        active = active[keep]
    inv = torch.empty_like(order)
    inv[order] = torch.arange(m, device=X.device)
    return pos[inv], strength[inv], n_iter[inv]
