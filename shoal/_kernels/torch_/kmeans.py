"""k-means kernels on torch tensors: nearest centre (fused pass), Lloyd step, inertia, transform.

The same names and contracts as ``shoal._kernels.numba_.kmeans`` where they fit a tensor world:

- ``X`` is a contiguous ``(n, d)`` float32 or float64 tensor; ``centers`` ``(k, d)`` has X's dtype
  and device; ``sample_weight`` ``w`` is ``(n,)`` of X's dtype.
- Per-cluster sums are float64 ``sums`` ``(n_blocks, k, d)`` and ``wsums`` ``(n_blocks, k)``
  (OUT); on a GPU one block covers all rows (``block_bounds(n, 1)``), more blocks only split the
  same pass.
- ``labels`` is int64 ``(n,)``. Every OUT tensor is allocated by the caller on X's device.

Nothing here allocates an ``(n, k)`` matrix: distances are taken on row chunks of ``chunk``
rows, a size the caller derives from a memory budget with :func:`chunk_rows`. On CUDA, float32
distances run in the fused Triton kernel of :mod:`.triton_nearest` when triton imports (tiles of
X against tiles of the centres, online argmin, never an n x k matrix at all); everywhere else in
the plain-torch chunked fallback :func:`nearest_center`, which gives the same results.

Precision: the nearest centre comes from the norm expansion ``||c||^2 - 2 x.c`` (one GEMM per
chunk) in X's precision, as in the numba kernels. ``precision="tf32"`` / ``"bf16"`` compute the
dot products from operands rounded to tf32 / bfloat16 (fp32 accumulation, tensor-core speed on a
GPU); every row whose best and second-best distances are closer than twice the worst-case
error of that arithmetic (:func:`distance_error_bound`) is then recomputed in full fp32, so
the labels are those of the fp32 computation.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

__all__ = [
    "PRECISIONS",
    "assign_labels",
    "block_bounds",
    "chunk_rows",
    "distance_error_bound",
    "inertia_dense",
    "lloyd_step",
    "nearest_center",
    "row_sq_norms",
    "sq_dist_to_assigned",
    "transform_dense",
]

PRECISIONS = ("fp32", "tf32", "bf16")

# Bytes one (chunk, k) distance tile may take; a chunk of rows is sized from it. A GPU has the
# memory to make each GEMM large enough to run at full speed; on the CPU a smaller tile stays
# in cache.
_TILE_BYTES = {"cuda": 256 << 20, "cpu": 16 << 20}

# Largest relative rounding of an operand rounded to the low precision (truncation bound:
# tf32 keeps 10 mantissa bits, bfloat16 7; hardware rounds to nearest, which halves it).
_INPUT_ROUNDING = {"fp32": 0.0, "tf32": 2.0**-10, "bf16": 2.0**-7}


def block_bounds(n: int, n_blocks: int) -> np.ndarray:
    """Start offsets (``n_blocks + 1``,) of contiguous row blocks covering ``range(n)`` (host)."""
    return np.linspace(0, n, n_blocks + 1).astype(np.int64)


def chunk_rows(n: int, k: int, X: torch.Tensor, budget: int | None = None) -> int:
    """Rows per chunk so that a ``(chunk, k)`` tile of X's dtype (and its temporaries) stays
    within ``budget`` bytes (default: 256 MiB on a GPU, 16 MiB on the CPU)."""
    if budget is None:
        budget = _TILE_BYTES["cuda" if X.device.type == "cuda" else "cpu"]
    per_row = 3 * max(k, 1) * X.element_size()  # distances, a mask/copy, the argmin temporaries
    return int(max(1, min(n, budget // per_row)))


@contextlib.contextmanager
def exact_fp32_matmul() -> Iterator[None]:
    """Keep float32 GEMMs in full fp32 on CUDA (a user's ``allow_tf32`` would round operands)."""
    old = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False
    try:
        yield
    finally:
        torch.backends.cuda.matmul.allow_tf32 = old


def _round_operand(A: torch.Tensor, precision: str) -> torch.Tensor:
    """``A`` (float32) with its mantissa cut to tf32 / bfloat16 (the rounding a tensor core
    applies to its inputs), returned as float32."""
    if precision == "bf16":
        return A.to(torch.bfloat16).to(torch.float32)
    if precision == "tf32":
        bits = A.contiguous().view(torch.int32)
        return ((bits + 0x1000) & ~0x1FFF).view(torch.float32)
    return A


def distance_error_bound(
    x_sq: torch.Tensor, c_max_sq: float, d: int, dtype: torch.dtype, precision: str = "fp32"
) -> torch.Tensor:
    """Worst-case absolute error of ``||c||^2 - 2 x.c`` computed from rounded operands.

    With operands rounded to relative ``u_in`` (tf32/bf16) and GEMM accumulation in a precision
    of unit roundoff ``u``, every distance of row ``i`` is off by at most
    ``(2 u_in + u_in^2 + (d + 1) u) (||x_i|| + max_j ||c_j||)^2`` (the products are off by
    ``2 u_in + u_in^2`` relative, the sums by ``d u``; ``|x.c| <= ||x|| ||c||``). Two distances
    closer than twice this bound may be in either order in the exact computation.

    Parameters
    ----------
    x_sq : (m,) float64 IN, squared row norms. c_max_sq : float, largest squared centre norm.
    d : features. dtype : the working dtype (float32 or float64). precision : 'fp32', 'tf32',
    'bf16'.

    Returns
    -------
    (m,) float64 tensor.
    """
    u = float(torch.finfo(dtype).eps) / 2.0
    u_in = _INPUT_ROUNDING[precision]
    rel = 1.01 * (2.0 * u_in + u_in * u_in + (d + 2) * u)
    return rel * (x_sq.sqrt() + math.sqrt(c_max_sq)) ** 2


def nearest_center(
    X: torch.Tensor,
    centers: torch.Tensor,
    c_sq_norms: torch.Tensor,
    chunk: int,
    labels: torch.Tensor,
    best: torch.Tensor | None = None,
    second: torch.Tensor | None = None,
    precision: str = "fp32",
) -> None:
    """Nearest centre of every row by ``||c||^2 - 2 x.c`` on ``(chunk, k)`` tiles (plain torch).

    The reference of the fused Triton kernel (:func:`.triton_nearest.nearest_center_triton`):
    same arguments, same results up to the summation order inside a dot product.

    Parameters
    ----------
    X : (n, d) IN. centers : (k, d) IN, X's dtype. c_sq_norms : (k,) IN, X's dtype.
    chunk : int IN, rows per tile. labels : (n,) int64 OUT (first index on exact ties).
    best : (n,) X's dtype OUT or None, ``||c_label||^2 - 2 x.c_label`` (add ``||x||^2`` for the
    squared distance). second : (n,) OUT or None, the same for the second-nearest centre
    (``inf`` when k == 1).
    precision : 'fp32' (X's own precision), 'tf32' or 'bf16' (float32 X only): operands rounded
    to that precision, products summed in fp32. No re-check here (see :func:`assign_nearest`).
    """
    n = X.shape[0]
    k = centers.shape[0]
    Cr = _round_operand(centers, precision).T.contiguous()
    with exact_fp32_matmul():
        for s in range(0, n, chunk):
            e = min(n, s + chunk)
            xs = _round_operand(X[s:e], precision)
            dist = torch.addmm(c_sq_norms.unsqueeze(0), xs, Cr, beta=1.0, alpha=-2.0)
            val, idx = torch.min(dist, dim=1)
            labels[s:e] = idx
            if best is not None:
                best[s:e] = val
            if second is not None:
                if k == 1:
                    second[s:e] = math.inf
                else:
                    dist.scatter_(1, idx.unsqueeze(1), math.inf)
                    second[s:e] = dist.min(dim=1).values


def _use_triton(X: torch.Tensor) -> bool:
    if X.device.type != "cuda" or X.dtype != torch.float32:
        return False
    from . import triton_nearest

    return triton_nearest.available()


def assign_nearest(
    X: torch.Tensor,
    centers: torch.Tensor,
    c_sq_norms: torch.Tensor,
    chunk: int,
    labels: torch.Tensor,
    *,
    precision: str = "fp32",
    x_sq_norms: torch.Tensor | None = None,
    second: torch.Tensor | None = None,
    recheck: bool | None = None,
    use_triton: bool | None = None,
) -> int:
    """Nearest centres by the fused kernel (Triton on CUDA float32) or the chunked fallback,
    with the near-tie re-check.

    With ``recheck`` (default: whenever ``precision`` is not 'fp32'), rows whose best and
    second-best distances differ by at most twice :func:`distance_error_bound` are recomputed
    in X's full precision by :func:`nearest_center`, so their labels are those of the fp32
    (float64) computation. ``second`` (n,) OUT, if given, receives the second-best partial
    distance (after the re-check, exact for re-checked rows).

    Returns
    -------
    int
        The number of rows re-checked.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision={precision!r} is not valid; choose one of {list(PRECISIONS)}.")
    if precision != "fp32" and X.dtype != torch.float32:
        precision = "fp32"  # tf32/bf16 are float32 arithmetic; float64 data keeps float64
    if recheck is None:
        recheck = precision != "fp32"
    n = X.shape[0]
    need_second = recheck or second is not None
    best = torch.empty(n, dtype=X.dtype, device=X.device) if recheck else None
    sec = second if second is not None else None
    if need_second and sec is None:
        sec = torch.empty(n, dtype=X.dtype, device=X.device)
    if use_triton is None:
        use_triton = _use_triton(X)
    if use_triton:
        from .triton_nearest import nearest_center_triton

        nearest_center_triton(X, centers, c_sq_norms, labels, best, sec, precision=precision)
    else:
        nearest_center(X, centers, c_sq_norms, chunk, labels, best, sec, precision)
    if not recheck:
        return 0
    assert best is not None and sec is not None
    if x_sq_norms is None:
        x_sq_norms = torch.empty(n, dtype=torch.float64, device=X.device)
        row_sq_norms(X, x_sq_norms)
    c_max = float(c_sq_norms.max()) if c_sq_norms.numel() else 0.0
    bound = distance_error_bound(x_sq_norms, c_max, X.shape[1], X.dtype, precision)
    gap = sec.to(torch.float64) - best.to(torch.float64)
    rows = torch.nonzero(gap <= 2.0 * bound).flatten()
    m = int(rows.shape[0])
    if m:
        sub_labels = torch.empty(m, dtype=torch.int64, device=X.device)
        sub_second = torch.empty(m, dtype=X.dtype, device=X.device) if second is not None else None
        nearest_center(X[rows], centers, c_sq_norms, chunk, sub_labels, None, sub_second, "fp32")
        labels[rows] = sub_labels
        if second is not None and sub_second is not None:
            second[rows] = sub_second
    return m


def row_sq_norms(X: torch.Tensor, out: torch.Tensor) -> None:
    """OUT ``out[i] = ||X[i]||^2`` (float64, ``(n,)``)."""
    chunk = max(1, (64 << 20) // max(1, 8 * X.shape[1]))
    for s in range(0, X.shape[0], chunk):
        xs = X[s : s + chunk].to(torch.float64)
        out[s : s + chunk] = torch.einsum("ij,ij->i", xs, xs)


def lloyd_step(
    X: torch.Tensor,
    w: torch.Tensor,
    centers: torch.Tensor,
    c_sq_norms: torch.Tensor,
    x_sq_norms: torch.Tensor,
    bounds: np.ndarray,
    chunk: int,
    labels: torch.Tensor,
    sums: torch.Tensor,
    wsums: torch.Tensor,
    lower: torch.Tensor,
    rel_err: float,
    mode: int,
    precision: str = "fp32",
) -> int:
    """One Lloyd step: nearest centre for every sample, plus per-block cluster sums.

    Two passes over X: the fused nearest-centre pass (Triton on CUDA float32, else chunked
    GEMM tiles), then a pass that adds each row, weighted, to its cluster's float64 sums
    (``index_add_``). Keeping the sums out of the distance kernel keeps that kernel a pure
    GEMM-shaped loop and the sums in float64 as in the numba kernel; the second pass reads X
    once (n d values) against the n k d of the distances.

    Parameters
    ----------
    X : (n, d) IN. w : (n,) IN. centers : (k, d) IN. c_sq_norms : (k,) IN (any float dtype).
    x_sq_norms : (n,) float64 IN, read when ``mode == 2`` or a re-check needs them (else may
    be empty). bounds : (n_blocks + 1,) int64 IN (host). chunk : int IN, rows per tile.
    labels : (n,) int64 OUT. sums : (n_blocks, k, d) float64 OUT. wsums : (n_blocks, k) float64
    OUT. lower : (n,) float64 OUT when ``mode == 2``, the second-nearest distance lowered by
    ``rel_err * (||x||^2 + max ||c||^2)`` under the root (a valid Hamerly bound).
    rel_err : float IN. mode : 0 labels only, 1 also the sums, 2 also ``lower``.
    precision : 'fp32', 'tf32' or 'bf16' (see :func:`assign_nearest`).

    Returns
    -------
    int
        Rows re-checked in full precision (0 for 'fp32').
    """
    c_sq = c_sq_norms.to(X.dtype)
    second = torch.empty(X.shape[0], dtype=X.dtype, device=X.device) if mode == 2 else None
    xn = x_sq_norms if x_sq_norms.numel() else None
    rechecked = assign_nearest(
        X, centers, c_sq, chunk, labels, precision=precision, x_sq_norms=xn, second=second
    )
    if mode == 2:
        assert second is not None
        slack = rel_err * (x_sq_norms + float(c_sq_norms.max()))
        lower.copy_((second.to(torch.float64) + x_sq_norms - slack).clamp_min(0.0).sqrt())
    if mode == 0:
        return rechecked
    for b in range(bounds.shape[0] - 1):
        s, e = int(bounds[b]), int(bounds[b + 1])
        sums[b].zero_()
        wsums[b].zero_()
        for s0 in range(s, e, chunk):
            e0 = min(e, s0 + chunk)
            wc = w[s0:e0].to(torch.float64)
            lab = labels[s0:e0]
            sums[b].index_add_(0, lab, X[s0:e0].to(torch.float64) * wc.unsqueeze(1))
            wsums[b].index_add_(0, lab, wc)
    return rechecked


def assign_labels(
    X: torch.Tensor,
    centers: torch.Tensor,
    c_sq_norms: torch.Tensor,
    labels: torch.Tensor,
    min_sq: torch.Tensor,
) -> None:
    """Nearest centre of every sample, as exact differences decide it.

    The norm expansion finds the nearest centre; rows whose best two candidates are within the
    expansion's rounding bound are decided again by exact differences, so the labels are those
    of ``argmin_j ||x - c_j||^2`` (the numba kernel's rule). OUT ``labels`` (n,) int64 and
    ``min_sq`` (n,) float64, the exact squared distance to it. Used by ``predict`` / ``score``.
    """
    n, d = X.shape
    k = centers.shape[0]
    chunk = chunk_rows(n, k, X)
    best = torch.empty(n, dtype=X.dtype, device=X.device)
    second = torch.empty(n, dtype=X.dtype, device=X.device)
    c_sq = c_sq_norms.to(X.dtype)
    if _use_triton(X):
        from .triton_nearest import nearest_center_triton

        nearest_center_triton(X, centers, c_sq, labels, best, second)
    else:
        nearest_center(X, centers, c_sq, chunk, labels, best, second)
    x_sq = torch.empty(n, dtype=torch.float64, device=X.device)
    row_sq_norms(X, x_sq)
    bound = distance_error_bound(x_sq, float(c_sq_norms.max()), d, X.dtype)
    rows = torch.nonzero(second.to(torch.float64) - best.to(torch.float64) <= 2 * bound).flatten()
    sub = max(1, (64 << 20) // max(1, 8 * k * d))
    for s in range(0, int(rows.shape[0]), sub):
        r = rows[s : s + sub]
        diff = X[r].unsqueeze(1).to(torch.float64) - centers.unsqueeze(0).to(torch.float64)
        labels[r] = (diff * diff).sum(dim=2).argmin(dim=1)
    sq_dist_to_assigned(X, centers, labels, min_sq)


def sq_dist_to_assigned(
    X: torch.Tensor, centers: torch.Tensor, labels: torch.Tensor, out: torch.Tensor
) -> None:
    """OUT ``out[i] = ||X[i] - centers[labels[i]]||^2`` (float64, exact differences)."""
    chunk = max(1, (64 << 20) // max(1, 16 * X.shape[1]))
    for s in range(0, X.shape[0], chunk):
        diff = X[s : s + chunk].to(torch.float64) - centers[labels[s : s + chunk]].to(torch.float64)
        out[s : s + chunk] = torch.einsum("ij,ij->i", diff, diff)


def inertia_dense(
    X: torch.Tensor, w: torch.Tensor, centers: torch.Tensor, labels: torch.Tensor
) -> float:
    """Weighted sum of squared distances of samples to their assigned centres (float64)."""
    d2 = torch.empty(X.shape[0], dtype=torch.float64, device=X.device)
    sq_dist_to_assigned(X, centers, labels, d2)
    return float(torch.dot(w.to(torch.float64), d2))


def transform_dense(X: torch.Tensor, centers: torch.Tensor, out: torch.Tensor) -> None:
    """OUT ``out[i, j] = ||X[i] - centers[j]||`` (the caller asked for the n x k matrix).

    Exact differences accumulated in float64, on row chunks sized so the ``(chunk, k, d)``
    temporary stays under 64 MiB."""
    k, d = centers.shape
    C = centers.to(torch.float64)
    chunk = max(1, (64 << 20) // max(1, 8 * k * d))
    for s in range(0, X.shape[0], chunk):
        diff = X[s : s + chunk].to(torch.float64).unsqueeze(1) - C.unsqueeze(0)
        out[s : s + chunk] = (diff * diff).sum(dim=2).sqrt().to(out.dtype)


def as_tensor_like(a: Any, like: torch.Tensor) -> torch.Tensor:
    """``a`` (array or tensor) as a contiguous tensor of ``like``'s dtype and device."""
    if isinstance(a, torch.Tensor):
        return a.detach().to(device=like.device, dtype=like.dtype).contiguous()
    return torch.as_tensor(np.asarray(a), dtype=like.dtype, device=like.device).contiguous()
