"""select_k: sweep the number of clusters of any estimator and read it off several criteria."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.base import clone

from .._validation import check_array, check_int, check_random_state
from ..metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)

__all__ = ["CRITERIA", "SelectionResult", "elbow_point", "select_k"]

# criterion -> True when larger is better
CRITERIA = {
    "elbow": None, "silhouette": True, "calinski_harabasz": True, "davies_bouldin": False,
    "bic": False, "aic": False, "icl": False, "gap": None, "stability": True, "eigengap": None,
}  # fmt: skip
AUTO = ("elbow", "silhouette", "calinski_harabasz", "davies_bouldin")


@dataclass
class SelectionResult:
    """What ``select_k`` found.

    Attributes
    ----------
    k : int
        The chosen number of clusters.
    method : str
    ks : list of int
        The values tried.
    scores : dict of str -> ndarray
        Each criterion's value per k (for 'gap', the gap; 'gap_se' holds its standard error).
    chosen : dict of str -> int
        Each criterion's own choice.
    explanation : str
        One sentence on how k was chosen.
    best_estimator : estimator
        The estimator fitted with the chosen k.
    """

    k: int
    method: str
    ks: list[int]
    scores: dict[str, np.ndarray]
    chosen: dict[str, int]
    explanation: str
    best_estimator: Any = field(repr=False, default=None)

    def table(self) -> list[dict[str, Any]]:
        """One row per k: ``{"k": k, criterion: value, ...}``."""
        return [{"k": k, **{c: float(v[i]) for c, v in self.scores.items()}}
                for i, k in enumerate(self.ks)]  # fmt: skip

    def to_frame(self) -> Any:
        """The table as a pandas DataFrame (needs the ``io`` extra)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - pandas is in the io extra
            raise ImportError('to_frame needs pandas: pip install "shoal[io]"') from exc
        return pd.DataFrame(self.table()).set_index("k")


def elbow_point(ks: Any, values: Any) -> int:
    """The elbow of a decreasing convex curve (inertia against k) by Kneedle (Satopaa et
    al. 2011): both axes scaled to [0, 1], the point farthest below the chord.

    Parameters
    ----------
    ks : array-like of shape (m,)
    values : array-like of shape (m,)

    Returns
    -------
    k : int
        The k at the elbow (the first when the curve is flat).
    """
    x = np.asarray(ks, dtype=np.float64)
    y = np.asarray(values, dtype=np.float64)
    if x.shape[0] < 3 or y.max() == y.min():
        return int(x[0])
    xn = (x - x[0]) / (x[-1] - x[0])
    yn = (y - y.min()) / (y.max() - y.min())
    return int(x[int(np.argmax((1.0 - xn) - yn))])


def _param(estimator: Any, param: str | None) -> str:
    if param is not None:
        return param
    names = estimator.get_params()
    for name in ("n_clusters", "n_components"):
        if name in names:
            return name
    raise ValueError(
        f"{type(estimator).__name__} has neither n_clusters nor n_components; pass param=."
    )


def _labels(est: Any, X: np.ndarray) -> np.ndarray:
    labels = getattr(est, "labels_", None)
    return np.asarray(labels if labels is not None else est.predict(X))


def _within_ss(X: np.ndarray, labels: np.ndarray) -> float:
    """Sum of squared distances of samples to their cluster's mean (noise left out)."""
    total = 0.0
    for c in np.unique(labels[labels >= 0]):
        part = X[labels == c]
        total += float(((part - part.mean(axis=0)) ** 2).sum())
    return total


def _internal(name: str, X: np.ndarray, labels: np.ndarray) -> float:
    if np.unique(labels).shape[0] < 2:
        return np.nan
    if name == "silhouette":
        return float(silhouette_score(X, labels))
    if name == "calinski_harabasz":
        return float(calinski_harabasz_score(X, labels))
    return float(davies_bouldin_score(X, labels))


def select_k(
    estimator: Any,
    X: Any,
    k_range: Iterable[int] = range(2, 11),
    method: str | list[str] = "auto",
    *,
    param: str | None = None,
    n_refs: int = 10,
    n_boot: int = 10,
    subsample: float = 0.8,
    random_state: Any = None,
    progress: bool = False,
) -> SelectionResult:
    """Fit ``estimator`` once per k and choose k by one criterion, several, or 'auto'.

    Parameters
    ----------
    estimator : estimator
        Any shoal or scikit-learn clusterer with ``n_clusters`` or ``n_components`` (cloned,
        never modified).
    X : array-like of shape (n_samples, n_features)
    k_range : iterable of int, default=range(2, 11)
    method : str or list of str, default='auto'
        'elbow' (inertia, or the within-cluster sum of squares, with Kneedle's knee),
        'silhouette', 'calinski_harabasz' (largest), 'davies_bouldin' (smallest), 'bic' /
        'aic' / 'icl' (mixtures; smallest), 'gap' (Tibshirani, Walther & Hastie 2001: ``n_refs``
        uniform reference draws over X's bounding box, the smallest k with
        ``gap(k) >= gap(k+1) - s(k+1)``), 'stability' (mean ARI between fits on ``n_boot``
        pairs of ``subsample`` fractions, on the samples they share; the largest k within 0.02
        of the best, since merging whole clusters is as reproducible as finding them),
        'eigengap' (spectral estimators: one embedding, the largest eigengap within
        k_range), a list of these, or 'auto': elbow, silhouette, Calinski-Harabasz and
        Davies-Bouldin (plus BIC for mixtures) vote; ties go to the silhouette's choice.
    param : str, default=None
        The parameter to sweep (default: n_clusters, else n_components).
    n_refs, n_boot : int, default=10
    subsample : float, default=0.8
    random_state : int, RandomState instance or None
        Reference draws, subsamples, and the estimator's own random_state when it is None.
    progress : bool, default=False
        Show a progress bar (rich) over the sweep.

    Returns
    -------
    result : SelectionResult

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from shoal import KMeans, select_k
    >>> X, _ = make_blobs(300, centers=3, cluster_std=0.5, random_state=3)
    >>> res = select_k(KMeans(random_state=0), X, range(2, 7))
    >>> res.k, res.explanation
    (3, 'k=3: chosen by 4 of 4 criteria (elbow, silhouette, calinski_harabasz, davies_bouldin).')
    """
    X = check_array(X)
    ks = sorted({int(k) for k in k_range})
    if len(ks) < 2:
        raise ValueError(f"k_range needs at least 2 values; got {ks}.")
    if ks[0] < 1 or ks[-1] > X.shape[0]:
        raise ValueError(f"k_range must lie in [1, n_samples={X.shape[0]}]; got {ks}.")
    methods = list(AUTO) if method == "auto" else ([method] if isinstance(method, str)
                                                     else list(method))  # fmt: skip
    for m in methods:
        if m not in CRITERIA:
            raise ValueError(f"method={m!r} is not valid; choose among {[*CRITERIA, 'auto']}.")
    check_int("n_refs", n_refs, low=1)
    check_int("n_boot", n_boot, low=1)
    rng = check_random_state(random_state)
    name = _param(estimator, param)
    base = clone(estimator)
    if "random_state" in base.get_params() and base.get_params()["random_state"] is None:
        base.set_params(random_state=int(rng.randint(2**31 - 1)))
    if method == "auto" and hasattr(base, "bic"):
        methods.append("bic")

    def fit(k: int, data: np.ndarray) -> Any:
        return clone(base).set_params(**{name: k}).fit(data)

    scores: dict[str, np.ndarray] = {}
    chosen: dict[str, int] = {}
    fitted: dict[int, Any] = {}
    sweep = [m for m in methods if m not in ("eigengap",)]
    steps = _progress(ks, progress, "select_k")
    per_k: dict[str, list[float]] = {m: [] for m in sweep}
    gap_se: list[float] = []
    for k in steps:
        est = fit(k, X)
        fitted[k] = est
        labels = _labels(est, X)
        for m in sweep:
            if m == "elbow":
                v = getattr(est, "inertia_", None)
                per_k[m].append(float(v) if v is not None else _within_ss(X, labels))
            elif m in ("silhouette", "calinski_harabasz", "davies_bouldin"):
                per_k[m].append(_internal(m, X, labels))
            elif m in ("bic", "aic", "icl"):
                if not hasattr(est, m):
                    raise ValueError(f"method={m!r} needs an estimator with {m}(); "
                                     f"{type(est).__name__} has none.")  # fmt: skip
                per_k[m].append(float(getattr(est, m)(X)))
            elif m == "gap":
                g, s = _gap(fit, k, X, labels, n_refs, rng)
                per_k[m].append(g)
                gap_se.append(s)
            elif m == "stability":
                per_k[m].append(_stability(fit, k, X, n_boot, subsample, rng))
    for m in sweep:
        v = np.asarray(per_k[m])
        scores[m] = v
        if m == "elbow":
            chosen[m] = elbow_point(ks, v)
        elif m == "gap":
            se = np.asarray(gap_se)
            scores["gap_se"] = se
            ok = [i for i in range(len(ks) - 1) if v[i] >= v[i + 1] - se[i + 1]]
            chosen[m] = ks[ok[0]] if ok else ks[int(np.nanargmax(v))]
        elif m == "stability":
            # Fewer clusters are often just as stable (merging whole clusters is
            # reproducible): the most clusters whose stability is within 0.02 of the best.
            top = np.nanmax(v)
            chosen[m] = max(k for k, s in zip(ks, v, strict=True) if s >= top - 0.02)
        else:
            good = np.where(np.isnan(v), -np.inf if CRITERIA[m] else np.inf, v)
            chosen[m] = ks[int(np.argmax(good) if CRITERIA[m] else np.argmin(good))]
    if "eigengap" in methods:
        from ..graph.spectral import eigengap

        top = ks[-1]
        if "n_components" not in base.get_params() or name != "n_clusters":
            raise ValueError("method='eigengap' needs a spectral estimator (n_clusters and "
                             f"n_components); got {type(base).__name__}.")  # fmt: skip
        est = clone(base).set_params(**{name: top, "n_components": top + 1}).fit(X)
        vals = np.asarray(getattr(est, "eigenvalues_", []))
        if vals.shape[0] < 3:
            raise ValueError(f"method='eigengap': {type(base).__name__} exposes no eigenvalues_.")
        scores["eigengap"] = np.array([vals[k] - vals[k - 1] if k < len(vals) else np.nan
                                       for k in ks])  # fmt: skip
        chosen["eigengap"] = int(np.clip(eigengap(vals, min_clusters=max(ks[0], 2)), ks[0], top))
    k, explanation = _decide(method, methods, chosen)
    best = fitted.get(k)
    if best is None:
        best = fit(k, X)
    return SelectionResult(k=k, method=str(method), ks=ks, scores=scores, chosen=chosen,
                           explanation=explanation, best_estimator=best)  # fmt: skip


def _decide(method: Any, methods: list[str], chosen: dict[str, int]) -> tuple[int, str]:
    if len(methods) == 1:
        m = methods[0]
        return chosen[m], f"k={chosen[m]}: chosen by {m}."
    votes: dict[int, list[str]] = {}
    for m in methods:
        votes.setdefault(chosen[m], []).append(m)
    most = max(len(v) for v in votes.values())
    tied = [k for k, v in votes.items() if len(v) == most]
    lead = chosen.get("silhouette", chosen[methods[0]])
    k = lead if lead in tied else min(tied)
    others = "; ".join(f"{', '.join(v)} preferred {kk}" for kk, v in sorted(votes.items())
                       if kk != k)  # fmt: skip
    sentence = (f"k={k}: chosen by {len(votes[k])} of {len(methods)} criteria "
                f"({', '.join(votes[k])})")  # fmt: skip
    if len(tied) > 1:
        sentence += ", the silhouette breaking the tie"
    return k, sentence + (f"; {others}." if others else ".")


def _gap(fit: Any, k: int, X: np.ndarray, labels: np.ndarray, n_refs: int,
         rng: np.random.RandomState) -> tuple[float, float]:  # fmt: skip
    """Gap statistic at k and its standard error ``sd * sqrt(1 + 1/B)``."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    log_w = np.log(max(_within_ss(X, labels), np.finfo(float).tiny))
    ref = np.empty(n_refs)
    for b in range(n_refs):
        R = lo + (hi - lo) * rng.uniform(size=X.shape)
        est = fit(k, R)
        ref[b] = np.log(max(_within_ss(R, _labels(est, R)), np.finfo(float).tiny))
    return float(ref.mean() - log_w), float(ref.std() * np.sqrt(1.0 + 1.0 / n_refs))


def _stability(fit: Any, k: int, X: np.ndarray, n_boot: int, frac: float,
               rng: np.random.RandomState) -> float:  # fmt: skip
    """Mean ARI between two fits on random subsamples, on the samples both contain."""
    n = X.shape[0]
    m = max(k + 1, int(frac * n))
    out = []
    for _ in range(n_boot):
        a = np.sort(rng.choice(n, m, replace=False))
        b = np.sort(rng.choice(n, m, replace=False))
        common, ia, ib = np.intersect1d(a, b, return_indices=True)
        if common.shape[0] < 2:
            continue
        la = _labels(fit(k, X[a]), X[a])[ia]
        lb = _labels(fit(k, X[b]), X[b])[ib]
        out.append(adjusted_rand_score(la, lb))
    return float(np.mean(out)) if out else np.nan


def _progress(ks: list[int], show: bool, title: str) -> Iterable[int]:
    if not show:
        return ks
    try:
        from rich.console import Console
        from rich.progress import track
    except ImportError:  # pragma: no cover - rich comes with the CLI dependencies
        return ks
    # stderr: standard output stays free for results (a table, a CSV piped elsewhere)
    return track(ks, description=title, console=Console(stderr=True))
