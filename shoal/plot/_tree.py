"""HDBSCAN's condensed tree drawn as an icicle plot."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["condensed_tree_layout", "plot_condensed_tree"]


def _tree_and_selected(tree: Any, selected: Any) -> tuple[Any, np.ndarray | None]:
    """The CondensedTree and selected cluster ids from a fitted HDBSCAN or a tree."""
    if hasattr(tree, "condensed_tree_"):
        model = tree
        tree = model.condensed_tree_
        if selected is None:
            prediction = getattr(model, "_prediction", None)
            if prediction is not None:
                selected = prediction[-1]
    return tree, None if selected is None else np.asarray(selected, dtype=np.int64)


def condensed_tree_layout(tree: Any, selected: Any = None) -> dict[str, Any]:
    """Where each cluster of a condensed tree goes in an icicle plot.

    Every cluster owns a horizontal span as wide as its size at birth; its children's spans
    sit inside it left to right, separated by equal gaps for the samples that fell out
    before the split, so spans never overlap. Within its span a cluster is drawn as a bar
    centred on the span whose width at lambda is the number of its samples still present.

    Parameters
    ----------
    tree : CondensedTree or fitted HDBSCAN
    selected : array-like of int, default=None
        Selected cluster ids (default: the fitted HDBSCAN's).

    Returns
    -------
    layout : dict
        ``clusters`` (ids, root first), ``parent`` (-1 for the root), ``span`` (m, 2),
        ``birth`` and ``death`` (lambda), ``size`` (at birth), ``steps``: per cluster the
        (lambda, width) pairs of its bar, and ``selected`` (bool per cluster).
    """
    t, sel = _tree_and_selected(tree, selected)
    parent = np.asarray(t.parent, dtype=np.int64)
    child = np.asarray(t.child, dtype=np.int64)
    lam = np.asarray(t.lambda_val, dtype=np.float64)
    size = np.asarray(t.child_size, dtype=np.float64)
    if parent.shape[0] == 0:
        raise ValueError("the condensed tree is empty.")
    root = int(parent.min())
    n = root  # cluster ids start at n_samples
    is_cl = child >= n
    ids = np.concatenate([[root], child[is_cl]])
    index = {int(c): i for i, c in enumerate(ids)}
    m = ids.shape[0]
    par = np.full(m, -1, dtype=np.int64)
    birth = np.zeros(m)
    csize = np.zeros(m)
    csize[0] = size[parent == root].sum()
    for p, c, lv, s in zip(parent[is_cl], child[is_cl], lam[is_cl], size[is_cl], strict=True):
        i = index[int(c)]
        par[i], birth[i], csize[i] = index[int(p)], lv, s
    order = np.argsort(parent, kind="stable")
    starts = np.searchsorted(parent[order], ids)
    ends = np.searchsorted(parent[order], ids, side="right")
    death = birth.copy()
    steps: list[np.ndarray] = []
    kids: list[list[int]] = [[] for _ in range(m)]
    for i in range(m):
        rows = order[starts[i] : ends[i]]
        rows = rows[np.argsort(lam[rows], kind="stable")]
        if rows.size:
            death[i] = lam[rows].max()
        # width just after each lambda at which samples (or child clusters) leave
        left = csize[i] - np.cumsum(size[rows])
        steps.append(np.column_stack([np.r_[birth[i], lam[rows]], np.r_[csize[i], left]]))
        kids[i] = [index[int(c)] for c in child[rows] if c >= n]
    span = np.zeros((m, 2))
    span[0] = (0.0, csize[0])
    stack = [0]
    while stack:
        i = stack.pop()
        total = sum(csize[j] for j in kids[i])
        gap = (csize[i] - total) / (len(kids[i]) + 1)
        x = span[i, 0] + gap
        for j in kids[i]:
            span[j] = (x, x + csize[j])
            x += csize[j] + gap
            stack.append(j)
    chosen = np.zeros(m, dtype=bool)
    if sel is not None:
        chosen[[index[int(c)] for c in sel if int(c) in index]] = True
    return {"clusters": ids, "parent": par, "span": span, "birth": birth, "death": death,
            "size": csize, "steps": steps, "selected": chosen}  # fmt: skip


def plot_condensed_tree(tree: Any, selected: Any = None, ax: Any = None) -> Any:
    """HDBSCAN's condensed tree as an icicle plot (lambda = 1 / distance grows downwards),
    the selected clusters outlined in red.

    Parameters
    ----------
    tree : CondensedTree or fitted HDBSCAN
    selected : array-like of int, default=None
    ax : matplotlib Axes, default=None

    Returns
    -------
    ax : matplotlib Axes
        ``ax.collections[i]`` is cluster ``layout['clusters'][i]``'s bar; one red rectangle
        per selected cluster in ``ax.patches``.
    """
    from matplotlib.patches import Rectangle

    from ._plots import _axes

    ax = _axes(ax)
    lay = condensed_tree_layout(tree, selected)
    for i in range(lay["clusters"].shape[0]):
        st = lay["steps"][i]
        mid = lay["span"][i].mean()
        ax.fill_betweenx(st[:, 0], mid - st[:, 1] / 2, mid + st[:, 1] / 2, step="post",
                         color="tab:blue", alpha=0.6, linewidth=0)  # fmt: skip
        if lay["selected"][i]:
            w = lay["size"][i]
            ax.add_patch(Rectangle((mid - w / 2, lay["birth"][i]), w,
                                   lay["death"][i] - lay["birth"][i], fill=False,
                                   edgecolor="tab:red", linewidth=1.5))  # fmt: skip
    ax.set_ylim(float(lay["death"].max()) * 1.02 or 1.0, 0.0)
    ax.set_xlim(0.0, float(lay["size"][0]))
    ax.set_xticks([])
    ax.set_ylabel("lambda = 1 / distance")
    ax.set_xlabel("samples (bar width = cluster size)")
    return ax
