"""Birch on dask arrays: one CF tree per row block, their leaf subclusters merged."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .._kernels.numba_.birch import META_ENTRIES, META_NODES, birch_insert_cf
from ..hierarchy import Birch as _InMemoryBirch
from ..hierarchy.birch import _CFTree
from ._engine import Blocks, as_dask_array, is_dask
from ._inference import DaskCentroidMixin

__all__ = ["Birch"]


class Birch(DaskCentroidMixin, _InMemoryBirch):
    """BIRCH on a dask array: a CF tree per block, merged into one, then the global step.

    Every block builds shoal's CF tree of its rows where it lives (the in-memory kernel) and
    returns only that tree; the leaf subclusters' clustering features ``(N, LS, SS)`` of the
    others are then inserted, block after block, into the first block's tree (the same
    threshold and branching factor; a CF is absorbed by the closest leaf entry when their
    merged radius stays within the threshold, as a sample is); the global clustering runs on
    the merged leaves as in :class:`shoal.Birch`. One pass over X; a few subclusters per
    block travel.

    Parameters are those of :class:`shoal.Birch`, plus ``persist`` (as in
    :class:`shoal.dask.KMeans`; one pass needs no persisting, so the default is False).

    Notes
    -----
    The first block's tree receives the other blocks' leaf subclusters, so a single block
    gives exactly the in-memory subclusters. With several, subclusters near partition
    borders may merge differently than in one sequential pass over the samples (BIRCH
    depends on the order of its input anyway). ``labels_`` is a lazy dask array (``predict``).

    Examples
    --------
    >>> import numpy as np
    >>> import dask.array as da
    >>> from shoal.dask import Birch
    >>> X = np.array([[0.0, 1.0], [0.3, 1.0], [-0.3, 1.0], [0.0, -1.0], [0.3, -1.0],
    ...               [-0.3, -1.0]])
    >>> b = Birch(n_clusters=2).fit(da.from_array(X, chunks=(3, 2)))
    >>> b.predict(da.from_array(X, chunks=(3, 2))).compute().tolist()
    [0, 0, 0, 1, 1, 1]
    """

    _in_memory: ClassVar[type] = _InMemoryBirch

    def __init__(
        self,
        *,
        threshold: float = 0.5,
        branching_factor: int = 50,
        n_clusters: Any = 3,
        compute_labels: bool = True,
        copy: bool = True,
        persist: Any = False,
    ) -> None:
        super().__init__(
            threshold=threshold,
            branching_factor=branching_factor,
            n_clusters=n_clusters,
            compute_labels=compute_labels,
            copy=copy,
        )
        self.persist = persist

    def fit(self, X: Any, y: Any = None) -> Birch:
        """Build per-block CF trees of a dask array, merge them, run the global clustering.

        Parameters
        ----------
        X : dask array of shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        self : Birch
        """
        if not is_dask(X):
            return super().fit(X, y)
        self._validate_params()
        blocks = Blocks(as_dask_array(X), self.persist)
        self.n_features_in_ = blocks.d
        trees = blocks.gather(_block_tree, float(self.threshold), int(self.branching_factor))
        # The first block's tree takes the others' leaf subclusters: one block gives exactly
        # the in-memory tree.
        tree = trees[0]
        for other in trees[1:]:
            leaves = other.leaf_entries()
            N, LS, SS = other.e_n[leaves], other.e_ls[leaves], other.e_ss[leaves]
            start = 0
            while start < N.shape[0]:
                start = birch_insert_cf(N, LS, SS, start, tree.threshold, tree.branching,
                                        tree.e_n, tree.e_ls, tree.e_ss, tree.e_c, tree.e_sq,
                                        tree.e_child, tree.nd_leaf, tree.nd_cnt, tree.nd_ent,
                                        tree.nd_prev, tree.nd_next, tree.meta)  # fmt: skip
                if start < N.shape[0]:
                    tree._grow()
        self._tree = tree
        self._views = None
        leaves = tree.leaf_entries()
        self.subcluster_centers_ = tree.e_c[leaves].astype(blocks.dtype)
        self._n_features_out = self.subcluster_centers_.shape[0]
        self._global_clustering(None)
        if self.compute_labels:
            self.labels_ = self.predict(blocks.X)
        return self

    def partial_fit(self, X: Any = None, y: Any = None) -> Birch:
        """In-memory only (a dask array is fitted with ``fit``)."""
        if is_dask(X):
            raise NotImplementedError("shoal.dask.Birch.partial_fit takes in-memory arrays.")
        return super().partial_fit(X, y)

    def fit_predict(self, X: Any, y: Any = None, **kwargs: Any) -> Any:
        """Fit, then return the labels (lazy for dask input)."""
        if not is_dask(X):
            return super().fit_predict(X, y, **kwargs)
        return self.fit(X).predict(X)


def _block_tree(block: np.ndarray, threshold: float, branching: int, i: int) -> _CFTree:
    """The CF tree of one block (in-memory kernel), its tables cut to what is used."""
    d = block.shape[1]
    tree = _CFTree(d, threshold, branching, max(1, block.shape[0]))
    if block.shape[0]:
        tree.insert(np.ascontiguousarray(block, dtype=np.float64))
    e = int(tree.meta[META_ENTRIES]) + 1
    v = int(tree.meta[META_NODES]) + 1
    for name in ("e_n", "e_ls", "e_ss", "e_c", "e_sq", "e_child"):
        setattr(tree, name, getattr(tree, name)[:e].copy())
    for name in ("nd_leaf", "nd_cnt", "nd_ent", "nd_prev", "nd_next"):
        setattr(tree, name, getattr(tree, name)[:v].copy())
    return tree
