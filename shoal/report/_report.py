"""Build the self-contained HTML report from a fitted clusterer and its data."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .._validation import check_array
from ._figures import svg

__all__ = ["build_report", "write_report"]

_MAX_SILHOUETTE = 5000  # silhouette on at most this many samples (it is O(n^2))
_MAX_POINTS = 5000  # samples drawn in the 2-D view


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}" if abs(int(v)) >= 10000 else str(int(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if not np.isfinite(f):
            return str(f)
        a = abs(f)
        if a >= 1000:
            return f"{f:,.0f}"
        if a >= 10:
            return f"{f:.1f}"
        if a >= 0.01 or a == 0:
            return f"{f:.3f}"
        return f"{f:.2e}"
    if isinstance(v, np.ndarray):
        return f"array of shape {v.shape}"
    return str(v)


def _labels(model: Any, X_fit: np.ndarray) -> np.ndarray:
    labels = getattr(model, "labels_", None)
    if labels is None:
        labels = model.predict(X_fit)
    return np.asarray(labels, dtype=np.int64)


def _figure(width: float = 6.0, height: float = 4.0) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height))
    return fig, ax


def _selection_section(selection: Any) -> dict[str, Any] | None:
    from ..plot import plot_bic, plot_selection

    if selection is None:
        return None
    figures = []
    if hasattr(selection, "covariance_types"):  # MixtureSweep
        header = ["covariance type", "k", "BIC", "AIC"]
        rows = [[r["covariance_type"], r["k"], _fmt(r["bic"]), _fmt(r["aic"])]
                for r in selection.table()]  # fmt: skip
        fig, ax = _figure()
        plot_bic(selection, ax=ax)
        figures.append({"caption": f"{selection.criterion.upper()} per covariance type",
                        "svg": svg(fig)})  # fmt: skip
        text = (f"{selection.criterion.upper()} is lowest for covariance_type="
                f"'{selection.covariance_type}' with k={selection.k}.")  # fmt: skip
        return {"explanation": text, "header": header, "rows": rows, "figures": figures}
    crits = [c for c in selection.scores if c != "gap_se"]
    header = ["k", *crits]
    rows = [[k, *(_fmt(float(selection.scores[c][i])) for c in crits)]
            for i, k in enumerate(selection.ks)]  # fmt: skip
    for c in crits:
        fig, ax = _figure(5.0, 3.2)
        plot_selection(selection, c, ax=ax)
        figures.append({"caption": c.replace("_", " "), "svg": svg(fig)})
    return {"explanation": selection.explanation, "header": header, "rows": rows,
            "figures": figures}  # fmt: skip


def _quality(X_fit: np.ndarray, labels: np.ndarray, random_state: Any) -> list[dict[str, str]]:
    from ..metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

    keep = labels >= 0
    Xk, lk = X_fit[keep], labels[keep]
    if np.unique(lk).shape[0] < 2 or np.unique(lk).shape[0] >= Xk.shape[0]:
        why = "needs at least 2 clusters and fewer clusters than samples"
        return [{"name": "silhouette", "value": "-", "reading": why}]
    size = _MAX_SILHOUETTE if Xk.shape[0] > _MAX_SILHOUETTE else None
    sil = silhouette_score(Xk, lk, sample_size=size, random_state=random_state)
    ch = calinski_harabasz_score(Xk, lk)
    db = davies_bouldin_score(Xk, lk)
    return [
        {"name": "silhouette" + (f" (sample of {size})" if size else ""), "value": _fmt(sil),
         "reading": "from -1 to 1, higher is better; above 0.5 is a clear structure"},
        {"name": "Calinski-Harabasz", "value": _fmt(ch),
         "reading": "between- over within-cluster dispersion, higher is better"},
        {"name": "Davies-Bouldin", "value": _fmt(db),
         "reading": "average worst-case cluster overlap, lower is better (0 is best)"},
    ]  # fmt: skip


def _traits(names: list[str], z: np.ndarray, top: int = 3) -> str:
    order = np.argsort(-np.abs(z), kind="stable")
    parts = [f"{'high' if z[j] > 0 else 'low'} {names[j]} ({z[j]:+.1f} sd)"
             for j in order[:top] if abs(z[j]) >= 0.5]  # fmt: skip
    return ", ".join(parts) if parts else "close to the overall average on every column"


def _view_figures(X_fit: np.ndarray, labels: np.ndarray, model: Any,
                  rng: np.random.Generator) -> list[dict[str, str]]:  # fmt: skip
    from ..plot import (
        plot_clusters,
        plot_condensed_tree,
        plot_dendrogram,
        plot_reachability,
    )

    n = X_fit.shape[0]
    idx = np.sort(rng.choice(n, _MAX_POINTS, replace=False)) if n > _MAX_POINTS else slice(None)
    fig, ax = _figure()
    centers = getattr(model, "cluster_centers_", None)
    is_mixture = hasattr(model, "covariances_") and hasattr(model, "means_")
    centers_ok = centers is not None and np.ndim(centers) == 2 and \
        np.shape(centers)[1] == X_fit.shape[1]  # fmt: skip
    plot_clusters(X_fit[idx], labels[idx], centers if centers_ok and not is_mixture else None,
                  ax=ax, mixture=model if is_mixture else None)  # fmt: skip
    figures = [{"caption": "samples coloured by cluster" + (
        ", Gaussian components as 2-sd ellipses" if is_mixture else
        ", centres as crosses" if centers_ok else ""), "svg": svg(fig)}]  # fmt: skip
    Z = getattr(model, "linkage_matrix_", None)
    if Z is not None:
        fig, ax = _figure()
        plot_dendrogram(Z, ax=ax)
        figures.append({"caption": "dendrogram", "svg": svg(fig)})
    if hasattr(model, "reachability_") and hasattr(model, "ordering_"):
        fig, ax = _figure()
        plot_reachability(model, ax=ax)
        figures.append({"caption": "reachability", "svg": svg(fig)})
    if hasattr(model, "condensed_tree_"):
        fig, ax = _figure()
        plot_condensed_tree(model, ax=ax)
        figures.append({"caption": "condensed tree", "svg": svg(fig)})
    return figures


def build_report(
    X: Any,
    model: Any,
    *,
    X_fit: Any = None,
    feature_names: Any = None,
    selection: Any = None,
    title: str = "Clustering report",
    data_name: str = "array",
    scaling: str = "none",
    random_state: Any = 0,
) -> str:
    """One self-contained HTML page describing a clustering.

    The page has the data (shape, columns, scaling), the estimator and its parameters, the
    selection curves and the chosen k when ``selection`` is given, cluster sizes, a 2-D view
    (with the dendrogram, reachability plot or condensed tree when the model has one),
    quality metrics and cluster profiles: per-column means, their z-scores against the
    whole data and the most distinguishing columns of each cluster.

    Figures are inline SVG with text drawn as paths; the page makes no network request and
    holds no script (a Content-Security-Policy forbids both). Every user-supplied string
    (column names, data name, title, parameter values) is HTML-escaped.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data in its original units (profiles are reported in these units).
    model : fitted clusterer
        With ``labels_`` (or ``predict``).
    X_fit : array-like of shape (n_samples, n_features), default=None
        What the model was fitted on, if not X (e.g. standardised X); metrics and the 2-D
        view use it.
    feature_names : sequence of str, default=None
        Column names (default ``x0, x1, ...``).
    selection : SelectionResult or MixtureSweep, default=None
        From ``shoal.select.select_k`` or ``shoal.select.mixture_sweep``.
    title, data_name, scaling : str
        Shown as text.
    random_state : int, default=0
        For the silhouette sample and the drawn subset of a large data set.

    Returns
    -------
    html : str

    Examples
    --------
    >>> import numpy as np
    >>> from shoal import KMeans
    >>> X = np.vstack([np.zeros((20, 2)), np.full((20, 2), 5.0)]) + np.arange(40)[:, None] % 3
    >>> html = build_report(X, KMeans(2, random_state=0).fit(X), feature_names=["a", "b"])
    >>> html.startswith("<!DOCTYPE html>") and "<script" not in html
    True
    """
    try:
        import jinja2
    except ImportError as exc:  # pragma: no cover - jinja2 is in the report extra
        raise ImportError('shoal.report needs jinja2: pip install "shoal[report]"') from exc
    from .. import __version__
    from ..plot import cluster_profiles, plot_profiles

    X = check_array(X, dtype=np.float64)
    Xf = X if X_fit is None else check_array(X_fit, dtype=np.float64)
    if Xf.shape[0] != X.shape[0]:
        raise ValueError(f"X_fit has {Xf.shape[0]} rows but X has {X.shape[0]}.")
    names = [str(c) for c in feature_names] if feature_names is not None else \
        [f"x{j}" for j in range(X.shape[1])]  # fmt: skip
    if len(names) != X.shape[1]:
        raise ValueError(f"feature_names has {len(names)} names for {X.shape[1]} columns.")
    labels = _labels(model, Xf)
    if labels.shape[0] != X.shape[0]:
        raise ValueError(f"the model has {labels.shape[0]} labels for {X.shape[0]} rows.")
    rng = np.random.default_rng(random_state if isinstance(random_state, int) else None)
    n = X.shape[0]
    ids, counts = np.unique(labels, return_counts=True)
    sizes = [{"name": "noise" if c < 0 else str(c), "size": _fmt(int(s)),
              "share": f"{s / n:.1%}"} for c, s in zip(ids, counts, strict=True)]  # fmt: skip
    profiles = []
    if (labels >= 0).any():
        means, z = cluster_profiles(X, labels)
        for row, (c, m, zz) in enumerate(zip(ids[ids >= 0], means, z, strict=True)):
            cells = [{"mean": _fmt(float(v)), "z": f"{zv:+.2f}",
                      "cls": "pos" if zv >= 0.5 else ("neg" if zv <= -0.5 else "")}
                     for v, zv in zip(m, zz, strict=True)]  # fmt: skip
            profiles.append({"name": f"cluster {c}", "size": int(counts[ids >= 0][row]),
                             "cells": cells, "traits": _traits(names, zz)})  # fmt: skip
        fig, ax = _figure(max(5.0, 0.9 * len(names) + 2), max(2.5, 0.45 * len(profiles) + 1.5))
        plot_profiles(X, labels, names, ax=ax)
        profile_figure = svg(fig)
    else:
        profile_figure = ""
    params = sorted(model.get_params(deep=False).items()) if hasattr(model, "get_params") \
        else []  # fmt: skip
    view_note = (
        "The first two principal components of the fitted data." if Xf.shape[1] > 2
        else "The fitted data as it is." ) + (
        f" {_MAX_POINTS} of the {n} rows are drawn." if n > _MAX_POINTS else "")  # fmt: skip
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)  # fmt: skip
    template = env.from_string(
        (resources.files(__package__) / "templates" / "report.html.j2").read_text("utf-8")
    )
    return template.render(
        title=title,
        version=__version__,
        estimator_name=type(model).__name__,
        n_clusters=int((ids >= 0).sum()),
        n_noise=int(counts[ids < 0].sum()),
        n_samples=_fmt(n),
        n_features=X.shape[1],
        data_name=data_name,
        scaling=scaling,
        columns=names,
        params=[
            (k, _fmt(v) if not hasattr(v, "get_params") else type(v).__name__) for k, v in params
        ],
        selection=_selection_section(selection),
        sizes=sizes,
        view_figures=_view_figures(Xf, labels, model, rng),
        view_note=view_note,
        quality=_quality(Xf, labels, random_state),
        quality_note="Metrics are computed on the fitted data"
        + (", noise points left out." if (labels < 0).any() else "."),
        profiles=profiles,
        overall=[_fmt(float(v)) for v in X.mean(axis=0)],
        profile_figure=profile_figure,
    )


def write_report(path: str | Path, X: Any, model: Any, **kwargs: Any) -> Path:
    """Write :func:`build_report`'s page to ``path`` (UTF-8) and return the path.

    Parameters
    ----------
    path : str or Path
    X, model, **kwargs
        As for :func:`build_report`.

    Returns
    -------
    path : Path
    """
    path = Path(path)
    html = build_report(X, model, **kwargs)
    path.write_text(html, encoding="utf-8")
    return path
