"""Row blocks of a dask array, one task per block, sufficient statistics reduced in a tree.

Every shoal.dask fit is a sequence of passes. A pass applies a function to each row block of X
(a numpy array on a worker, where the shoal numba kernels run as in memory) and adds the small
results up: per-cluster sums, counts, moments. Only those results and the few parameters a pass
needs (centres, mixture parameters, wrapped once per pass as one graph key that every block
task depends on) travel; a graph holds ``n_blocks`` tasks plus a reduction tree, whatever the
number of iterations.

Scheduling: with a ``dask.distributed`` client the passes run on its cluster; without one
they run on the synchronous scheduler, block after block, because each block's kernel already
uses every core (numba ``parallel=True``): dask's thread pool would only oversubscribe them.
An explicitly configured scheduler (``dask.config.set(scheduler=...)``) is respected.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["Blocks", "active_client", "as_dask_array", "compute", "is_dask", "require_dask"]

_FAN_IN = 8


def require_dask() -> Any:
    """Import dask.array, or raise an ImportError naming the extra to install."""
    try:
        import dask.array as da
    except ImportError as exc:  # pragma: no cover - exercised without dask installed
        raise ImportError(
            'shoal.dask needs dask: pip install "shoal[dask]" (dask[array] and distributed).'
        ) from exc
    return da


def is_dask(X: Any) -> bool:
    """True when ``X`` is a dask collection (without importing dask when it is absent)."""
    try:
        from dask.base import is_dask_collection
    except ImportError:  # pragma: no cover
        return False
    return bool(is_dask_collection(X))


def active_client() -> Any:
    """The current ``dask.distributed`` client, or None."""
    try:
        from distributed import default_client
    except ImportError:  # pragma: no cover
        return None
    try:
        return default_client()
    except ValueError:
        return None


def compute(*objs: Any) -> tuple[Any, ...]:
    """``dask.compute`` on the client when there is one, else on the synchronous scheduler
    (unless a scheduler is configured; see the module docstring)."""
    import dask

    if active_client() is None and dask.config.get("scheduler", None) is None:
        return tuple(dask.compute(*objs, scheduler="sync"))
    return tuple(dask.compute(*objs))


def _persist(*objs: Any) -> tuple[Any, ...]:
    import dask

    if active_client() is None and dask.config.get("scheduler", None) is None:
        return tuple(dask.persist(*objs, scheduler="sync"))
    return tuple(dask.persist(*objs))


def as_dask_array(X: Any, name: str = "X") -> Any:
    """A 2-D floating dask array chunked along rows only (columns in one block)."""
    da = require_dask()
    if not is_dask(X):
        X = np.asarray(X)
        X = da.from_array(X, chunks=(max(1, min(X.shape[0], 1 << 18)), -1))
    elif not hasattr(X, "chunks"):
        # A dask DataFrame: its partitions become row blocks.
        X = X.to_dask_array(lengths=True)
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_features); got {X.ndim}-D.")
    if any(math.isnan(c) for c in X.chunks[0]):
        X = X.compute_chunk_sizes()
    if not np.issubdtype(X.dtype, np.floating) or X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    return X


def _tree_sum(parts: Sequence[Any]) -> Any:
    """Sum of delayed results (numbers, arrays or tuples of them) by a fixed tree of
    ``_FAN_IN``-way additions: deterministic order, so the same data give the same bits."""
    import dask

    level = list(parts)
    add = dask.delayed(_add_all, pure=True)
    while len(level) > 1:
        level = [add(*level[i : i + _FAN_IN]) for i in range(0, len(level), _FAN_IN)]
    return level[0]


def _add_all(*parts: Any) -> Any:
    first = parts[0]
    if isinstance(first, tuple):
        return tuple(_add_all(*items) for items in zip(*parts))
    total = first.copy() if isinstance(first, np.ndarray) else first
    for p in parts[1:]:
        total = total + p
    return total


def _wrap(value: Any) -> Any:
    """One graph key for a parameter every block task reads (sent once per worker)."""
    import dask

    if isinstance(value, (np.ndarray, tuple, dict)):
        return dask.delayed(value, pure=True, traverse=False)
    return value


class Blocks:
    """X as row blocks, with the decision whether to keep them in memory between passes.

    Parameters
    ----------
    X : dask array (n, d), floating, rows chunked, one column block.
    persist : 'auto', bool
        Keep the blocks in (cluster) memory between passes. 'auto' persists when a distributed
        client is active and X takes at most half of its workers' memory; otherwise every pass
        recomputes the blocks from their graph (out of core: lazily generated or read data is
        produced again, never held).
    W : dask array (n,), optional
        Sample weights, rechunked to X's row blocks (held with them when persisted); passes
        that ask for them get each block's weights (see :meth:`tasks`).
    """

    def __init__(self, X: Any, persist: Any = "auto", W: Any = None) -> None:
        self.X = X
        self.n, self.d = int(X.shape[0]), int(X.shape[1])
        self.dtype = np.dtype(X.dtype)
        self.sizes = np.asarray(X.chunks[0], dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)])
        if persist == "auto":
            persist = _fits_in_cluster(X.nbytes)
        self.persisted = bool(persist)
        self.W = None if W is None else W.rechunk((X.chunks[0],))
        if self.persisted:
            if self.W is None:
                (self.X,) = _persist(self.X)
            else:
                self.X, self.W = _persist(self.X, self.W)
        self.parts = list(self.X.to_delayed().ravel())
        self.wparts: list[Any] = (
            [None] * len(self.parts) if self.W is None else list(self.W.to_delayed().ravel())
        )

    def __len__(self) -> int:
        return len(self.parts)

    def tasks(
        self,
        fn: Callable[..., Any],
        *args: Any,
        extra: Sequence[Any] | None = None,
        weights: bool = False,
    ) -> list[Any]:
        """Delayed ``fn(block, *args, i)`` for every block ``i``; with ``weights``, the block's
        sample weights (None when the fit has none) come right after the block; with
        ``extra``, the i-th item of ``extra`` (e.g. a per-block state) comes next."""
        import dask

        wrapped = [_wrap(a) for a in args]
        call = dask.delayed(fn, pure=True)
        heads: list[list[Any]] = [[p] for p in self.parts]
        if weights:
            for head, wp in zip(heads, self.wparts):
                head.append(wp)
        if extra is not None:
            for head, e in zip(heads, extra):
                head.append(e)
        return [call(*head, *wrapped, i) for i, head in enumerate(heads)]

    def reduce(
        self,
        fn: Callable[..., Any],
        *args: Any,
        extra: Sequence[Any] | None = None,
        weights: bool = False,
    ) -> Any:
        """``sum_i fn(block_i, *args, i)`` computed (one pass over X)."""
        return compute(_tree_sum(self.tasks(fn, *args, extra=extra, weights=weights)))[0]

    def gather(
        self,
        fn: Callable[..., Any],
        *args: Any,
        extra: Sequence[Any] | None = None,
        weights: bool = False,
    ) -> list:
        """``[fn(block_i, *args, i) for every i]`` computed (one pass; results must be small)."""
        return list(compute(*self.tasks(fn, *args, extra=extra, weights=weights)))

    def keep(
        self,
        fn: Callable[..., Any],
        *args: Any,
        extra: Sequence[Any] | None = None,
        weights: bool = False,
    ) -> list:
        """Per-block results of ``fn`` held where they were computed (persisted delayed
        objects), for a later pass to read with ``extra=``."""
        return list(_persist(*self.tasks(fn, *args, extra=extra, weights=weights)))

    def moments(self) -> tuple[np.ndarray, np.ndarray]:
        """Column means and (population) variances, float64, in one pass (Chan et al.'s
        pairwise update, accurate for data far from the origin)."""
        parts = self.gather(_block_moments)
        n = 0.0
        mean = np.zeros(self.d)
        m2 = np.zeros(self.d)
        for nb, mb, sb in parts:
            if nb == 0:
                continue
            delta = mb - mean
            tot = n + nb
            mean = mean + delta * (nb / tot)
            m2 = m2 + sb + delta**2 * (n * nb / tot)
            n = tot
        return mean, m2 / max(n, 1.0)


def _block_moments(block: np.ndarray, i: int) -> tuple[float, np.ndarray, np.ndarray]:
    m = block.shape[0]
    if m == 0:
        return 0.0, np.zeros(block.shape[1]), np.zeros(block.shape[1])
    mean = block.mean(axis=0, dtype=np.float64)
    diff = block - mean
    return float(m), mean, np.einsum("ij,ij->j", diff, diff)


def _fits_in_cluster(nbytes: float) -> bool:
    client = active_client()
    if client is None:
        return False
    workers = client.scheduler_info(n_workers=-1).get("workers", {})
    limits = [w.get("memory_limit") or 0 for w in workers.values()]
    total = float(sum(limits))
    return total > 0 and nbytes <= 0.5 * total


def block_seed(seed: int, *keys: int) -> np.random.Generator:
    """A generator for one block of one pass: the same draws whichever worker runs it, and
    again when a lost block is recomputed."""
    return np.random.default_rng([seed, *keys])
