"""BIC / AIC of Gaussian mixtures over k and the four covariance structures at once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.base import clone

from .._validation import check_array, check_random_state
from ._select import _progress

__all__ = ["MixtureSweep", "mixture_sweep"]


@dataclass
class MixtureSweep:
    """What ``mixture_sweep`` measured.

    Attributes
    ----------
    ks : list of int
    covariance_types : list of str
    bic, aic : ndarray of shape (n_covariance_types, n_ks)
        Row t, column i: the criterion of the mixture with ``covariance_types[t]`` and
        ``ks[i]`` components (lower is better).
    criterion : str
        The one that chose: 'bic' or 'aic'.
    covariance_type : str
    k : int
        The chosen pair: the smallest ``criterion`` over the whole grid.
    best_estimator : GaussianMixture
        The chosen mixture, fitted.
    """

    ks: list[int]
    covariance_types: list[str]
    bic: np.ndarray
    aic: np.ndarray
    criterion: str
    covariance_type: str
    k: int
    best_estimator: Any = field(repr=False, default=None)

    def table(self) -> list[dict[str, Any]]:
        """One row per (covariance type, k) with its BIC and AIC."""
        return [{"covariance_type": ct, "k": k, "bic": float(self.bic[t, i]),
                 "aic": float(self.aic[t, i])}
                for t, ct in enumerate(self.covariance_types)
                for i, k in enumerate(self.ks)]  # fmt: skip


def mixture_sweep(
    X: Any,
    k_range: Iterable[int] = range(1, 11),
    covariance_types: Sequence[str] = ("full", "tied", "diag", "spherical"),
    *,
    criterion: str = "bic",
    estimator: Any = None,
    random_state: Any = None,
    progress: bool = False,
) -> MixtureSweep:
    """Fit a Gaussian mixture for every (covariance type, k) and pick the lowest BIC or AIC.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    k_range : iterable of int, default=range(1, 11)
    covariance_types : sequence of str, default=('full', 'tied', 'diag', 'spherical')
    criterion : {'bic', 'aic'}, default='bic'
    estimator : GaussianMixture, default=None
        Template (cloned; its n_components and covariance_type are swept). Default: shoal's
        ``GaussianMixture(random_state=...)``; any estimator with those two parameters and
        ``bic`` / ``aic`` works.
    random_state : int, RandomState instance or None
        Seeds the template when its own random_state is None.
    progress : bool, default=False

    Returns
    -------
    sweep : MixtureSweep

    Notes
    -----
    ``len(covariance_types) * len(k_range)`` fits; each is an EM run of the template.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(c, 0.5, (100, 2)) for c in (-4, 0, 4)])
    >>> s = mixture_sweep(X, range(1, 6), random_state=0)
    >>> s.k
    3
    """
    from ..mixture import GaussianMixture

    X = check_array(X)
    ks = sorted({int(k) for k in k_range})
    if not ks or ks[0] < 1 or ks[-1] > X.shape[0]:
        raise ValueError(f"k_range must lie in [1, n_samples={X.shape[0]}]; got {ks}.")
    types = list(covariance_types)
    known = ("full", "tied", "diag", "spherical")
    if not types or any(t not in known for t in types):
        raise ValueError(f"covariance_types={types!r}: each must be one of {list(known)}.")
    if criterion not in ("bic", "aic"):
        raise ValueError(f"criterion={criterion!r} is not valid; choose 'bic' or 'aic'.")
    rng = check_random_state(random_state)
    base = clone(estimator) if estimator is not None else GaussianMixture()
    if base.get_params().get("random_state", 0) is None:
        base.set_params(random_state=int(rng.randint(2**31 - 1)))
    bic = np.empty((len(types), len(ks)))
    aic = np.empty_like(bic)
    fitted: dict[tuple[int, int], Any] = {}
    grid = [(t, i) for t in range(len(types)) for i in range(len(ks))]
    for j in _progress(list(range(len(grid))), progress, "mixture_sweep"):
        t, i = grid[j]
        est = clone(base).set_params(n_components=ks[i], covariance_type=types[t]).fit(X)
        bic[t, i], aic[t, i] = est.bic(X), est.aic(X)
        fitted[t, i] = est
    values = bic if criterion == "bic" else aic
    bt, bi = (int(v) for v in np.unravel_index(int(np.argmin(values)), values.shape))
    return MixtureSweep(ks=ks, covariance_types=types, bic=bic, aic=aic, criterion=criterion,
                        covariance_type=types[bt], k=ks[bi],
                        best_estimator=fitted[bt, bi])  # fmt: skip
