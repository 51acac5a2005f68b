"""Mixture figures: BIC / AIC curves per covariance type, and Gaussian ellipses in 2-D."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["full_covariances", "gaussian_ellipses", "plot_bic"]


def plot_bic(sweep: Any, criterion: str | None = None, ax: Any = None) -> Any:
    """BIC (or AIC) against k, one curve per covariance type, the chosen pair marked.

    Parameters
    ----------
    sweep : MixtureSweep
        From ``shoal.select.mixture_sweep``.
    criterion : {'bic', 'aic'}, default=None
        Default: the sweep's own criterion.
    ax : matplotlib Axes, default=None

    Returns
    -------
    ax : matplotlib Axes
        ``ax.lines[t]`` is the curve of ``sweep.covariance_types[t]``; the last line is the
        marker at the chosen (k, value).
    """
    from ._plots import _axes

    ax = _axes(ax)
    name = criterion or sweep.criterion
    if name not in ("bic", "aic"):
        raise ValueError(f"criterion={name!r} is not valid; choose 'bic' or 'aic'.")
    values = np.asarray(getattr(sweep, name))
    ks = np.asarray(sweep.ks)
    for t, ct in enumerate(sweep.covariance_types):
        ax.plot(ks, values[t], marker="o", label=ct)
    t = sweep.covariance_types.index(sweep.covariance_type)
    i = sweep.ks.index(sweep.k)
    ax.plot([sweep.k], [values[t, i]], marker="*", markersize=16, color="black", linestyle="",
            label=f"{sweep.covariance_type}, k = {sweep.k}")  # fmt: skip
    ax.set_xlabel("number of components k")
    ax.set_ylabel(name.upper() + " (lower is better)")
    ax.legend()
    return ax


def full_covariances(model: Any) -> np.ndarray:
    """A fitted Gaussian mixture's covariances as (k, d, d), whatever its covariance_type."""
    cov = np.asarray(model.covariances_, dtype=np.float64)
    k, d = np.asarray(model.means_).shape
    kind = getattr(model, "covariance_type", "full")
    if kind == "full":
        return cov
    if kind == "tied":
        return np.broadcast_to(cov, (k, d, d)).copy()
    if kind == "diag":
        return np.einsum("kd,de->kde", cov, np.eye(d))
    if kind == "spherical":
        return cov[:, None, None] * np.eye(d)[None]
    raise ValueError(f"covariance_type={kind!r} is not one of full, tied, diag, spherical.")


def gaussian_ellipses(
    means: Any, covariances: Any, basis: Any = None, offset: Any = None, n_std: float = 2.0
) -> list[tuple[np.ndarray, float, float, float]]:
    """Each Gaussian's ``n_std`` contour in a 2-D view: (centre, width, height, angle).

    Parameters
    ----------
    means : array-like of shape (k, d)
    covariances : array-like of shape (k, d, d)
    basis : array-like of shape (d, 2), default=None
        Orthonormal columns spanning the view (principal axes); None when d == 2.
    offset : array-like of shape (d,), default=None
        Subtracted from the means before projecting (the data mean of a PCA view).
    n_std : float, default=2.0

    Returns
    -------
    ellipses : list of (centre (2,), width, height, angle in degrees)
        Width along the major axis, ``2 n_std sqrt(largest eigenvalue)`` of the projected
        covariance ``B' S B``.
    """
    M = np.asarray(means, dtype=np.float64)
    S = np.asarray(covariances, dtype=np.float64)
    if basis is not None:
        B = np.asarray(basis, dtype=np.float64)
        M = (M - (0.0 if offset is None else np.asarray(offset))) @ B
        S = np.einsum("da,kde,eb->kab", B, S, B)
    out = []
    for m, s in zip(M, S, strict=True):
        vals, vecs = np.linalg.eigh(s)
        major = vecs[:, 1]
        angle = float(np.degrees(np.arctan2(major[1], major[0])))
        w, h = (2.0 * n_std * np.sqrt(np.maximum(vals[::-1], 0.0))).tolist()
        out.append((m, w, h, angle))
    return out
