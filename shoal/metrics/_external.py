"""External clustering indices: compare a labeling with a reference (or another labeling).

Every index here is a function of the contingency table ``n_ij`` (samples with true class ``i``
and predicted cluster ``j``), which is built once from the two label vectors: a dense table
(``np.bincount`` on combined codes) when classes x clusters is small, a
``scipy.sparse.coo_matrix`` summed into CSR when it is large, so memory stays O(n_samples)
whatever the number of labels. Only the non-zero cells, the row sums and the column sums are
used downstream.

The expected mutual information behind ``adjusted_mutual_info_score`` is a numba kernel over
the *distinct* row and column sums, with log-factorials from ``scipy.special.gammaln``.

Noise: the label -1 (noise, as DBSCAN/HDBSCAN write it) is an ordinary label in every index
here, exactly as in scikit-learn; drop those samples yourself if they should not count.
Labels may be of any type ``np.unique`` can sort (integers, strings, ...).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy.special import gammaln

from shoal._backend import select_backend
from shoal._validation import check_option, check_real
from shoal.metrics._checks import check_paired_labels

__all__ = [
    "adjusted_mutual_info_score",
    "adjusted_rand_score",
    "completeness_score",
    "contingency_matrix",
    "fowlkes_mallows_score",
    "homogeneity_completeness_v_measure",
    "homogeneity_score",
    "mutual_info_score",
    "normalized_mutual_info_score",
    "pair_confusion_matrix",
    "purity_score",
    "rand_score",
    "v_measure_score",
]

# Largest classes x clusters table built densely (8 bytes a cell: 32 MiB).
_DENSE_MAX_CELLS = 1 << 22
_AVERAGE_METHODS = ["min", "geometric", "arithmetic", "max"]


class _Table(NamedTuple):
    """Contingency table in triplet form plus its margins (all int64)."""

    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    row_sums: np.ndarray
    col_sums: np.ndarray
    n: int


def _codes(labels: np.ndarray) -> tuple[np.ndarray, int]:
    uniq, inv = np.unique(labels, return_inverse=True)
    return inv.ravel().astype(np.int64, copy=False), int(uniq.shape[0])


def _table(labels_true: Any, labels_pred: Any) -> _Table:
    lt, lp = check_paired_labels(labels_true, labels_pred)
    ti, n_rows = _codes(lt)
    pi, n_cols = _codes(lp)
    if n_rows * n_cols <= _DENSE_MAX_CELLS:
        dense = np.bincount(ti * n_cols + pi, minlength=n_rows * n_cols)
        dense = dense.reshape(n_rows, n_cols)
        rows, cols = np.nonzero(dense)
        vals = dense[rows, cols]
    else:
        coo = sp.coo_matrix(
            (np.ones(ti.shape[0], dtype=np.int64), (ti, pi)), shape=(n_rows, n_cols)
        )
        rows, cols, vals = sp.find(coo.tocsr())
    return _Table(
        rows.astype(np.int64, copy=False),
        cols.astype(np.int64, copy=False),
        vals.astype(np.int64, copy=False),
        np.bincount(ti, minlength=n_rows).astype(np.int64),
        np.bincount(pi, minlength=n_cols).astype(np.int64),
        int(ti.shape[0]),
    )


def _table_from_matrix(contingency: Any) -> _Table:
    if sp.issparse(contingency):
        m = sp.csr_matrix(contingency)
        rows, cols, vals = sp.find(m)
        row_sums = np.asarray(m.sum(axis=1)).ravel()
        col_sums = np.asarray(m.sum(axis=0)).ravel()
    else:
        m = np.asarray(contingency)
        if m.ndim != 2:
            raise ValueError(f"contingency must be a 2-D table; got shape {m.shape}.")
        rows, cols = np.nonzero(m)
        vals = m[rows, cols]
        row_sums, col_sums = m.sum(axis=1), m.sum(axis=0)
    if np.any(vals < 0):
        raise ValueError("contingency has negative counts; it must hold counts >= 0.")
    return _Table(rows, cols, vals, row_sums, col_sums, round(float(vals.sum())))


def _entropy(counts: np.ndarray) -> float:
    """Shannon entropy (nats) of a labeling from its cluster sizes (scikit-learn's rules)."""
    if counts.shape[0] == 0:
        return 1.0
    c = counts[counts > 0].astype(np.float64)
    if c.shape[0] == 1:
        return 0.0
    total = c.sum()
    return float(-np.sum((c / total) * (np.log(c) - math.log(total))))


def _mutual_info(t: _Table) -> float:
    if t.row_sums.shape[0] == 1 or t.col_sums.shape[0] == 1:
        return 0.0
    total = float(t.vals.sum())
    if total == 0.0:
        return 0.0
    nz = t.vals.astype(np.float64)
    p = nz / total
    # Grouped as scikit-learn groups it, so that both round alike (1.0, not 0.9999...).
    outer = t.row_sums[t.rows].astype(np.int64) * t.col_sums[t.cols].astype(np.int64)
    log_outer = -np.log(outer) + math.log(t.row_sums.sum()) + math.log(t.col_sums.sum())
    mi = p * (np.log(nz) - math.log(total)) + p * log_outer
    # Sums of scikit-learn's rounding: terms below machine epsilon count as zero.
    mi = np.where(np.abs(mi) < np.finfo(np.float64).eps, 0.0, mi)
    return float(max(mi.sum(), 0.0))


def _average(u: float, v: float, method: str) -> float:
    if method == "min":
        return min(u, v)
    if method == "geometric":
        return math.sqrt(u * v)
    if method == "arithmetic":
        return (u + v) / 2.0
    return max(u, v)


def _pair_counts(t: _Table) -> np.ndarray:
    sum_squares = int(np.dot(t.vals, t.vals))
    n = t.n
    c = np.empty((2, 2), dtype=np.int64)
    c[1, 1] = sum_squares - n
    c[0, 1] = int(np.dot(t.vals, t.col_sums[t.cols])) - sum_squares
    c[1, 0] = int(np.dot(t.vals, t.row_sums[t.rows])) - sum_squares
    c[0, 0] = n * n - c[0, 1] - c[1, 0] - sum_squares
    return c


_NOISE_NOTE = "The label -1 (noise) is an ordinary label here, as in scikit-learn."


def contingency_matrix(
    labels_true: Any,
    labels_pred: Any,
    *,
    eps: float | None = None,
    sparse: bool = False,
    dtype: Any = np.int64,
) -> Any:
    """Contingency table of two labelings.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Reference labels (rows of the table, in sorted label order).
    labels_pred : array-like of shape (n_samples,)
        Labels to evaluate (columns, in sorted label order).
    eps : float or None, default=None
        Added to every cell of the dense table (the result is then float); not allowed with
        ``sparse=True``.
    sparse : bool, default=False
        Return a ``scipy.sparse.csr_matrix`` instead of a dense array.
    dtype : numeric type, default=np.int64
        Type of the table (ignored when ``eps`` is given).

    Returns
    -------
    ndarray or scipy.sparse.csr_matrix of shape (n_classes, n_clusters)
        ``C[i, j]`` is the number of samples of class ``i`` put in cluster ``j``.

    Notes
    -----
    Equals ``sklearn.metrics.cluster.contingency_matrix``. The label -1 (noise) is an
    ordinary label here, as in scikit-learn. Time O(n_samples log n_samples); the dense
    table takes O(n_classes * n_clusters) memory, the sparse one O(n_samples).

    Examples
    --------
    >>> from shoal.metrics import contingency_matrix
    >>> contingency_matrix([0, 0, 1, 1], [0, 1, 1, 1])
    array([[1, 1],
           [0, 2]])
    """
    if eps is not None and sparse:
        raise ValueError(f"Cannot set eps={eps!r} when sparse=True; use one or the other.")
    lt, lp = check_paired_labels(labels_true, labels_pred)
    ti, n_rows = _codes(lt)
    pi, n_cols = _codes(lp)
    table = sp.coo_matrix(
        (np.ones(ti.shape[0]), (ti, pi)), shape=(n_rows, n_cols), dtype=dtype
    ).tocsr()
    table.sum_duplicates()
    if sparse:
        return table
    dense = table.toarray()
    if eps is not None:
        dense = dense + eps
    return dense


def pair_confusion_matrix(labels_true: Any, labels_pred: Any) -> np.ndarray:
    """Pair confusion matrix: how the ordered pairs of samples are split or joined.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Reference labels.
    labels_pred : array-like of shape (n_samples,)
        Labels to evaluate.

    Returns
    -------
    ndarray of shape (2, 2), int64
        ``C[0, 0]`` pairs apart in both, ``C[1, 1]`` together in both, ``C[0, 1]`` together
        only in ``labels_pred``, ``C[1, 0]`` together only in ``labels_true`` (ordered pairs
        of distinct samples, so every count is even).

    Notes
    -----
    Equals ``sklearn.metrics.cluster.pair_confusion_matrix``. The label -1 (noise) is an
    ordinary label here, as in scikit-learn. Time O(n_samples log n_samples).

    Examples
    --------
    >>> from shoal.metrics import pair_confusion_matrix
    >>> pair_confusion_matrix([0, 0, 1, 1], [0, 0, 1, 2])
    array([[8, 0],
           [2, 2]])
    """
    return _pair_counts(_table(labels_true, labels_pred))


def rand_score(labels_true: Any, labels_pred: Any) -> float:
    """Rand index: fraction of sample pairs on which the two labelings agree.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Reference labels.
    labels_pred : array-like of shape (n_samples,)
        Labels to evaluate.

    Returns
    -------
    float
        In ``[0, 1]``; 1 for identical partitions (also for fewer than 2 samples).

    Notes
    -----
    Equals ``sklearn.metrics.rand_score``. The label -1 (noise) is an ordinary label here,
    as in scikit-learn. Time O(n_samples log n_samples).

    Examples
    --------
    >>> from shoal.metrics import rand_score
    >>> round(rand_score([0, 0, 1, 1], [0, 0, 1, 2]), 4)
    0.8333
    """
    c = pair_confusion_matrix(labels_true, labels_pred)
    numerator = int(c[0, 0] + c[1, 1])
    denominator = int(c.sum())
    if numerator == denominator or denominator == 0:
        return 1.0
    return numerator / denominator


def adjusted_rand_score(labels_true: Any, labels_pred: Any) -> float:
    """Rand index adjusted for chance (Hubert and Arabie, 1985).

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Reference labels.
    labels_pred : array-like of shape (n_samples,)
        Labels to evaluate.

    Returns
    -------
    float
        1 for identical partitions (up to renaming), about 0 for random ones, can be negative.

    Notes
    -----
    Equals ``sklearn.metrics.adjusted_rand_score``. The label -1 (noise) is an ordinary
    label here, as in scikit-learn. Time O(n_samples log n_samples); pair counts are exact
    integers (int64).

    Examples
    --------
    >>> from shoal.metrics import adjusted_rand_score
    >>> adjusted_rand_score([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    """
    (tn, fp), (fn, tp) = pair_confusion_matrix(labels_true, labels_pred)
    tn, fp, fn, tp = int(tn), int(fp), int(fn), int(tp)
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))


def mutual_info_score(labels_true: Any, labels_pred: Any, *, contingency: Any = None) -> float:
    """Mutual information (nats) between two labelings.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Reference labels (ignored when ``contingency`` is given).
    labels_pred : array-like of shape (n_samples,)
        Labels to evaluate (ignored when ``contingency`` is given).
    contingency : array-like or sparse matrix of shape (n_classes, n_clusters), default=None
        A contingency table to use instead of the labels.

    Returns
    -------
    float
        Mutual information, >= 0.

    Notes
    -----
    Equals ``sklearn.metrics.mutual_info_score``. The label -1 (noise) is an ordinary label
    here, as in scikit-learn. Time O(n_samples log n_samples).

    Examples
    --------
    >>> from shoal.metrics import mutual_info_score
    >>> round(mutual_info_score([0, 0, 1, 1], [0, 0, 1, 1]), 4)
    0.6931
    """
    if contingency is None:
        t = _table(labels_true, labels_pred)
    else:
        t = _table_from_matrix(contingency)
    return _mutual_info(t)


def _trivial(t: _Table) -> bool:
    """Both labelings put everything in one cluster, or there are no samples."""
    r, c = t.row_sums.shape[0], t.col_sums.shape[0]
    return r == c == 1 or r == c == 0


def normalized_mutual_info_score(
    labels_true: Any, labels_pred: Any, *, average_method: str = "arithmetic"
) -> float:
    """Mutual information normalised by a mean of the two entropies.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Reference labels.
    labels_pred : array-like of shape (n_samples,)
        Labels to evaluate.
    average_method : {"min", "geometric", "arithmetic", "max"}, default="arithmetic"
        How the two entropies are averaged into the normaliser.

    Returns
    -------
    float
        In ``[0, 1]``; 1 for identical partitions.

    Notes
    -----
    Equals ``sklearn.metrics.normalized_mutual_info_score``. The label -1 (noise) is an
    ordinary label here, as in scikit-learn. Time O(n_samples log n_samples).

    Examples
    --------
    >>> from shoal.metrics import normalized_mutual_info_score
    >>> normalized_mutual_info_score([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    """
    check_option("average_method", average_method, _AVERAGE_METHODS)
    t = _table(labels_true, labels_pred)
    if _trivial(t):
        return 1.0
    mi = _mutual_info(t)
    if mi == 0.0:
        return 0.0
    norm = _average(_entropy(t.row_sums), _entropy(t.col_sums), average_method)
    return mi / norm


def _emi(t: _Table) -> float:
    if t.row_sums.shape[0] == 1 or t.col_sums.shape[0] == 1:
        return 0.0
    a_vals, a_mult = np.unique(t.row_sums, return_counts=True)
    b_vals, b_mult = np.unique(t.col_sums, return_counts=True)
    log_fact = gammaln(np.arange(t.n + 1, dtype=np.float64) + 1.0)
    return float(
        select_backend().kernels.expected_mutual_information(
            a_vals.astype(np.int64),
            a_mult.astype(np.int64),
            b_vals.astype(np.int64),
            b_mult.astype(np.int64),
            t.n,
            log_fact,
        )
    )


def adjusted_mutual_info_score(
    labels_true: Any, labels_pred: Any, *, average_method: str = "arithmetic"
) -> float:
    """Mutual information adjusted for chance (Vinh, Epps and Bailey, 2010).

    ``AMI = (MI - E[MI]) / (mean(H_true, H_pred) - E[MI])`` with the expectation under random
    labelings of the same cluster sizes.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Reference labels.
    labels_pred : array-like of shape (n_samples,)
        Labels to evaluate.
    average_method : {"min", "geometric", "arithmetic", "max"}, default="arithmetic"
        How the two entropies are averaged into the normaliser.

    Returns
    -------
    float
        1 for identical partitions, about 0 for random ones, can be negative.

    Notes
    -----
    Equals ``sklearn.metrics.adjusted_mutual_info_score``. The label -1 (noise) is an
    ordinary label here, as in scikit-learn. The expected mutual information is a parallel
    numba kernel over distinct cluster sizes: time O(sum over distinct size pairs (a, b) of
    min(a, b)), memory O(n_samples) for the log-factorial table.

    Examples
    --------
    >>> from shoal.metrics import adjusted_mutual_info_score
    >>> adjusted_mutual_info_score([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    """
    check_option("average_method", average_method, _AVERAGE_METHODS)
    t = _table(labels_true, labels_pred)
    if _trivial(t):
        return 1.0
    mi = _mutual_info(t)
    emi = _emi(t)
    norm = _average(_entropy(t.row_sums), _entropy(t.col_sums), average_method)
    denominator = norm - emi
    # E[MI] can exceed the normaliser by rounding when the partitions match; keep the sign.
    eps = float(np.finfo(np.float64).eps)
    denominator = min(denominator, -eps) if denominator < 0 else max(denominator, eps)
    return (mi - emi) / denominator


def homogeneity_completeness_v_measure(
    labels_true: Any, labels_pred: Any, *, beta: float = 1.0
) -> tuple[float, float, float]:
    """Homogeneity, completeness and V-measure (Rosenberg and Hirschberg, 2007).

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Reference labels.
    labels_pred : array-like of shape (n_samples,)
        Labels to evaluate.
    beta : float, default=1.0
        Weight of completeness against homogeneity in the V-measure.

    Returns
    -------
    homogeneity : float
        ``MI / H(true)``: each cluster holds one class (1 when ``H(true) = 0``).
    completeness : float
        ``MI / H(pred)``: each class lies in one cluster (1 when ``H(pred) = 0``).
    v_measure : float
        ``(1 + beta) h c / (beta h + c)``.

    Notes
    -----
    Equals ``sklearn.metrics.homogeneity_completeness_v_measure``. The label -1 (noise) is an
    ordinary label here, as in scikit-learn. Time O(n_samples log n_samples).

    Examples
    --------
    >>> from shoal.metrics import homogeneity_completeness_v_measure
    >>> [round(v, 4) for v in homogeneity_completeness_v_measure([0, 0, 1, 1], [0, 0, 1, 2])]
    [1.0, 0.6667, 0.8]
    """
    check_real("beta", beta, low=0.0)
    t = _table(labels_true, labels_pred)
    if t.n == 0:
        return 1.0, 1.0, 1.0
    h_true, h_pred = _entropy(t.row_sums), _entropy(t.col_sums)
    mi = _mutual_info(t)
    homogeneity = mi / h_true if h_true else 1.0
    completeness = mi / h_pred if h_pred else 1.0
    if homogeneity + completeness == 0.0:
        return homogeneity, completeness, 0.0
    v = (1 + beta) * homogeneity * completeness / (beta * homogeneity + completeness)
    return float(homogeneity), float(completeness), float(v)


def homogeneity_score(labels_true: Any, labels_pred: Any) -> float:
    """Homogeneity: each cluster contains only members of a single class.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Reference labels.
    labels_pred : array-like of shape (n_samples,)
        Labels to evaluate.

    Returns
    -------
    float
        In ``[0, 1]``.

    Notes
    -----
    Equals ``sklearn.metrics.homogeneity_score``. The label -1 (noise) is an ordinary label
    here, as in scikit-learn. See :func:`homogeneity_completeness_v_measure`.

    Examples
    --------
    >>> from shoal.metrics import homogeneity_score
    >>> round(homogeneity_score([0, 0, 1, 1], [0, 0, 1, 2]), 4)
    1.0
    """
    return homogeneity_completeness_v_measure(labels_true, labels_pred)[0]


def completeness_score(labels_true: Any, labels_pred: Any) -> float:
    """Completeness: all members of a class are assigned to the same cluster.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Reference labels.
    labels_pred : array-like of shape (n_samples,)
        Labels to evaluate.

    Returns
    -------
    float
        In ``[0, 1]``.

    Notes
    -----
    Equals ``sklearn.metrics.completeness_score``. The label -1 (noise) is an ordinary label
    here, as in scikit-learn. See :func:`homogeneity_completeness_v_measure`.

    Examples
    --------
    >>> from shoal.metrics import completeness_score
    >>> round(completeness_score([0, 0, 1, 1], [0, 0, 1, 2]), 4)
    0.6667
    """
    return homogeneity_completeness_v_measure(labels_true, labels_pred)[1]


def v_measure_score(labels_true: Any, labels_pred: Any, *, beta: float = 1.0) -> float:
    """V-measure: weighted harmonic mean of homogeneity and completeness.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Reference labels.
    labels_pred : array-like of shape (n_samples,)
        Labels to evaluate.
    beta : float, default=1.0
        Weight of completeness against homogeneity.

    Returns
    -------
    float
        In ``[0, 1]``; equals NMI with ``average_method="arithmetic"`` when ``beta=1``.

    Notes
    -----
    Equals ``sklearn.metrics.v_measure_score``. The label -1 (noise) is an ordinary label
    here, as in scikit-learn. See :func:`homogeneity_completeness_v_measure`.

    Examples
    --------
    >>> from shoal.metrics import v_measure_score
    >>> round(v_measure_score([0, 0, 1, 1], [0, 0, 1, 2]), 4)
    0.8
    """
    return homogeneity_completeness_v_measure(labels_true, labels_pred, beta=beta)[2]


def fowlkes_mallows_score(labels_true: Any, labels_pred: Any) -> float:
    """Fowlkes-Mallows index: geometric mean of pairwise precision and recall.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Reference labels.
    labels_pred : array-like of shape (n_samples,)
        Labels to evaluate.

    Returns
    -------
    float
        ``TP / sqrt((TP + FP) (TP + FN))`` over pairs of samples, in ``[0, 1]``.

    Notes
    -----
    Equals ``sklearn.metrics.fowlkes_mallows_score``. The label -1 (noise) is an ordinary
    label here, as in scikit-learn. Time O(n_samples log n_samples).

    Examples
    --------
    >>> from shoal.metrics import fowlkes_mallows_score
    >>> round(fowlkes_mallows_score([0, 0, 1, 1], [0, 0, 1, 2]), 4)
    0.7071
    """
    t = _table(labels_true, labels_pred)
    n = t.n
    tk = int(np.dot(t.vals, t.vals)) - n
    pk = int(np.dot(t.col_sums, t.col_sums)) - n
    qk = int(np.dot(t.row_sums, t.row_sums)) - n
    if tk == 0:
        return 0.0
    return float(np.sqrt(tk / pk) * np.sqrt(tk / qk))


def purity_score(labels_true: Any, labels_pred: Any) -> float:
    """Purity: fraction of samples in the majority class of their predicted cluster.

    ``purity = (1 / n) * sum over clusters k of max over classes c of n_ck``.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Reference labels.
    labels_pred : array-like of shape (n_samples,)
        Labels to evaluate.

    Returns
    -------
    float
        In ``(0, 1]``; 1 when every cluster is pure. Not symmetric, and trivially 1 with one
        cluster per sample, so read it next to completeness or NMI.

    Notes
    -----
    scikit-learn has no purity; the tests compare with a brute-force loop. The label -1
    (noise) is an ordinary label here (noise counts as one predicted cluster), as in the
    other external indices. Time O(n_samples log n_samples). Returns 1.0 for empty input.

    Examples
    --------
    >>> from shoal.metrics import purity_score
    >>> purity_score([0, 0, 1, 1], [0, 0, 0, 1])
    0.75
    """
    t = _table(labels_true, labels_pred)
    if t.n == 0:
        return 1.0
    best = np.zeros(t.col_sums.shape[0], dtype=np.int64)
    np.maximum.at(best, t.cols, t.vals)
    return float(best.sum()) / t.n
