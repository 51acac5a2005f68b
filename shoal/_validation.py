"""Input and parameter validation.

Every check raises with a message that names the parameter and the value it got, e.g.
``n_clusters=12 must be <= n_samples=10``. Estimators call these from ``fit``/``predict``;
kernels never validate.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state as _sk_check_random_state
from sklearn.utils.validation import validate_data

FLOAT_DTYPES = (np.float64, np.float32)

__all__ = [
    "FLOAT_DTYPES",
    "check_array",
    "check_distinct_rows",
    "check_int",
    "check_n_clusters",
    "check_option",
    "check_random_state",
    "check_real",
    "check_sample_weight",
    "validate_X",
]


def _describe(X: Any) -> str:
    shape = getattr(X, "shape", None)
    return f"shape {tuple(shape)}" if shape is not None else type(X).__name__


def _reject_non_numeric(X: Any, name: str) -> None:
    """Raise a clear error for string and complex input before numpy's own conversion does."""
    dtype = getattr(X, "dtype", None)
    dtypes = getattr(X, "dtypes", None)  # pandas DataFrame
    if dtypes is not None and not isinstance(dtypes, np.dtype):
        kinds = {getattr(dt, "kind", "O") for dt in dtypes}
        bad = [str(c) for c, dt in zip(X.columns, dtypes) if getattr(dt, "kind", "O") in "USO"]
        if bad and kinds & set("USO"):
            # Object columns holding numbers are fine; let the conversion decide.
            try:
                np.asarray(X[bad], dtype=np.float64)
            except (TypeError, ValueError):
                raise ValueError(
                    f"{name} has non-numeric columns {bad[:5]}; shoal needs numeric data. "
                    "Encode categorical columns first (one-hot or ordinal codes)."
                ) from None
        return
    if dtype is None:
        return
    if dtype.kind in "US":
        raise ValueError(
            f"{name} has string dtype {dtype}; shoal needs numeric data. "
            "Encode categorical columns first (one-hot or ordinal codes)."
        )
    if dtype.kind == "c":
        raise ValueError(f"Complex data not supported: {name} has dtype {dtype}.")
    if dtype.kind == "O":
        arr = np.asarray(X)
        for v in arr.flat:
            if isinstance(v, (str, bytes)):
                try:
                    float(v)
                except ValueError:
                    raise ValueError(
                        f"{name} contains the non-numeric value {v!r}; shoal needs numeric "
                        "data. Encode categorical columns first."
                    ) from None
            elif isinstance(v, complex):
                raise ValueError(f"Complex data not supported: {name} contains {v!r}.")


def _check_finite(X: np.ndarray, name: str) -> None:
    # One reduction instead of an n x d boolean temporary; only on failure find what is wrong.
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(X, axis=None)
    if np.isfinite(total):
        return
    if np.isnan(X).any():
        i, j = np.argwhere(np.isnan(X))[0]
        raise ValueError(
            f"{name} contains NaN (first at row {i}, column {j}); remove or impute missing values."
        )
    if np.isinf(X).any():
        i, j = np.argwhere(np.isinf(X))[0]
        raise ValueError(f"{name} contains infinity (first at row {i}, column {j}).")


def check_array(
    X: Any,
    *,
    name: str = "X",
    dtype: Any = FLOAT_DTYPES,
    min_samples: int = 1,
    copy: bool = False,
    allow_nd: bool = False,
) -> np.ndarray:
    """Validate a 2-D numeric array without estimator bookkeeping.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data. Lists, numpy arrays, pandas DataFrames and object arrays holding numbers
        are accepted.
    name : str, default="X"
        Name used in error messages.
    dtype : dtype or tuple of dtypes, default=(float64, float32)
        Accepted dtypes; the first is used when the input has none of them.
    min_samples : int, default=1
        Fewest rows accepted.
    copy : bool, default=False
        Return a copy even when no conversion is needed.
    allow_nd : bool, default=False
        Accept arrays with more than two dimensions.

    Returns
    -------
    ndarray
        C-contiguous array of one of the accepted dtypes.
    """
    _reject_non_numeric(X, name)
    _check_dims(X, name, allow_nd)
    dtypes = dtype if isinstance(dtype, (tuple, list)) else (dtype,)
    arr = np.asarray(X)
    if arr.dtype not in [np.dtype(d) for d in dtypes]:
        arr = arr.astype(dtypes[0])
    arr = np.ascontiguousarray(arr)
    if copy and np.may_share_memory(arr, X):
        arr = arr.copy()
    _check_shape(arr, name, min_samples)
    _check_finite(arr, name)
    return arr


def _check_dims(X: Any, name: str, allow_nd: bool = False) -> None:
    ndim = getattr(X, "ndim", None)
    if ndim is None:
        ndim = len(getattr(X, "shape", np.shape(X)))
    if ndim == 0:
        raise ValueError(f"{name} must be a 2-D array; got a scalar {X!r}.")
    if ndim == 1:
        raise ValueError(
            f"{name} must be a 2-D array of shape (n_samples, n_features); got a 1-D array of "
            f"{_describe(np.asarray(X))}. Reshape your data with X.reshape(-1, 1) if it has a "
            "single feature or X.reshape(1, -1) if it contains a single sample."
        )
    if ndim > 2 and not allow_nd:
        raise ValueError(f"{name} must be a 2-D array; got {ndim} dimensions ({_describe(X)}).")


def _check_shape(arr: np.ndarray, name: str, min_samples: int, what: str = "") -> None:
    if arr.shape[0] == 0 or (arr.ndim > 1 and arr.shape[1] == 0):
        what = "sample" if arr.shape[0] == 0 else "feature"
        raise ValueError(
            f"{name} is empty: found array with 0 {what}(s) (shape={arr.shape}) while a "
            "minimum of 1 is required."
        )
    if arr.shape[0] < min_samples:
        who = f" by {what}" if what else ""
        raise ValueError(
            f"{name} has n_samples={arr.shape[0]}; at least {min_samples} are needed{who} "
            f"(got {arr.shape[0]} sample{'s' if arr.shape[0] != 1 else ''})."
        )


def validate_X(
    estimator: Any,
    X: Any,
    *,
    reset: bool,
    dtype: Any = FLOAT_DTYPES,
    min_samples: int = 1,
    copy: bool = False,
    order: str = "C",
    accept_sparse: bool = False,
) -> Any:
    """Validate ``X`` for ``estimator.fit`` (``reset=True``) or a fitted method (``reset=False``).

    With ``accept_sparse``, scipy.sparse input (matrix or array, any format) is returned as CSR
    with sorted, duplicate-free indices and only its stored values checked for NaN/inf;
    otherwise sparse input is refused with scikit-learn's message. Records ``n_features_in_`` /
    ``feature_names_in_`` on fit and checks them afterwards
    (scikit-learn's public ``validate_data`` does that bookkeeping), after shoal's own checks
    have given the clear messages: strings, complex, 1-D, empty, too few samples, NaN/inf.
    """
    if not hasattr(X, "shape"):
        X = np.asarray(X)
    _reject_non_numeric(X, "X")
    _check_dims(X, "X")
    shape = X.shape
    if len(shape) == 2 and (shape[0] == 0 or shape[1] == 0):
        what = "sample" if shape[0] == 0 else "feature"
        raise ValueError(
            f"X is empty: found array with 0 {what}(s) (shape={tuple(shape)}) while a minimum "
            "of 1 is required."
        )
    arr = validate_data(
        estimator,
        X,
        reset=reset,
        dtype=list(dtype) if isinstance(dtype, (tuple, list)) else dtype,
        order=order,
        copy=copy,
        accept_sparse="csr" if accept_sparse else False,
        ensure_all_finite=False,
        ensure_min_samples=1,
        ensure_min_features=1,
    )
    if sp.issparse(arr):
        if not arr.has_canonical_format:
            arr = arr.copy() if arr is X else arr
            arr.sum_duplicates()
        _check_shape(arr, "X", min_samples, type(estimator).__name__)
        if not np.all(np.isfinite(arr.data)):
            raise ValueError("X contains NaN or infinity among its stored (sparse) values.")
        return arr
    _check_shape(arr, "X", min_samples, type(estimator).__name__)
    _check_finite(arr, "X")
    return arr


def check_sample_weight(
    sample_weight: Any, n_samples: int, dtype: Any, *, name: str = "sample_weight"
) -> np.ndarray:
    """Return a validated weight vector (ones when ``None``); never modifies the input."""
    if sample_weight is None:
        return np.ones(n_samples, dtype=dtype)
    if isinstance(sample_weight, numbers.Number):
        return np.full(n_samples, sample_weight, dtype=dtype)
    _reject_non_numeric(np.asarray(sample_weight), name)
    w = np.asarray(sample_weight, dtype=dtype)
    if w.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got shape {w.shape}.")
    if w.shape[0] != n_samples:
        raise ValueError(
            f"{name} has {w.shape[0]} values but X has n_samples={n_samples}; they must match."
        )
    if not np.all(np.isfinite(w)):
        raise ValueError(f"{name} contains NaN or infinity.")
    if np.any(w < 0):
        raise ValueError(f"{name} has negative values (min {w.min()}); weights must be >= 0.")
    if not np.any(w > 0):
        raise ValueError(f"{name} is all zero; at least one sample needs a positive weight.")
    return np.ascontiguousarray(w)


def check_int(
    name: str,
    value: Any,
    *,
    low: int | None = None,
    high: int | None = None,
    allow_none: bool = False,
) -> int | None:
    """Check that ``value`` is an integer within ``[low, high]``; return it as ``int``."""
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}={value!r} must be an integer; got {type(value).__name__}.")
    value = int(value)
    if low is not None and value < low:
        raise ValueError(f"{name}={value} must be >= {low}.")
    if high is not None and value > high:
        raise ValueError(f"{name}={value} must be <= {high}.")
    return int(value)


def check_real(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
    allow_none: bool = False,
) -> float | None:
    """Check that ``value`` is a real number within the given bounds; return it as ``float``."""
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}={value!r} must be a real number; got {type(value).__name__}.")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name}={value} must be finite.")
    if low is not None and (value < low or (not low_inclusive and value == low)):
        op = ">=" if low_inclusive else ">"
        raise ValueError(f"{name}={value} must be {op} {low}.")
    if high is not None and (value > high or (not high_inclusive and value == high)):
        op = "<=" if high_inclusive else "<"
        raise ValueError(f"{name}={value} must be {op} {high}.")
    return float(value)


def check_option(name: str, value: Any, options: Iterable[Any]) -> Any:
    """Check that ``value`` is one of ``options``."""
    opts = list(options)
    if not isinstance(value, str) or value not in opts:
        raise ValueError(f"{name}={value!r} is not valid; choose one of {opts}.")
    return value


def check_n_clusters(value: Any, n_samples: int, *, name: str = "n_clusters") -> int:
    """``n_clusters`` is an integer in ``[1, n_samples]``."""
    k = check_int(name, value, low=1)
    assert k is not None
    if k > n_samples:
        raise ValueError(f"{name}={k} must be <= n_samples={n_samples}.")
    return k


def check_distinct_rows(X: np.ndarray, n_clusters: int, *, precomputed: bool = False) -> None:
    """Refuse data whose rows are all identical when more than one cluster is asked for.

    With ``precomputed``, ``X`` is a distance matrix and "identical" means all zeros.
    """
    if n_clusters <= 1 or X.shape[0] == 0:
        return
    same = X.max() == 0 if precomputed else np.array_equal(X.min(axis=0), X.max(axis=0))
    if same:
        raise ValueError(
            f"All rows of X are identical; n_clusters={n_clusters} clusters cannot be formed."
        )


def check_random_state(seed: Any) -> np.random.RandomState:
    """Turn ``seed`` (None, int, RandomState) into a ``RandomState`` (scikit-learn's rule)."""
    return _sk_check_random_state(seed)
