"""matplotlib figures for choosing k and reading clusterings; each returns its Axes."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_array

__all__ = [
    "cluster_profiles",
    "dendrogram_layout",
    "plot_clusters",
    "plot_dendrogram",
    "plot_k_distance",
    "plot_profiles",
    "plot_reachability",
    "plot_selection",
    "plot_silhouette",
    "project_2d",
]


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is in the plot extra
        raise ImportError('shoal.plot needs matplotlib: pip install "shoal[plot]"') from exc
    return plt.subplots(figsize=(6, 4))[1]


def plot_selection(result: Any, criterion: str | None = None, ax: Any = None) -> Any:
    """A criterion's curve against k from ``select_k``, its chosen k marked.

    Parameters
    ----------
    result : SelectionResult
    criterion : str, default=None
        Which curve (default: the first criterion computed; 'elbow' draws the inertia).
    ax : matplotlib Axes, default=None

    Returns
    -------
    ax : matplotlib Axes
        Line 0 is the curve; line 1 the vertical marker at the chosen k.
    """
    ax = _axes(ax)
    name = criterion or next(iter(result.scores))
    if name not in result.scores:
        raise ValueError(f"criterion={name!r} was not computed; have {list(result.scores)}.")
    ks = np.asarray(result.ks)
    y = np.asarray(result.scores[name])
    ax.plot(ks, y, marker="o", label=name)
    if name == "gap" and "gap_se" in result.scores:
        ax.errorbar(ks, y, yerr=result.scores["gap_se"], fmt="none", capsize=3)
    k = result.chosen.get(name, result.k)
    ax.axvline(k, color="tab:red", linestyle="--", label=f"k = {k}")
    ax.set_xlabel("number of clusters k")
    ax.set_ylabel("inertia" if name == "elbow" else name.replace("_", " "))
    ax.legend()
    return ax


def plot_silhouette(X: Any, labels: Any, ax: Any = None) -> Any:
    """The silhouette 'knife' plot: each cluster's sorted silhouette values as a band.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    labels : array-like of shape (n_samples,)
        Noise (-1) is left out.
    ax : matplotlib Axes, default=None

    Returns
    -------
    ax : matplotlib Axes
        One filled band per cluster (``ax.collections``), a dashed line at the mean.
    """
    from ..metrics import silhouette_samples

    ax = _axes(ax)
    X = check_array(X)
    labels = np.asarray(labels)
    keep = labels >= 0
    s = silhouette_samples(X[keep], labels[keep])
    lab = labels[keep]
    y0 = 0
    for c in np.unique(lab):
        vals = np.sort(s[lab == c])
        ax.fill_betweenx(np.arange(y0, y0 + vals.shape[0]), 0, vals, alpha=0.7)
        ax.text(-0.05, y0 + vals.shape[0] / 2, str(c), ha="right", va="center")
        y0 += vals.shape[0] + 10
    ax.axvline(float(s.mean()), color="tab:red", linestyle="--")
    ax.set_xlabel("silhouette")
    ax.set_yticks([])
    return ax


def dendrogram_layout(Z: Any) -> dict[str, np.ndarray]:
    """Coordinates of a dendrogram drawn from a scipy linkage matrix.

    Leaves are ordered by a left-first walk of the tree and sit at x = 0, 1, ...; a merge is
    a U from its children's x (at their heights) up to its own height, centred between them.

    Parameters
    ----------
    Z : ndarray of shape (n - 1, 4)

    Returns
    -------
    layout : dict
        ``order`` (leaves left to right), ``x`` and ``y`` of shape (n - 1, 4): the U of each
        merge as four points (left foot, left top, right top, right foot).
    """
    Z = np.asarray(Z, dtype=np.float64)
    n = Z.shape[0] + 1
    order: list[int] = []
    stack = [2 * n - 2]
    while stack:
        node = stack.pop()
        if node < n:
            order.append(node)
        else:
            a, b = int(Z[node - n, 0]), int(Z[node - n, 1])
            stack += [b, a]  # left child first
    pos = np.empty(2 * n - 1)
    height = np.zeros(2 * n - 1)
    pos[np.asarray(order)] = np.arange(n)
    xs = np.empty((n - 1, 4))
    ys = np.empty((n - 1, 4))
    for i in range(n - 1):
        a, b, h = int(Z[i, 0]), int(Z[i, 1]), Z[i, 2]
        xs[i] = (pos[a], pos[a], pos[b], pos[b])
        ys[i] = (height[a], h, h, height[b])
        pos[n + i] = (pos[a] + pos[b]) / 2
        height[n + i] = h
    return {"order": np.asarray(order, dtype=np.int64), "x": xs, "y": ys}


def plot_dendrogram(Z: Any, cut: float | None = None, labels: Any = None, ax: Any = None) -> Any:
    """A dendrogram from any linkage matrix (``AgglomerativeClustering.linkage_matrix_``,
    ``HDBSCAN``'s single-linkage tree, scipy's), with an optional cut line.

    Parameters
    ----------
    Z : ndarray of shape (n - 1, 4)
    cut : float, default=None
        Draw a horizontal line at this height (``cut_linkage(Z, height=cut)``'s clusters).
    labels : sequence of str, default=None
        Leaf names (default: sample indices); skipped beyond 60 leaves.
    ax : matplotlib Axes, default=None

    Returns
    -------
    ax : matplotlib Axes
        One line per merge, then the cut line.
    """
    ax = _axes(ax)
    lay = dendrogram_layout(Z)
    for xs, ys in zip(lay["x"], lay["y"], strict=True):
        ax.plot(xs, ys, color="tab:blue", linewidth=0.8)
    if cut is not None:
        ax.axhline(cut, color="tab:red", linestyle="--")
    n = lay["order"].shape[0]
    if n <= 60:
        names = lay["order"] if labels is None else np.asarray(labels)[lay["order"]]
        ax.set_xticks(np.arange(n), [str(v) for v in names], rotation=90)
    else:
        ax.set_xticks([])
    ax.set_ylabel("merge height")
    return ax


def plot_reachability(optics: Any, ax: Any = None) -> Any:
    """OPTICS' reachability plot: reachability in cluster order, bars coloured by cluster.

    Parameters
    ----------
    optics : fitted OPTICS
    ax : matplotlib Axes, default=None

    Returns
    -------
    ax : matplotlib Axes
        One bar per sample in ``ordering_`` (infinite reachability drawn at the largest finite
        one).
    """
    ax = _axes(ax)
    order = np.asarray(optics.ordering_)
    reach = np.asarray(optics.reachability_)[order]
    finite = reach[np.isfinite(reach)]
    top = float(finite.max()) if finite.size else 1.0
    reach = np.where(np.isfinite(reach), reach, top)
    lab = np.asarray(optics.labels_)[order]
    colors = np.where(lab[:, None] >= 0, _palette(lab), np.array([[0.6, 0.6, 0.6, 1.0]]))
    ax.bar(np.arange(order.shape[0]), reach, width=1.0, color=colors)
    ax.set_xlabel("cluster order")
    ax.set_ylabel("reachability distance")
    return ax


def plot_k_distance(kd: Any, ax: Any = None) -> Any:
    """The sorted k-th-neighbour distances from ``k_distance``, the knee (suggested eps)
    marked.

    Parameters
    ----------
    kd : KDistance
    ax : matplotlib Axes, default=None

    Returns
    -------
    ax : matplotlib Axes
    """
    ax = _axes(ax)
    d = np.asarray(kd.distances)
    ax.plot(np.arange(d.shape[0]), d)
    ax.axhline(float(kd.eps), color="tab:red", linestyle="--", label=f"eps = {kd.eps:.3g}")
    ax.set_xlabel("samples, sorted")
    ax.set_ylabel(f"distance to neighbour {kd.k}")
    ax.legend()
    return ax


def _palette(labels: np.ndarray) -> np.ndarray:
    import matplotlib as mpl

    cmap = mpl.colormaps["tab10" if labels.max(initial=0) < 10 else "tab20"]
    return np.asarray(cmap(np.mod(np.maximum(labels, 0), cmap.N)))


def project_2d(X: Any) -> np.ndarray:
    """X itself with two features, else its first two principal components (SVD)."""
    X = check_array(X)
    if X.shape[1] <= 2:
        return X if X.shape[1] == 2 else np.column_stack([X[:, 0], np.zeros(X.shape[0])])
    C = X - X.mean(axis=0)
    _, _, vt = np.linalg.svd(C, full_matrices=False)
    return C @ vt[:2].T


def plot_clusters(
    X: Any,
    labels: Any,
    centers: Any = None,
    ax: Any = None,
    *,
    mixture: Any = None,
    n_std: float = 2.0,
) -> Any:
    """Samples in 2-D coloured by cluster (principal components when X has more than two
    features), noise in grey, centres as crosses, Gaussian ellipses for a mixture.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    labels : array-like of shape (n_samples,)
    centers : array-like of shape (k, n_features), default=None
    ax : matplotlib Axes, default=None
    mixture : fitted GaussianMixture, default=None
        Draw each component's ``n_std`` contour (its covariance projected on the view) and
        its mean as the centre.
    n_std : float, default=2.0

    Returns
    -------
    ax : matplotlib Axes
        ``ax.collections[0]`` holds the projected samples; ``ax.patches`` the ellipses.
    """
    from matplotlib.patches import Ellipse

    from ._mixture import full_covariances, gaussian_ellipses

    ax = _axes(ax)
    X = check_array(X)
    labels = np.asarray(labels)
    P = project_2d(X)
    colors = np.where(labels[:, None] >= 0, _palette(labels), np.array([[0.7, 0.7, 0.7, 1.0]]))
    ax.scatter(P[:, 0], P[:, 1], c=colors, s=8)
    basis = offset = None
    if X.shape[1] > 2:
        offset = X.mean(axis=0)
        basis = np.linalg.svd(X - offset, full_matrices=False)[2][:2].T
    if mixture is not None:
        if centers is None:
            centers = mixture.means_
        for m, w, h, angle in gaussian_ellipses(mixture.means_, full_covariances(mixture),
                                                basis, offset, n_std):  # fmt: skip
            ax.add_patch(Ellipse(tuple(m), w, h, angle=angle, fill=False, color="black",
                                 linewidth=1.0))  # fmt: skip
    if centers is not None:
        C = check_array(centers)
        if basis is not None:
            C = (C - offset) @ basis
        ax.scatter(C[:, 0], C[:, 1], marker="x", c="black", s=60)
    ax.set_xlabel("PC 1" if X.shape[1] > 2 else "feature 0")
    ax.set_ylabel("PC 2" if X.shape[1] > 2 else "feature 1")
    return ax


def cluster_profiles(X: Any, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    """Per-cluster feature means and their z-scores against the whole data.

    Returns
    -------
    means : ndarray of shape (k, n_features)
    z : ndarray of shape (k, n_features)
        ``(cluster mean - overall mean) / overall standard deviation``.
    """
    X = check_array(X)
    labels = np.asarray(labels)
    ids = np.unique(labels[labels >= 0])
    means = np.array([X[labels == c].mean(axis=0) for c in ids])
    sd = X.std(axis=0)
    z = (means - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    return means, z


def plot_profiles(X: Any, labels: Any, feature_names: Any = None, ax: Any = None) -> Any:
    """Heat map of each cluster's feature means as z-scores against the whole data (the
    seeds' segment profiles).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    labels : array-like of shape (n_samples,)
    feature_names : sequence of str, default=None
    ax : matplotlib Axes, default=None

    Returns
    -------
    ax : matplotlib Axes
        ``ax.images[0]`` holds the (k, n_features) z-score matrix.
    """
    ax = _axes(ax)
    _, z = cluster_profiles(X, labels)
    lim = float(np.abs(z).max()) or 1.0
    ax.imshow(z, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
    names = feature_names if feature_names is not None else range(z.shape[1])
    ax.set_xticks(np.arange(z.shape[1]), [str(v) for v in names], rotation=45, ha="right")
    ids = np.unique(np.asarray(labels)[np.asarray(labels) >= 0])
    ax.set_yticks(np.arange(z.shape[0]), [f"cluster {c}" for c in ids])
    for i in range(z.shape[0]):
        for j in range(z.shape[1]):
            ax.text(j, i, f"{z[i, j]:+.1f}", ha="center", va="center", fontsize=7)
    return ax
