"""Expected mutual information of two labelings under the permutation (hypergeometric) model.

The EMI (Vinh, Epps and Bailey, JMLR 2010) depends only on the row sums ``a`` and column sums
``b`` of the contingency table, so the kernel loops over *distinct* sums weighted by their
multiplicities: many clusters of the same size cost one term. Factorials enter as a table of
``log(m!)`` for ``m = 0 .. n`` that the caller builds once (``scipy.special.gammaln``).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

__all__ = ["expected_mutual_information"]


@njit(cache=True, nogil=True, parallel=True)
def expected_mutual_information(
    a_vals: np.ndarray,
    a_mult: np.ndarray,
    b_vals: np.ndarray,
    b_mult: np.ndarray,
    n: int,
    log_fact: np.ndarray,
) -> float:
    """Expected mutual information (natural log) of two random labelings with fixed sizes.

    Parameters
    ----------
    a_vals, a_mult : ndarray of shape (n_a,), int64
        IN. Distinct row sums of the contingency table and how often each occurs.
    b_vals, b_mult : ndarray of shape (n_b,), int64
        IN. Distinct column sums and their multiplicities.
    n : int
        IN. Number of samples (the table total).
    log_fact : ndarray of shape (n + 1,), float64
        IN. ``log_fact[m] = log(m!)``.

    Returns
    -------
    float
        ``sum_ij sum_nij nij/n * log(n nij / (a_i b_j)) * P(nij | a_i, b_j, n)``.

    Notes
    -----
    O(sum over distinct (a, b) pairs of min(a, b)) time, O(1) scratch.
    """
    log_n = math.log(n)
    total = 0.0
    for ia in prange(a_vals.shape[0]):
        ai = a_vals[ia]
        part = 0.0
        for jb in range(b_vals.shape[0]):
            bj = b_vals[jb]
            base = log_fact[ai] + log_fact[bj] + log_fact[n - ai] + log_fact[n - bj] - log_fact[n]
            log_ab = math.log(ai) + math.log(bj)
            inner = 0.0
            for nij in range(max(1, ai + bj - n), min(ai, bj) + 1):
                log_p = (
                    base
                    - log_fact[nij]
                    - log_fact[ai - nij]
                    - log_fact[bj - nij]
                    - log_fact[n - ai - bj + nij]
                )
                inner += nij / n * (log_n + math.log(nij) - log_ab) * math.exp(log_p)
            part += b_mult[jb] * inner
        total += a_mult[ia] * part
    return total
