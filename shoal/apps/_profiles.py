"""Segment profiles: who is in each cluster, in the features' own units and in z-scores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import check_array, check_int, check_real

__all__ = ["SegmentProfiles", "segment_profiles"]


@dataclass(frozen=True)
class SegmentProfiles:
    """Result of :func:`segment_profiles`; row ``i`` of every per-segment array is segment
    ``segments[i]``.

    Attributes
    ----------
    segments : ndarray of shape (k,), int64
        Segment labels in increasing order (noise, -1, excluded).
    sizes : ndarray of shape (k,), int64
    shares : ndarray of shape (k,), float64
        ``sizes / n_samples`` (noise samples count in ``n_samples``).
    means : ndarray of shape (k, n_features)
        Per-segment feature means, in the units of X.
    z : ndarray of shape (k, n_features)
        ``(segment mean - overall mean) / overall standard deviation`` (population standard
        deviation of the whole data; 0 for a constant feature).
    overall_mean, overall_std : ndarray of shape (n_features,)
    feature_names : list of str
    distinguishing : list of list of (str, float)
        Per segment, up to ``top`` (feature, z) pairs with ``|z| >= min_abs_z``, largest
        ``|z|`` first.
    descriptions : list of str
        One readable line per segment, e.g.
        ``"segment 2 (96 rows, 16.0%): high annual_income (+1.8 sd), low age (-0.9 sd)"``.
    n_samples, n_noise : int
    """

    segments: np.ndarray
    sizes: np.ndarray
    shares: np.ndarray
    means: np.ndarray
    z: np.ndarray
    overall_mean: np.ndarray
    overall_std: np.ndarray
    feature_names: list[str]
    distinguishing: list[list[tuple[str, float]]]
    descriptions: list[str]
    n_samples: int
    n_noise: int

    def to_markdown(self, title: str = "Segments") -> str:
        """A markdown table of sizes, shares and means, then the one-line descriptions."""
        names = self.feature_names
        lines = [
            f"# {title}",
            "",
            "| segment | size | share | " + " | ".join(names) + " |",
            "|---:|---:|---:|" + "---:|" * len(names),
        ]
        for i, s in enumerate(self.segments):
            cells = " | ".join(f"{v:.4g}" for v in self.means[i])
            lines.append(f"| {s} | {self.sizes[i]} | {self.shares[i]:.1%} | {cells} |")
        overall = " | ".join(f"{v:.4g}" for v in self.overall_mean)
        lines += [f"| all | {self.n_samples} | 100% | {overall} |", ""]
        lines += [f"- {d}" for d in self.descriptions]
        return "\n".join(lines) + "\n"


def segment_profiles(
    X: Any,
    labels: Any,
    feature_names: Any = None,
    *,
    top: int = 3,
    min_abs_z: float = 0.5,
    unit: str = "rows",
) -> SegmentProfiles:
    """Profile each segment of a clustering (the seeds' customer-segmentation mini project).

    The means and z-scores come from :func:`shoal.plot.cluster_profiles` (the numbers the
    profile heat map draws); this adds sizes, shares, the most distinguishing features and a
    one-line description per segment.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data in its own units (not standardised: the means are read as they are). A pandas
        DataFrame gives the feature names.
    labels : array-like of shape (n_samples,)
        Segment of each sample; -1 is noise and gets no profile.
    feature_names : sequence of str, default=None
        Defaults to the DataFrame's columns, else ``x0, x1, ...``.
    top : int, default=3
        Most distinguishing features listed per segment.
    min_abs_z : float, default=0.5
        Features within this many standard deviations of the overall mean are not listed.
    unit : str, default="rows"
        Noun for the samples in the descriptions ("customers").

    Returns
    -------
    SegmentProfiles

    Examples
    --------
    >>> import numpy as np
    >>> from shoal.apps import segment_profiles
    >>> X = np.array([[1.0, 10.0], [1.2, 10.0], [5.0, 10.0], [5.2, 10.0]])
    >>> prof = segment_profiles(X, [0, 0, 1, 1], ["income", "age"])
    >>> prof.descriptions[1]
    'segment 1 (2 rows, 50.0%): high income (+1.0 sd)'
    """
    from ..plot import cluster_profiles

    if feature_names is None and hasattr(X, "columns"):
        feature_names = [str(c) for c in X.columns]
    X = check_array(X)
    n, d = X.shape
    lab = np.asarray(labels)
    if lab.ndim != 1 or lab.shape[0] != n:
        raise ValueError(
            f"labels has shape {lab.shape}; it must be 1-D with one label per row of X "
            f"(n_samples={n})."
        )
    if lab.dtype.kind not in "iu":
        raise ValueError(f"labels must be integers (-1 for noise); got dtype {lab.dtype}.")
    lab = lab.astype(np.int64)
    names = [f"x{j}" for j in range(d)] if feature_names is None else list(map(str, feature_names))
    if len(names) != d:
        raise ValueError(
            f"feature_names has {len(names)} names but X has n_features={d}; they must match."
        )
    check_int("top", top, low=0)
    check_real("min_abs_z", min_abs_z, low=0.0)
    segments = np.unique(lab[lab >= 0])
    if segments.size == 0:
        raise ValueError("labels has no segment: every sample is noise (-1).")
    means, z = cluster_profiles(X, lab)
    sizes = np.array([(lab == s).sum() for s in segments], dtype=np.int64)
    shares = sizes / n
    distinguishing: list[list[tuple[str, float]]] = []
    descriptions = []
    for i, s in enumerate(segments):
        order = np.argsort(-np.abs(z[i]), kind="stable")
        picked = [(names[j], float(z[i, j])) for j in order if abs(z[i, j]) >= min_abs_z][:top]
        distinguishing.append(picked)
        traits = ", ".join(
            f"{'high' if v > 0 else 'low'} {name} ({v:+.1f} sd)" for name, v in picked
        )
        head = f"segment {s} ({sizes[i]} {unit}, {shares[i]:.1%})"
        descriptions.append(f"{head}: {traits or 'close to the overall average on every feature'}")
    return SegmentProfiles(
        segments=segments.astype(np.int64),
        sizes=sizes,
        shares=shares,
        means=means,
        z=z,
        overall_mean=X.mean(axis=0),
        overall_std=X.std(axis=0),
        feature_names=names,
        distinguishing=distinguishing,
        descriptions=descriptions,
        n_samples=int(n),
        n_noise=int((lab < 0).sum()),
    )
