"""Fused nearest-centre kernel in Triton: distances and an online argmin in one pass over X.

Each program takes ``BLOCK_M`` rows of X and walks the centres in tiles of ``BLOCK_N``: a tile of
``x.c`` products (``tl.dot``, fp32 accumulation), the partial distances ``||c||^2 - 2 x.c``,
and a running (best, second best, argmin) per row merged tile by tile. The ``(n, k)`` distance
matrix never exists, not even chunk by chunk (the Flash-KMeans idea: fused distance + online
argmin). When the features fit one tile (d <= 128) the rows of X are loaded once and stay in
registers while the centre tiles stream past.

``precision``: 'fp32' multiplies in full fp32 (``input_precision="ieee"``); 'tf32' uses the
tensor cores' tf32 mode; 'bf16' rounds both tiles to bfloat16 (fp32 accumulation). The caller
(:func:`shoal._kernels.torch_.kmeans.assign_nearest`) re-checks near-ties in fp32.

Per-cluster sums are not accumulated here: atomics from every program into ``(k, d)`` sums
serialise on popular clusters and make fp32 sums order-dependent; the Lloyd step adds rows to
float64 sums in a second pass that reads X once (n d values against the n k d of this kernel).

Under ``TRITON_INTERPRET=1`` (Triton's CPU interpreter, used by the tests on tiny inputs) the
interpreter's bfloat16 ``tl.dot`` is not usable, so the low-precision modes round the operands
to tf32 / bfloat16 and multiply them in fp32: the arithmetic a tensor core does (its products
of rounded operands are exact in fp32), so the interpreter checks the same logic.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import torch

try:  # the kernel source needs ``tl`` among its globals; triton is optional
    import triton.language as tl
except ImportError:  # pragma: no cover - depends on the environment
    tl = None

__all__ = ["available", "interpreting", "nearest_center_triton"]

_PREC_CODE = {"fp32": 0, "tf32": 1, "bf16": 2}
_KERNELS: dict[bool, Any] = {}


def available() -> bool:
    """True when triton imports (its kernels then run on CUDA tensors, or on CPU tensors under
    ``TRITON_INTERPRET=1``)."""
    return importlib.util.find_spec("triton") is not None


def interpreting() -> bool:
    """True when Triton's interpreter is on (``TRITON_INTERPRET=1`` or its knob)."""
    import triton

    return bool(triton.knobs.runtime.interpret)


def _nearest_kernel(
    X, C, c_sq, labels, best_out, second_out, n, k, d, stride_x, stride_c,
    BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_D: tl.constexpr,
    D_PAD: tl.constexpr, PREC: tl.constexpr, EMULATE: tl.constexpr,
    WRITE_BEST: tl.constexpr, WRITE_SECOND: tl.constexpr,
):  # fmt: skip
    pid = tl.program_id(0)
    rm = pid * BLOCK_M + tl.arange(0, BLOCK_M)
    row_ok = rm < n
    rd0 = tl.arange(0, BLOCK_D)
    best = tl.full((BLOCK_M,), float("inf"), tl.float32)
    second = tl.full((BLOCK_M,), float("inf"), tl.float32)
    best_j = tl.zeros((BLOCK_M,), tl.int32)
    if D_PAD <= BLOCK_D:
        # The rows stay in registers for the whole walk over the centres.
        x_all = tl.load(
            X + rm[:, None] * stride_x + rd0[None, :],
            mask=row_ok[:, None] & (rd0[None, :] < d), other=0.0,
        )  # fmt: skip
        if EMULATE and PREC == 1:
            x_all = ((x_all.to(tl.int32, bitcast=True) + 0x1000) & -8192).to(
                tl.float32, bitcast=True
            )
        if PREC == 2:
            x_all = x_all.to(tl.bfloat16)
            if EMULATE:
                x_all = x_all.to(tl.float32)
    for n0 in range(0, k, BLOCK_N):
        rn = n0 + tl.arange(0, BLOCK_N)
        col_ok = rn < k
        acc = tl.zeros((BLOCK_M, BLOCK_N), tl.float32)
        for d0 in range(0, D_PAD, BLOCK_D):
            rd = d0 + rd0
            if D_PAD <= BLOCK_D:
                x = x_all
            else:
                x = tl.load(
                    X + rm[:, None] * stride_x + rd[None, :],
                    mask=row_ok[:, None] & (rd[None, :] < d), other=0.0,
                )  # fmt: skip
            c = tl.load(
                C + rn[:, None] * stride_c + rd[None, :],
                mask=col_ok[:, None] & (rd[None, :] < d), other=0.0,
            )  # fmt: skip
            if PREC == 0:
                acc = tl.dot(x, tl.trans(c), acc, input_precision="ieee")
            elif PREC == 1:
                if EMULATE:
                    c = ((c.to(tl.int32, bitcast=True) + 0x1000) & -8192).to(
                        tl.float32, bitcast=True
                    )
                    if D_PAD > BLOCK_D:
                        x = ((x.to(tl.int32, bitcast=True) + 0x1000) & -8192).to(
                            tl.float32, bitcast=True
                        )
                    acc = tl.dot(x, tl.trans(c), acc, input_precision="ieee")
                else:
                    acc = tl.dot(x, tl.trans(c), acc, input_precision="tf32")
            else:
                if EMULATE:
                    cb = c.to(tl.bfloat16).to(tl.float32)
                    if D_PAD > BLOCK_D:
                        x = x.to(tl.bfloat16).to(tl.float32)
                    acc = tl.dot(x, tl.trans(cb), acc, input_precision="ieee")
                else:
                    acc = tl.dot(x.to(tl.bfloat16), tl.trans(c.to(tl.bfloat16)), acc)
        cs = tl.load(c_sq + rn, mask=col_ok, other=float("inf"))
        dist = cs[None, :] - 2.0 * acc
        dist = tl.where(col_ok[None, :], dist, float("inf"))
        t_best = tl.min(dist, axis=1)
        t_arg = tl.argmin(dist, axis=1).to(tl.int32) + n0
        if WRITE_SECOND:
            t_second = tl.min(tl.where(rn[None, :] == t_arg[:, None], float("inf"), dist), axis=1)
            second = tl.minimum(tl.maximum(best, t_best), tl.minimum(second, t_second))
        # Strict '<': on an exact tie the earlier centre keeps the row (torch.min's rule).
        better = t_best < best
        best_j = tl.where(better, t_arg, best_j)
        best = tl.where(better, t_best, best)
    tl.store(labels + rm, best_j.to(tl.int64), mask=row_ok)
    if WRITE_BEST:
        tl.store(best_out + rm, best, mask=row_ok)
    if WRITE_SECOND:
        tl.store(second_out + rm, second, mask=row_ok)


def _kernel(interpret: bool) -> Any:
    """The jitted kernel (autotuned on a GPU; one small configuration under the interpreter)."""
    kern = _KERNELS.get(interpret)
    if kern is None:
        import triton

        kern = triton.jit(_nearest_kernel)
        if not interpret:
            configs = [
                triton.Config({"BLOCK_M": bm, "BLOCK_N": bn}, num_warps=w, num_stages=s)
                for bm, bn, w, s in [
                    (128, 128, 8, 2), (128, 64, 4, 3), (64, 128, 4, 3), (256, 64, 8, 2),
                    (64, 64, 4, 4), (128, 256, 8, 2),
                ]
            ]  # fmt: skip
            kern = triton.autotune(configs=configs, key=["k", "d", "D_PAD", "PREC"])(kern)
        _KERNELS[interpret] = kern
    return kern


def nearest_center_triton(
    X: torch.Tensor,
    centers: torch.Tensor,
    c_sq_norms: torch.Tensor,
    labels: torch.Tensor,
    best: torch.Tensor | None = None,
    second: torch.Tensor | None = None,
    *,
    precision: str = "fp32",
    block_m: int = 32,
    block_n: int = 16,
) -> None:
    """Nearest centre of every row of float32 ``X`` in one fused Triton pass.

    The contract of :func:`shoal._kernels.torch_.kmeans.nearest_center` (without ``chunk``):
    ``labels`` (n,) int64 OUT, ``best`` / ``second`` (n,) float32 OUT or None, the partial
    distances ``||c||^2 - 2 x.c`` of the nearest and second-nearest centre. ``X`` and
    ``centers`` are contiguous float32 on one device: CUDA, or the CPU under the interpreter.
    ``block_m`` / ``block_n`` set the tiles under the interpreter (a GPU autotunes them).
    """
    import triton

    interpret = interpreting()
    n, d = X.shape
    k = centers.shape[0]
    X = X.contiguous()
    centers = centers.to(torch.float32).contiguous()
    c_sq = c_sq_norms.to(device=X.device, dtype=torch.float32).contiguous()
    d_pad = max(16, triton.next_power_of_2(d))
    block_d = d_pad if d_pad <= 128 else 64
    dummy = labels  # never written when its flag is off
    args = (
        X, centers, c_sq, labels,
        best if best is not None else dummy, second if second is not None else dummy,
        n, k, d, X.stride(0), centers.stride(0),
    )  # fmt: skip
    flags = dict(
        BLOCK_D=block_d, D_PAD=d_pad, PREC=_PREC_CODE[precision], EMULATE=interpret,
        WRITE_BEST=best is not None, WRITE_SECOND=second is not None,
    )  # fmt: skip
    kern = _kernel(interpret)
    if interpret:
        grid = (triton.cdiv(n, block_m),)
        kern[grid](*args, BLOCK_M=block_m, BLOCK_N=block_n, **flags)
    else:
        kern[lambda meta: (triton.cdiv(n, meta["BLOCK_M"]),)](*args, **flags)
