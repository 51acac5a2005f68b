"""Affinity propagation kernels: responsibility and availability messages, in place.

``S`` (similarities, preferences on the diagonal), ``R`` (responsibilities) and ``A``
(availabilities) are the only n x n arrays; every update runs row by row (responsibilities,
in parallel over rows) or in blocks of columns (availabilities, in parallel over blocks) with
O(n) scratch. The arithmetic is scikit-learn's, operation for operation (column sums
accumulate row after row, as numpy sums a C-ordered array over axis 0), so the same input
gives the same messages.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["MIN_COLUMN_BLOCK", "ap_iterate", "ap_refine", "equal_off_diagonal", "kth_smallest"]

# Fewest columns per availability block (callers use one block per thread above that): each
# row's slice of a block must be long enough to stream from memory.
MIN_COLUMN_BLOCK = 256


@njit(cache=True, nogil=True, parallel=True)
def _responsibilities(S, R, A, damping, keep):
    n = S.shape[0]
    for i in prange(n):
        best = -np.inf
        second = -np.inf
        arg = 0
        for k in range(n):
            v = A[i, k] + S[i, k]
            if v > best:
                second = best
                best = v
                arg = k
            elif v > second:
                second = v
        for k in range(n):
            new = S[i, k] - (second if k == arg else best)
            R[i, k] = R[i, k] * damping + new * keep


@njit(cache=True, nogil=True, inline="always")
def _pos_sum(R, i, a, b, col, k0):
    for k in range(a, b):
        r = R[i, k]
        col[k - k0] += r if r > 0.0 else 0.0


@njit(cache=True, nogil=True, inline="always")
def _pos_update(R, A, i, a, b, col, k0, damping, keep):
    for k in range(a, b):
        r = R[i, k]
        neg = (r if r > 0.0 else 0.0) - col[k - k0]
        if neg < 0.0:
            neg = 0.0
        A[i, k] = A[i, k] * damping - neg * keep


@njit(cache=True, nogil=True, parallel=True)
def _availabilities(R, A, damping, keep, width):
    n = R.shape[0]
    n_blocks = (n + width - 1) // width
    for b in prange(n_blocks):
        k0 = b * width
        k1 = min(n, k0 + width)
        col = np.zeros(k1 - k0)
        # Column sums of max(R, 0) (R itself on the diagonal), row after row; the row is
        # split around its diagonal entry so the loops stay branch-free.
        for i in range(n):
            if k0 <= i < k1:
                _pos_sum(R, i, k0, i, col, k0)
                col[i - k0] += R[i, i]
                _pos_sum(R, i, i + 1, k1, col, k0)
            else:
                _pos_sum(R, i, k0, k1, col, k0)
        for i in range(n):
            if k0 <= i < k1:
                _pos_update(R, A, i, k0, i, col, k0, damping, keep)
                A[i, i] = A[i, i] * damping - (R[i, i] - col[i - k0]) * keep
                _pos_update(R, A, i, i + 1, k1, col, k0, damping, keep)
            else:
                _pos_update(R, A, i, k0, k1, col, k0, damping, keep)


@njit(cache=True, nogil=True)
def ap_iterate(S, R, A, damping, keep, max_iter, convergence_iter, verbose, width):
    """Message passing until the exemplar set holds still for ``convergence_iter`` iterations.

    Parameters
    ----------
    S : ndarray of shape (n, n)
        IN. Similarities with the preferences on the diagonal.
    R, A : ndarray of shape (n, n), S's dtype
        IN/OUT. Responsibilities and availabilities (zeros on entry).
    damping, keep : scalar of S's dtype
        IN. Weight of the previous message and ``1 - damping`` (typed as S, so float32
        messages are computed in float32).
    max_iter, convergence_iter : int
        IN.
    verbose : bool
        IN. Print the stopping iteration.
    width : int
        IN. Columns per availability block (the result does not depend on it).

    Returns
    -------
    n_iter : int
        Iterations run.
    converged : bool
    exemplar : ndarray of shape (n,), bool
        ``A[i, i] + R[i, i] > 0`` after the last iteration.
    """
    n = S.shape[0]
    hist = np.zeros((n, convergence_iter), dtype=np.bool_)
    count = np.zeros(n, dtype=np.int64)
    exemplar = np.zeros(n, dtype=np.bool_)
    it = 0
    converged = False
    for it in range(max_iter):
        _responsibilities(S, R, A, damping, keep)
        _availabilities(R, A, damping, keep, width)
        slot = it % convergence_iter
        k = 0
        for i in range(n):
            e = (A[i, i] + R[i, i]) > 0
            exemplar[i] = e
            if hist[i, slot]:
                count[i] -= 1
            hist[i, slot] = e
            if e:
                count[i] += 1
                k += 1
        if it >= convergence_iter:
            steady = 0
            for i in range(n):
                if count[i] == convergence_iter or count[i] == 0:
                    steady += 1
            if steady == n and k > 0:
                converged = True
                if verbose:
                    print("Converged after", it, "iterations.")
                break
    if not converged and verbose:
        print("Did not converge")
    return it + 1, converged, exemplar


@njit(cache=True, nogil=True)
def ap_refine(S, exemplars):
    """Assign samples to exemplars, move each exemplar to its cluster's best member, reassign.

    Parameters
    ----------
    S : ndarray of shape (n, n)
        IN. Similarities (preferences on the diagonal).
    exemplars : ndarray of shape (K,), int64
        IN/OUT. Exemplar indices (ascending); refined in place.

    Returns
    -------
    c : ndarray of shape (n,), int64
        The position in ``exemplars`` of each sample's exemplar.
    """
    n = S.shape[0]
    K = exemplars.shape[0]
    c = _closest(S, exemplars)
    counts = np.zeros(K, dtype=np.int64)
    for i in range(n):
        counts[c[i]] += 1
    start = np.zeros(K + 1, dtype=np.int64)
    for k in range(K):
        start[k + 1] = start[k] + counts[k]
    members = np.empty(n, dtype=np.int64)
    fill = start[:K].copy()
    for i in range(n):
        members[fill[c[i]]] = i
        fill[c[i]] += 1
    for k in range(K):
        ii = members[start[k] : start[k + 1]]
        best = -np.inf
        arg = 0
        for jj in range(ii.shape[0]):
            acc = 0.0
            j = ii[jj]
            for t in range(ii.shape[0]):
                acc += S[ii[t], j]
            if acc > best:
                best = acc
                arg = jj
        exemplars[k] = ii[arg]
    return _closest(S, exemplars)


@njit(cache=True, nogil=True, parallel=True)
def _closest(S, exemplars):
    n = S.shape[0]
    K = exemplars.shape[0]
    c = np.empty(n, dtype=np.int64)
    for i in prange(n):
        best = -np.inf
        arg = 0
        for k in range(K):
            v = S[i, exemplars[k]]
            if v > best:
                best = v
                arg = k
        c[i] = arg
    for k in range(K):
        c[exemplars[k]] = k
    return c


@njit(cache=True, nogil=True)
def equal_off_diagonal(S):
    """True when every off-diagonal entry of ``S`` equals the first one."""
    n = S.shape[0]
    if n < 2:
        return True
    first = S[0, 1]
    for i in range(n):
        for k in range(n):
            if i != k and S[i, k] != first:
                return False
    return True


@njit(cache=True, nogil=True, inline="always")
def _key(u, nbytes):
    """Order-preserving unsigned key of a float's bits ``u`` (its signed-int view)."""
    sign = np.uint64(1) << np.uint64(8 * nbytes - 1)
    full = (sign << np.uint64(1)) - np.uint64(1) if nbytes < 8 else ~np.uint64(0)
    if u < 0:
        return (~np.uint64(np.int64(u))) & full
    return np.uint64(u) | sign


@njit(cache=True, nogil=True)
def kth_smallest(values, bits, kth):
    """The ``kth`` smallest (0-based) of ``values`` (a flat float array; ``bits`` its int view
    of the same width) without sorting a copy: radix selection on order-preserving keys, one
    byte per pass (4 or 8 passes, O(1) extra memory)."""
    nbytes = bits.itemsize
    prefix = np.uint64(0)
    mask = np.uint64(0)
    rank = kth
    for p in range(nbytes):
        sh = np.uint64(8 * (nbytes - 1 - p))
        hist = np.zeros(256, dtype=np.int64)
        for t in range(bits.shape[0]):
            key = _key(bits[t], nbytes)
            if (key & mask) == prefix:
                hist[np.int64((key >> sh) & np.uint64(0xFF))] += 1
        byte = 0
        while rank >= hist[byte]:
            rank -= hist[byte]
            byte += 1
        prefix = prefix | (np.uint64(byte) << sh)
        mask = mask | (np.uint64(0xFF) << sh)
    for t in range(bits.shape[0]):
        if _key(bits[t], nbytes) == prefix:
            return values[t]
    return values[0]  # pragma: no cover - unreachable
