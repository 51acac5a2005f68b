"""KModes and KPrototypes: Huang's k-modes (categorical) and k-prototypes (mixed) clustering."""

from __future__ import annotations

import itertools
import numbers
import warnings
from typing import Any, ClassVar

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import validate_data

from .._backend import select_backend
from .._base import BaseClusterer, check_fitted
from .._validation import (
    check_int,
    check_n_clusters,
    check_random_state,
    check_real,
    check_sample_weight,
)
from ._kmeans_core import _kmeans_plusplus

__all__ = ["KModes", "KPrototypes"]

INITS = ("Cao", "Huang", "random")
# Random starts that leave a cluster empty are redrawn this many times before giving up.
MAX_INIT_TRIES = 10


# ---------------------------------------------------------------------- column handling
def _columns(X: Any) -> tuple[list[np.ndarray], list[str]]:
    """The columns of X as 1-D arrays, with a kind each: 'cat', 'num' or 'float'.

    'cat': strings, booleans, objects, pandas categoricals; 'num': integers; 'float': floats
    (and object columns holding only real numbers).
    """
    if hasattr(X, "iloc") and hasattr(X, "dtypes"):
        cols, kinds = [], []
        for j in range(X.shape[1]):
            s = X.iloc[:, j]
            dt = s.dtype
            if getattr(dt, "name", "") == "category" or dt.kind in "OUSb" or dt.kind not in "iuf":
                cols.append(np.asarray(s.astype(object)))
                kinds.append("cat")
            else:
                cols.append(s.to_numpy())
                kinds.append("num" if dt.kind in "iu" else "float")
        return cols, kinds
    arr = X if isinstance(X, np.ndarray) else np.asarray(X, dtype=_list_dtype(X))
    if arr.ndim != 2:
        raise ValueError(
            f"Expected a 2-D array, got {arr.ndim}-D input of shape {arr.shape}. Reshape your "
            "data with X.reshape(-1, 1) (one feature) or X.reshape(1, -1) (one sample)."
        )
    if arr.dtype.kind == "c":
        raise ValueError(f"Complex data not supported: X has dtype {arr.dtype}.")
    cols = [arr[:, j] for j in range(arr.shape[1])]
    if arr.dtype.kind in "iu":
        return cols, ["num"] * len(cols)
    if arr.dtype.kind == "f":
        return cols, ["float"] * len(cols)
    if arr.dtype.kind == "O":
        return cols, ["float" if _all_real(c) else "cat" for c in cols]
    return cols, ["cat"] * len(cols)


def _as_input(X: Any) -> Any:
    """DataFrames stay as they are (their column types matter); anything else -> ndarray."""
    if sparse.issparse(X):
        raise TypeError(
            "Sparse data was passed for X, but dense data is required: k-modes clusters "
            "categorical values. Convert it with X.toarray()."
        )
    if (hasattr(X, "iloc") and hasattr(X, "dtypes")) or isinstance(X, np.ndarray):
        return X
    return np.asarray(X, dtype=_list_dtype(X))


def _list_dtype(X: Any) -> Any:
    try:
        np.asarray(X, dtype=np.float64)
        return None
    except (TypeError, ValueError):
        return object


def _all_real(col: np.ndarray) -> bool:
    return all(isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in col)


def _check_values(col: np.ndarray, j: int, kind: str) -> None:
    """Missing or infinite values get a clear error naming the column and row."""
    if kind == "cat":
        if col.dtype.kind != "O":  # strings, booleans: nothing can be missing
            return
        missing = np.asarray(col == None) | np.asarray(col != col)  # noqa: E711 - elementwise
        if missing.any():
            raise ValueError(
                f"X contains a missing value (None/NaN) in column {j}, row "
                f"{int(np.flatnonzero(missing)[0])}; impute it or encode it as its own category."
            )
        inf = np.asarray(col == np.inf) | np.asarray(col == -np.inf)
        if inf.any():
            i = int(np.flatnonzero(inf)[0])
            raise ValueError(f"X contains infinity in column {j}, row {i}.")
        return
    vals = np.asarray(col, dtype=np.float64)
    if np.isnan(vals).any():
        raise ValueError(
            f"X contains NaN in column {j} (first at row {int(np.flatnonzero(np.isnan(vals))[0])})"
            "; remove or impute missing values."
        )
    if np.isinf(vals).any():
        i = int(np.flatnonzero(np.isinf(vals))[0])
        raise ValueError(f"X contains infinity in column {j} (first at row {i}).")


def _key(v: Any) -> str:
    return f"{type(v).__name__}:{v!r}"


def _encode_fit(col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted categories and the codes of ``col`` (mixed or unorderable values by their repr)."""
    if col.dtype.kind != "O":
        cats, codes = np.unique(col, return_inverse=True)
        return cats, codes.astype(np.int64).ravel()
    # Object columns: one dict pass (hashing is far cheaper than sorting Python objects),
    # then only the distinct values are sorted.
    try:
        lookup: dict[Any, int] = {}
        codes = np.fromiter(
            (lookup.setdefault(v, len(lookup)) for v in col), dtype=np.int64, count=len(col)
        )
        values = list(lookup)
    except TypeError:  # unhashable values: their repr stands in for them
        keys = [_key(v) for v in col]
        first: dict[str, int] = {}
        for i, key in enumerate(keys):
            first.setdefault(key, i)
        index = {key: c for c, key in enumerate(first)}
        codes = np.asarray([index[key] for key in keys], dtype=np.int64)
        values = [col[i] for i in first.values()]
    try:
        order = sorted(range(len(values)), key=values.__getitem__)
    except TypeError:
        order = sorted(range(len(values)), key=lambda i: _key(values[i]))
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.arange(len(values))
    cats = np.empty(len(values), dtype=object)
    cats[:] = [values[i] for i in order]
    return cats, rank[codes]


def _encode_apply(col: np.ndarray, cats: np.ndarray) -> np.ndarray:
    """Codes of ``col`` in the fitted categories; -1 for a category not seen at fit."""
    try:
        if cats.dtype != object and col.dtype != object:
            pos = np.clip(np.searchsorted(cats, col), 0, len(cats) - 1)
            return np.where(cats[pos] == col, pos, -1).astype(np.int64)
        lookup = {v: i for i, v in enumerate(cats)}
        return np.asarray([lookup.get(v, -1) for v in col], dtype=np.int64)
    except TypeError:
        lookup = {_key(v): i for i, v in enumerate(cats)}
        return np.asarray([lookup.get(_key(v), -1) for v in col], dtype=np.int64)


class _KPrototypesBase(BaseClusterer):
    """Column bookkeeping, initialisation, the n_init loop and predict for both estimators."""

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags

    # subclass hooks ---------------------------------------------------------------
    def _layout(self, kinds: list[str], cols: list[np.ndarray]) -> list[str]:
        """For each column: 'cat', 'num' or 'bin' (a numeric column cut into categories)."""
        raise NotImplementedError

    # data -------------------------------------------------------------------------
    def _data(
        self, X: Any, reset: bool, w: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(Xn, C)``: numeric columns as float64 and categorical columns as int64 codes."""
        X = _as_input(X)
        if getattr(X, "ndim", 2) != 2:
            _columns(X)  # raises the 2-D message
        shape = tuple(X.shape)
        if shape[0] == 0 or shape[1] == 0:
            what = "sample" if shape[0] == 0 else "feature"
            raise ValueError(
                f"X is empty: found array with 0 {what}(s) (shape={shape}) while a minimum of 1 "
                "is required."
            )
        validate_data(self, X, reset=reset, skip_check_array=True)
        cols, kinds = _columns(X)
        n = shape[0]
        if reset:
            self._roles = self._layout(kinds, cols)
        roles = self._roles
        for j, (c, kd) in enumerate(zip(cols, kinds)):
            _check_values(c, j, "cat" if roles[j] == "cat" and kd == "cat" else "float")
        num = [j for j, r in enumerate(roles) if r == "num"]
        cat = [j for j, r in enumerate(roles) if r != "num"]
        Xn = np.empty((n, len(num)), dtype=np.float64)
        for a, j in enumerate(num):
            Xn[:, a] = np.asarray(cols[j], dtype=np.float64)
        C = np.empty((n, len(cat)), dtype=np.int64)
        if reset:
            self.categories_ = []
            self._edges = {}
        for a, j in enumerate(cat):
            col = cols[j]
            if roles[j] == "bin":
                vals = np.asarray(col, dtype=np.float64)
                if reset:
                    self._edges[j] = _bin_edges(vals, int(self.n_bins), w)
                    e = self._edges[j]
                    bounds = np.concatenate([[-np.inf], e, [np.inf]])
                    labels = np.empty(e.shape[0] + 1, dtype=object)
                    labels[:] = [f"[{lo:.6g}, {hi:.6g})" for lo, hi in itertools.pairwise(bounds)]
                    self.categories_.append(labels)
                C[:, a] = np.searchsorted(self._edges[j], vals, side="right")
            elif reset:
                cats, C[:, a] = _encode_fit(col)
                self.categories_.append(cats)
            else:
                C[:, a] = _encode_apply(col, self.categories_[a])
        if reset:
            self._num_cols = np.asarray(num, dtype=np.int64)
            self._cat_cols = np.asarray(cat, dtype=np.int64)
        return Xn, C

    # fit --------------------------------------------------------------------------
    def _fit(self, X: Any, sample_weight: Any, gamma_default: bool) -> None:
        check_int("n_clusters", self.n_clusters, low=1)
        check_int("max_iter", self.max_iter, low=1)
        check_int("n_init", self.n_init, low=1)
        self._check_init()
        X = _as_input(X)
        n_rows = X.shape[0] if X.ndim >= 1 else 0
        w = check_sample_weight(sample_weight, n_rows, np.float64) if n_rows else None
        Xn, C = self._data(X, reset=True, w=w)
        n = C.shape[0]
        if n < 2:
            raise ValueError(
                f"X has n_samples={n}; at least 2 are needed by {type(self).__name__} "
                f"(got {n} sample)."
            )
        k = check_n_clusters(self.n_clusters, n)
        assert w is not None
        first = _first_distinct_rows(Xn, C, w, k)
        if len(first) == 1 and k > 1:
            raise ValueError(
                f"All rows of X are identical; n_clusters={k} clusters cannot be formed."
            )
        fixed = None
        if len(first) < k:
            # As the kmodes package: the distinct rows become the prototypes, fewer clusters.
            warnings.warn(
                f"X has only {len(first)} distinct rows; fitting {len(first)} clusters "
                f"instead of n_clusters={k}.",
                ConvergenceWarning,
                stacklevel=3,
            )
            idx = np.asarray(first, dtype=np.int64)
            k = len(first)
            fixed = (Xn[idx].copy(), C[idx].copy())
        gamma = self._gamma(Xn, w) if gamma_default else 1.0
        n_cat = np.asarray([len(c) for c in self.categories_], dtype=np.int64)
        offsets = np.zeros(n_cat.shape[0] + 1, dtype=np.int64)
        np.cumsum(n_cat, out=offsets[1:])
        rng = check_random_state(self.random_state)
        deterministic = (
            fixed is not None
            or not isinstance(self.init, str)
            or (self.init == "Cao" and C.shape[1] > 0)
        )
        runs = 1 if deterministic else int(self.n_init)
        seeds = rng.randint(np.iinfo(np.int32).max, size=runs)
        kern = select_backend(Xn).kernels
        best = None
        for seed in seeds:
            res = self._run(Xn, C, w, offsets, gamma, k, np.random.RandomState(seed), kern, fixed)
            if best is None or res[3] < best[3]:
                best = res
        assert best is not None
        means, modes, labels, cost, costs = best
        self.labels_ = labels
        self.cost_ = float(cost)
        self.epoch_costs_ = costs
        self.n_iter_ = len(costs) - 1
        self.gamma_ = float(gamma)
        self._means, self._modes = means, modes

    def _gamma(self, Xn: np.ndarray, w: np.ndarray) -> float:
        return 1.0

    def _check_init(self) -> None:
        if isinstance(self.init, str):
            if self.init not in INITS:
                raise ValueError(f"init={self.init!r} is not valid; choose one of {list(INITS)}.")
        elif not hasattr(self.init, "__len__"):
            raise ValueError(
                f"init={self.init!r} is not valid; use one of {list(INITS)} or an array of "
                "shape (n_clusters, n_features)."
            )

    def _run(
        self,
        Xn: np.ndarray,
        C: np.ndarray,
        w: np.ndarray,
        offsets: np.ndarray,
        gamma: float,
        k: int,
        rng: np.random.RandomState,
        kern: Any,
        fixed: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, np.ndarray]:
        n = C.shape[0]
        labels = np.empty(n, dtype=np.int64)
        costs = np.empty(int(self.max_iter) + 1)
        once = fixed is not None or not isinstance(self.init, str)
        for _ in range(1 if once else MAX_INIT_TRIES):
            if fixed is not None:
                means, modes = fixed[0].copy(), fixed[1].copy()
            else:
                means, modes = self._initial(Xn, C, w, k, rng)
            uniforms = rng.random_sample(64)
            status = kern.kproto_run(
                Xn, C, w, offsets, gamma, means, modes, int(self.max_iter), uniforms, labels,
                costs,
            )  # fmt: skip
            if status >= 0:
                costs = costs[: status + 1].copy()
                return means, modes, labels, float(costs[-1]), costs
        raise ValueError(
            f"init leaves cluster {-1 - status} without samples: no sample is nearer to its "
            "initial prototype than to the others. Give other initial prototypes."
        )

    def _initial(
        self, Xn: np.ndarray, C: np.ndarray, w: np.ndarray, k: int, rng: np.random.RandomState
    ) -> tuple[np.ndarray, np.ndarray]:
        """Initial (means, modes)."""
        if not isinstance(self.init, str):
            return self._init_array(Xn, C, k)
        modes = np.empty((k, C.shape[1]), dtype=np.int64)
        if C.shape[1]:
            if self.init == "Cao":
                modes[:] = _init_cao(C, w, k)
            elif self.init == "Huang":
                modes[:] = _init_huang(C, w, k, rng)
            else:
                modes[:] = C[_distinct_rows(np.hstack([Xn, C]), w, k, rng)]
        means = np.empty((k, Xn.shape[1]))
        if Xn.shape[1]:
            if C.shape[1]:
                # Huang (1997) as the kmodes package: numeric prototypes drawn around the mean.
                mean = np.average(Xn, axis=0, weights=w)
                std = np.sqrt(np.average((Xn - mean) ** 2, axis=0, weights=w))
                means[:] = mean + rng.randn(k, Xn.shape[1]) * std
            else:  # numeric only: k-means++ gives k-means the usual start
                centers, _ = _kmeans_plusplus(Xn, k, w, rng, None, select_backend(Xn))
                means[:] = centers
        return means, modes

    def _init_array(self, Xn: np.ndarray, C: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        init = self.init
        if isinstance(init, (list, tuple)) and len(init) == 2 and not np.isscalar(init[0]):
            parts = [np.asarray(init[0]), np.asarray(init[1])]
            if parts[0].ndim == 2 and parts[1].ndim == 2 and parts[0].shape[0] == k:
                # [numeric prototypes, categorical prototypes] as the kmodes package takes
                if parts[0].shape[1] == Xn.shape[1] and parts[1].shape[1] == C.shape[1]:
                    full = np.empty((k, len(self._roles)), dtype=object)
                    full[:, self._num_cols] = parts[0]
                    full[:, self._cat_cols] = parts[1]
                    init = full
        arr = np.asarray(init, dtype=object)
        if arr.ndim != 2 or arr.shape != (k, len(self._roles)):
            raise ValueError(
                f"init has shape {arr.shape}; it should be (n_clusters, n_features) = "
                f"({k}, {len(self._roles)})."
            )
        means = np.empty((k, Xn.shape[1]))
        for a, j in enumerate(self._num_cols):
            try:
                means[:, a] = np.asarray(arr[:, j], dtype=np.float64)
            except (TypeError, ValueError):
                raise ValueError(f"init column {j} is numeric; got {arr[:, j].tolist()}.") from None
        if not np.isfinite(means).all():
            raise ValueError("init contains NaN or infinity.")
        modes = np.empty((k, C.shape[1]), dtype=np.int64)
        for a, j in enumerate(self._cat_cols):
            col = arr[:, j]
            if self._roles[j] == "bin":
                modes[:, a] = np.searchsorted(self._edges[j], col.astype(np.float64), "right")
                continue
            try:
                col = col.astype(self.categories_[a].dtype)
            except (TypeError, ValueError):
                pass
            codes = _encode_apply(col, self.categories_[a])
            if (codes < 0).any():
                bad = col[np.flatnonzero(codes < 0)[0]]
                raise ValueError(
                    f"init has the value {bad!r} in column {j}, which X does not contain."
                )
            modes[:, a] = codes
        return means, modes

    # predict ----------------------------------------------------------------------
    def predict(self, X: Any) -> np.ndarray:
        """Nearest prototype of each sample.

        Categories not seen at fit match no mode (they count as a mismatch against every
        prototype); numeric columns cut into bins at fit use the fitted bin edges.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            New data, with the columns of the training data.

        Returns
        -------
        labels : ndarray of shape (n_samples,), int64
        """
        check_fitted(self, "labels_")
        Xn, C = self._data(X, reset=False)
        labels = np.empty(C.shape[0], dtype=np.int64)
        dist = np.empty(C.shape[0])
        select_backend(Xn).kernels.kproto_assign(
            Xn, C, np.ones(C.shape[0]), self._means, self._modes, self.gamma_, labels, dist
        )
        return labels

    def _decoded_modes(self) -> np.ndarray:
        out = np.empty(self._modes.shape, dtype=object)
        for a, cats in enumerate(self.categories_):
            out[:, a] = cats[self._modes[:, a]]
        dtypes = {c.dtype for c in self.categories_}
        if len(dtypes) == 1 and next(iter(dtypes)).kind != "O":
            return out.astype(next(iter(dtypes)))
        return out


def _first_distinct_rows(Xn: np.ndarray, C: np.ndarray, w: np.ndarray, k: int) -> list[int]:
    """First indices of distinct rows (positive weight), stopping once ``k`` are found."""
    seen: dict[bytes, int] = {}
    for i in np.flatnonzero(w > 0):
        key = Xn[i].tobytes() + C[i].tobytes()
        if key not in seen:
            seen[key] = int(i)
            if len(seen) >= k:
                break
    return list(seen.values())


def _bin_edges(vals: np.ndarray, n_bins: int, w: np.ndarray | None) -> np.ndarray:
    """Inner quantile edges (weighted, so weights act as repeated samples), duplicates merged."""
    qs = np.linspace(0, 1, n_bins + 1)[1:-1]
    if w is None:
        w = np.ones(vals.shape[0])
    e = np.quantile(vals, qs, method="inverted_cdf", weights=w)
    return np.unique(e)


def _distinct_rows(
    data: np.ndarray, w: np.ndarray, k: int, rng: np.random.RandomState
) -> np.ndarray:
    """Indices of k samples with distinct rows (positive weight), drawn at random."""
    pos = np.flatnonzero(w > 0)
    _, first = np.unique(data[pos], axis=0, return_index=True)
    return pos[np.sort(rng.choice(first, k, replace=False))]


def _mismatch(C: np.ndarray, row: np.ndarray) -> np.ndarray:
    return (C != row).sum(axis=1)


def _init_cao(C: np.ndarray, w: np.ndarray, k: int) -> np.ndarray:
    """Cao, Liang & Bai (2009): the densest sample, then density x distance to the chosen."""
    n, p = C.shape
    total = float(w.sum())
    dens = np.zeros(n)
    for j in range(p):
        freq = np.bincount(C[:, j], weights=w)
        dens += freq[C[:, j]] / total / float(p)
    dens[w <= 0] = -np.inf  # zero-weight samples are never chosen
    modes = np.empty((k, p), dtype=np.int64)
    modes[0] = C[int(np.argmax(dens))]
    closest = np.full(n, np.inf)
    for ik in range(1, k):
        closest = np.minimum(closest, _mismatch(C, modes[ik - 1]) * dens)
        modes[ik] = C[int(np.argmax(closest))]
    return modes


def _init_huang(C: np.ndarray, w: np.ndarray, k: int, rng: np.random.RandomState) -> np.ndarray:
    """Huang (1998): modes drawn attribute by attribute from the value frequencies, then each
    replaced by its nearest sample that is not already a prototype."""
    n, p = C.shape
    modes = np.empty((k, p), dtype=np.int64)
    prob = w / w.sum()
    for j in range(p):
        modes[:, j] = C[rng.choice(n, k, p=prob), j]
    for ik in range(k):
        order = np.argsort(_mismatch(C, modes[ik]), kind="stable")
        order = order[w[order] > 0]
        pick = order[0]
        for i in order:
            if not (modes == C[i]).all(axis=1).any():
                pick = i
                break
        modes[ik] = C[pick]
    return modes


class KModes(_KPrototypesBase):
    """k-modes clustering of categorical data (Huang 1998).

    Each cluster is represented by its *mode* (the most frequent category of every column);
    a sample's dissimilarity to a mode is the number of columns where they differ.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    max_iter : int, default=100
        Most epochs of one run.
    init : {'Cao', 'Huang', 'random'} or array-like of shape (n_clusters, n_features), \
default='Cao'
        'Cao' (Cao et al. 2009; density and distance, deterministic: one run), 'Huang'
        (Huang 1998; modes drawn from the value frequencies), 'random' (k distinct samples);
        an array of initial modes in the data's own values.
    n_init : int, default=10
        Runs from different random starts (with 'Huang' / 'random'); the lowest cost wins.
    verbose : int, default=0
        Accepted for compatibility with the kmodes package; shoal prints nothing.
    random_state : int, RandomState instance or None, default=None
    n_bins : int, default=None
        Numeric columns with non-integer values are not categories: with ``n_bins`` they are
        cut into that many quantile bins (edges kept for ``predict``); without it they raise
        an error suggesting KPrototypes. Integer-valued columns are always categories.

    Attributes
    ----------
    cluster_centroids_ : ndarray of shape (n_clusters, n_features)
        The modes, in the data's own values (bin intervals as strings for binned columns).
    labels_ : ndarray of shape (n_samples,), int64
    cost_ : float
        Sum over samples of ``sample_weight * mismatches`` to the nearest mode.
    n_iter_ : int
    epoch_costs_ : ndarray of shape (n_iter_ + 1,)
        Cost after the initial assignment and after every epoch.
    categories_ : list of ndarray
        The categories of each column, in code order (sorted).
    n_features_in_ : int
    feature_names_in_ : ndarray

    Notes
    -----
    Values are encoded once into integer codes per column; a category not seen at fit
    matches no mode at ``predict``. The iteration is Huang's online one (the same iterates
    and cost as the ``kmodes`` package from the same initial modes); a cluster left empty
    takes a random member of the largest cluster. Memory: the codes (n x n_features int64)
    and a (n_clusters x n_categories) frequency table. Time: O(n k n_features) per epoch.
    ``sample_weight`` weights the frequencies (modes) and the cost.

    Examples
    --------
    >>> import numpy as np
    >>> from shoal import KModes
    >>> X = np.array([["a", "x"], ["a", "x"], ["a", "y"], ["b", "z"], ["b", "z"], ["c", "z"]])
    >>> km = KModes(n_clusters=2).fit(X)
    >>> km.labels_.tolist(), km.cost_
    ([0, 0, 0, 1, 1, 1], 2.0)
    >>> km.cluster_centroids_.tolist()
    [['a', 'x'], ['b', 'z']]
    """

    _test_params: ClassVar[dict[str, Any]] = {"n_clusters": 3, "random_state": 0, "n_bins": 3}

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        max_iter: int = 100,
        init: Any = "Cao",
        n_init: int = 10,
        verbose: int = 0,
        random_state: Any = None,
        n_bins: int | None = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.max_iter = max_iter
        self.init = init
        self.n_init = n_init
        self.verbose = verbose
        self.random_state = random_state
        self.n_bins = n_bins

    def _layout(self, kinds: list[str], cols: list[np.ndarray]) -> list[str]:
        check_int("n_bins", self.n_bins, low=2, allow_none=True)
        roles = []
        for j, (kind, col) in enumerate(zip(kinds, cols)):
            if kind == "float":
                vals = np.asarray(col, dtype=np.float64)
                _check_values(vals, j, "float")
                if not np.array_equal(vals, np.round(vals)):
                    if self.n_bins is None:
                        raise ValueError(
                            f"KModes clusters categories, but column {j} holds non-integer "
                            "numbers. Pass n_bins=... to cut numeric columns into quantile bins, "
                            "or use KPrototypes for mixed numeric and categorical data."
                        )
                    roles.append("bin")
                    continue
            roles.append("cat")
        return roles

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> KModes:
        """Cluster the rows of X.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Categorical data: strings, integers, booleans, pandas categoricals, objects.
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the modes' frequencies and in the cost.

        Returns
        -------
        self : KModes
            The fitted estimator.
        """
        self._fit(X, sample_weight, gamma_default=False)
        return self

    @property
    def cluster_centroids_(self) -> np.ndarray:
        """The modes in the data's own values, shape (n_clusters, n_features)."""
        check_fitted(self, "labels_")
        return self._decoded_modes()


class KPrototypes(_KPrototypesBase):
    """k-prototypes clustering of mixed numeric and categorical data (Huang 1997).

    The dissimilarity of a sample to a prototype is the squared Euclidean distance on the
    numeric columns plus ``gamma`` times the number of mismatching categorical columns; a
    prototype holds the numeric means and the categorical modes of its cluster.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    max_iter : int, default=100
        Most epochs of one run.
    init : {'Cao', 'Huang', 'random'} or array-like, default='Cao'
        How the categorical part starts (as in KModes); the numeric part starts at the mean
        plus Gaussian noise scaled by each column's spread (the kmodes package's rule), or,
        with no categorical columns, at k-means++ centres. An array of shape
        ``(n_clusters, n_features)`` in the data's values, or the kmodes package's
        ``[numeric prototypes, categorical prototypes]``, fixes the start (one run).
    n_init : int, default=10
        Runs from different random starts; the lowest cost wins.
    gamma : float >= 0, default=None
        Weight of a categorical mismatch; default half the mean standard deviation of the
        numeric columns (Huang 1997).
    categorical : int, list of int or None, default=None
        Indices of the categorical columns. None: taken from the data types (strings,
        objects, booleans and pandas categoricals are categorical; numbers are numeric).
    verbose : int, default=0
        Accepted for compatibility; shoal prints nothing.
    random_state : int, RandomState instance or None, default=None

    Attributes
    ----------
    cluster_centroids_ : ndarray of shape (n_clusters, n_features), object
        The prototypes in the data's column order (numbers for numeric columns, categories
        for categorical ones).
    cluster_centers_ : ndarray of shape (n_clusters, n_numeric), float64
        Numeric part of the prototypes.
    cluster_modes_ : ndarray of shape (n_clusters, n_categorical)
        Categorical part of the prototypes, decoded.
    labels_ : ndarray of shape (n_samples,), int64
    cost_ : float
    n_iter_ : int
    epoch_costs_ : ndarray of shape (n_iter_ + 1,)
    gamma_ : float
        The gamma used.
    categorical_ : ndarray of int64
        Indices of the columns treated as categorical.
    categories_ : list of ndarray
        Categories of each categorical column, in code order.
    n_features_in_ : int
    feature_names_in_ : ndarray

    Notes
    -----
    Same iteration as the kmodes package's KPrototypes (same iterates and cost from the same
    initial prototypes, without sample weights); with weights, shoal's means are weighted
    means. All-numeric data gives k-means with online updates; all-categorical, k-modes.
    Numeric columns are used as float64.

    Examples
    --------
    >>> import numpy as np
    >>> from shoal import KPrototypes
    >>> X = np.array([[1.0, "a"], [1.2, "a"], [0.9, "a"], [8.0, "b"], [8.3, "b"], [7.9, "c"]],
    ...              dtype=object)
    >>> kp = KPrototypes(n_clusters=2, random_state=0).fit(X)
    >>> kp.labels_[:3].tolist() == [kp.labels_[0]] * 3 != kp.labels_[3:].tolist()
    True
    >>> sorted(kp.cluster_modes_.ravel().tolist())
    ['a', 'b']
    """

    _test_params: ClassVar[dict[str, Any]] = {"n_clusters": 3, "random_state": 0}

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        max_iter: int = 100,
        init: Any = "Cao",
        n_init: int = 10,
        gamma: float | None = None,
        categorical: Any = None,
        verbose: int = 0,
        random_state: Any = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.max_iter = max_iter
        self.init = init
        self.n_init = n_init
        self.gamma = gamma
        self.categorical = categorical
        self.verbose = verbose
        self.random_state = random_state

    def _layout(self, kinds: list[str], cols: list[np.ndarray]) -> list[str]:
        d = len(kinds)
        if self.categorical is None:
            return ["cat" if kd == "cat" else "num" for kd in kinds]
        idx = [self.categorical] if isinstance(self.categorical, numbers.Integral) \
            else list(self.categorical)  # fmt: skip
        for v in idx:
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral):
                raise TypeError(f"categorical={self.categorical!r} must hold column indices.")
            if not -d <= int(v) < d:
                raise ValueError(
                    f"categorical={self.categorical!r}: column index {v} is out of range for "
                    f"X with {d} columns."
                )
        chosen = {int(v) % d for v in idx}
        if len(chosen) != len(idx):
            raise ValueError(f"categorical={self.categorical!r} repeats a column.")
        roles = []
        for j, kd in enumerate(kinds):
            if j in chosen:
                roles.append("cat")
            elif kd == "cat":
                raise ValueError(
                    f"Column {j} is not numeric but is missing from categorical="
                    f"{self.categorical!r}."
                )
            else:
                roles.append("num")
        return roles

    def _gamma(self, Xn: np.ndarray, w: np.ndarray) -> float:
        if self.gamma is not None:
            return float(check_real("gamma", self.gamma, low=0.0))  # type: ignore[arg-type]
        if Xn.shape[1] == 0:
            return 1.0
        mean = np.average(Xn, axis=0, weights=w)
        std = np.sqrt(np.average((Xn - mean) ** 2, axis=0, weights=w))
        return 0.5 * float(np.mean(std))

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> KPrototypes:
        """Cluster the rows of X.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Mixed data; see ``categorical``.
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the means, the modes' frequencies and the cost.

        Returns
        -------
        self : KPrototypes
            The fitted estimator.
        """
        if self.gamma is not None:
            check_real("gamma", self.gamma, low=0.0)
        self._fit(X, sample_weight, gamma_default=True)
        self.categorical_ = self._cat_cols.copy()
        return self

    @property
    def cluster_centers_(self) -> np.ndarray:
        """Numeric part of the prototypes, shape (n_clusters, n_numeric)."""
        check_fitted(self, "labels_")
        return self._means.copy()

    @property
    def cluster_modes_(self) -> np.ndarray:
        """Categorical part of the prototypes (decoded), shape (n_clusters, n_categorical)."""
        check_fitted(self, "labels_")
        return self._decoded_modes()

    @property
    def cluster_centroids_(self) -> np.ndarray:
        """The prototypes in the data's column order, shape (n_clusters, n_features)."""
        check_fitted(self, "labels_")
        out = np.empty((self._means.shape[0], len(self._roles)), dtype=object)
        out[:, self._num_cols] = self._means
        if self._cat_cols.size:
            out[:, self._cat_cols] = self._decoded_modes()
        return out
