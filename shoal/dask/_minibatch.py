"""MiniBatchKMeans on dask arrays: the model streams through the blocks (partial_fit)."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

import numpy as np

from .._validation import check_random_state
from ..centroid import MiniBatchKMeans as _InMemoryMiniBatchKMeans
from ._engine import Blocks, as_dask_array, block_seed, compute, is_dask
from ._inference import DaskCentroidMixin

__all__ = ["MiniBatchKMeans"]


class MiniBatchKMeans(DaskCentroidMixin, _InMemoryMiniBatchKMeans):
    """Mini-batch k-means streamed over the row blocks of a dask array.

    The model (centres and counts, ``k * (d + 1)`` floats) travels from block to block, to
    the worker that holds each one, and takes mini-batch steps there (the in-memory
    ``partial_fit``, on batches of ``batch_size`` rows in an order drawn per block): the data
    never move. Mini-batch k-means is sequential by nature, so the blocks are visited one
    after another; an epoch visits every block once, in a random order.

    Parameters are those of :class:`shoal.MiniBatchKMeans`, with a different default for
    ``max_iter`` (epochs over the data: 1, a single streaming pass), plus ``persist`` (as in
    :class:`shoal.dask.KMeans`). ``init`` ('k-means++', 'random' or an array) initialises
    the centres from the first batch, as in-memory ``partial_fit`` does. Between epochs the fit
    stops early when the centres moved by at most ``tol`` (summed squared shift; 0 runs every
    epoch). ``max_no_improvement`` acts within the in-memory steps only.

    Attributes
    ----------
    cluster_centers_, n_steps_, n_features_in_ : as :class:`shoal.MiniBatchKMeans`.
    n_iter_ : int
        Epochs run.
    labels_ : dask array (lazy), when ``compute_labels``.
    inertia_ : float
        Inertia of X against the final centres (one more pass), when ``compute_labels``.

    Examples
    --------
    >>> import numpy as np
    >>> import dask.array as da
    >>> from shoal.dask import MiniBatchKMeans
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]], dtype=float)
    >>> mbk = MiniBatchKMeans(2, batch_size=6, max_iter=5, random_state=0)
    >>> labels = mbk.fit(da.from_array(X, chunks=(6, 2))).labels_.compute()
    >>> bool(labels[0] != labels[3])
    True
    """

    _in_memory: ClassVar[type] = _InMemoryMiniBatchKMeans

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init: Any = "k-means++",
        max_iter: int = 1,
        batch_size: int = 1024,
        verbose: int = 0,
        compute_labels: bool = True,
        random_state: Any = None,
        tol: float = 0.0,
        max_no_improvement: int | None = 10,
        init_size: int | None = None,
        n_init: str | int = "auto",
        reassignment_ratio: float = 0.01,
        persist: Any = "auto",
    ) -> None:
        super().__init__(
            n_clusters,
            init=init,
            max_iter=max_iter,
            batch_size=batch_size,
            verbose=verbose,
            compute_labels=compute_labels,
            random_state=random_state,
            tol=tol,
            max_no_improvement=max_no_improvement,
            init_size=init_size,
            n_init=n_init,
            reassignment_ratio=reassignment_ratio,
        )
        self.persist = persist

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> MiniBatchKMeans:
        """Stream ``max_iter`` epochs of mini-batch steps over the blocks of a dask array.

        Parameters
        ----------
        X : dask array of shape (n_samples, n_features)
        y : Ignored
        sample_weight : dask or numpy array of shape (n_samples,), optional
            Weight of each sample; each mini-batch step gets its rows' weights.

        Returns
        -------
        self : MiniBatchKMeans
        """
        if not is_dask(X):
            return super().fit(X, y, sample_weight)
        self._validate_params()
        for name in ("cluster_centers_", "_counts", "_random_state", "n_steps_"):
            self.__dict__.pop(name, None)
        return self._stream(X, epochs=int(self.max_iter), sample_weight=sample_weight)

    def partial_fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> MiniBatchKMeans:
        """One streaming epoch over the blocks of a dask array (continuing from the current
        centres), or the in-memory ``partial_fit`` for in-memory X."""
        if not is_dask(X):
            return super().partial_fit(X, y, sample_weight)
        if not hasattr(self, "cluster_centers_"):
            self._validate_params()
        return self._stream(X, epochs=1, sample_weight=sample_weight)

    def _stream(self, X: Any, epochs: int, sample_weight: Any = None) -> MiniBatchKMeans:
        import dask

        from ._kmeans import dask_weights

        Xd = as_dask_array(X)
        blocks = Blocks(Xd, self.persist, dask_weights(sample_weight, Xd))
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(2**31 - 1))
        params = self.get_params(deep=False)
        params.pop("persist")
        model = _InMemoryMiniBatchKMeans(**{**params, "compute_labels": False})
        for name in ("cluster_centers_", "_counts", "n_steps_", "n_features_in_", "_batch_size",
                     "_n_since_last_reassign", "_random_state"):  # fmt: skip
            if name in self.__dict__:
                setattr(model, name, copy.deepcopy(self.__dict__[name]))
        step = dask.delayed(_stream_block, pure=True)
        epoch = 0
        for epoch in range(epochs):
            before = getattr(model, "cluster_centers_", None)
            state: Any = dask.delayed(model, pure=True, traverse=False)
            for b in rng.permutation(len(blocks)):
                state = step(
                    state, blocks.parts[b], blocks.wparts[b], int(self.batch_size), seed, epoch,
                    int(b),
                )  # fmt: skip
            model = compute(state)[0]
            if before is not None and self.tol > 0:
                shift = float(((model.cluster_centers_.astype(np.float64) - before) ** 2).sum())
                if shift <= self.tol:
                    break
        for name in ("cluster_centers_", "_counts", "n_steps_", "n_features_in_", "_batch_size",
                     "_n_since_last_reassign", "_random_state"):  # fmt: skip
            if name in model.__dict__:
                setattr(self, name, model.__dict__[name])
        self.n_iter_ = epoch + 1
        if self.compute_labels:
            from ._kmeans import _min_sq_block

            self.labels_ = self.predict(blocks.X)
            self.inertia_ = float(blocks.reduce(_min_sq_block, self.cluster_centers_, weights=True))
        return self


def _stream_block(
    model: Any,
    block: np.ndarray,
    wb: np.ndarray | None,
    batch_size: int,
    seed: int,
    epoch: int,
    b: int,
) -> Any:
    """Mini-batch steps of ``model`` on one block, batches in a per-block random order (each
    with its rows' weights ``wb`` when given)."""
    model = copy.deepcopy(model)
    m = block.shape[0]
    if m == 0:
        return model
    order = block_seed(seed, epoch, b).permutation(m)
    for s in range(0, m, batch_size):
        rows = np.sort(order[s : s + batch_size])
        if not hasattr(model, "cluster_centers_") and rows.shape[0] < model.n_clusters:
            continue
        model.partial_fit(block[rows], sample_weight=None if wb is None else wb[rows])
    return model
