"""k-modes / k-prototypes kernels: Huang's online iteration over integer-coded data.

Categorical columns arrive as integer codes ``C`` of shape ``(n, p)`` (column ``j`` takes values
``0 .. n_categories[j] - 1``; ``-1`` marks a category unseen at fit, which matches no mode);
numeric columns as float64 ``Xn`` of shape ``(n, q)``. Either part may be empty (``p == 0`` is
k-means with online updates, ``q == 0`` is k-modes). The dissimilarity of a sample to a
prototype is ``sum (x - mean)^2 + gamma * (number of mismatching categories)``.

Per-cluster category frequencies live in one ``(k, sum n_categories)`` float64 table: column
``j``'s categories start at ``offsets[j]``.

The iteration follows Huang (1997/1998) as the ``kmodes`` package implements it: samples are
visited in order; a sample whose nearest prototype changed moves at once, and both affected
prototypes are updated before the next sample (means from running sums, modes from the
frequency table, ties to the lowest code); a cluster left empty takes a random member of the
largest cluster. An epoch ends with a full relabelling and the cost; the run stops when no
sample moved or the cost did not decrease.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["kproto_assign", "kproto_run"]


@njit(cache=True, nogil=True)
def _dissim(
    Xn: np.ndarray,
    C: np.ndarray,
    i: int,
    means: np.ndarray,
    modes: np.ndarray,
    l: int,
    gamma: float,
) -> float:
    num = 0.0
    for j in range(Xn.shape[1]):
        t = Xn[i, j] - means[l, j]
        num += t * t
    mis = 0
    for j in range(C.shape[1]):
        if C[i, j] != modes[l, j]:
            mis += 1
    if Xn.shape[1] == 0:
        return float(mis) * gamma
    return num + gamma * mis


@njit(cache=True, nogil=True)
def _nearest(
    Xn: np.ndarray, C: np.ndarray, i: int, means: np.ndarray, modes: np.ndarray, gamma: float
) -> tuple[int, float]:
    best = 0
    best_d = _dissim(Xn, C, i, means, modes, 0, gamma)
    for l in range(1, modes.shape[0]):
        v = _dissim(Xn, C, i, means, modes, l, gamma)
        if v < best_d:
            best_d = v
            best = l
    return best, best_d


@njit(cache=True, nogil=True, parallel=True)
def kproto_assign(
    Xn: np.ndarray,
    C: np.ndarray,
    w: np.ndarray,
    means: np.ndarray,
    modes: np.ndarray,
    gamma: float,
    labels: np.ndarray,
    dist: np.ndarray,
) -> float:
    """Nearest prototype of every sample (ties: the lower index) and the weighted cost.

    Parameters
    ----------
    Xn : ndarray of shape (n, q), float64
        IN. Numeric columns (q may be 0).
    C : ndarray of shape (n, p), int64
        IN. Category codes (p may be 0; -1 matches nothing).
    w : ndarray of shape (n,), float64
        IN. Sample weights.
    means : ndarray of shape (k, q), float64
        IN. Numeric part of the prototypes.
    modes : ndarray of shape (k, p), int64
        IN. Categorical part of the prototypes.
    gamma : float
        IN. Weight of one categorical mismatch.
    labels : ndarray of shape (n,), int64
        OUT. Nearest prototype.
    dist : ndarray of shape (n,), float64
        OUT. Its dissimilarity.

    Returns
    -------
    cost : float
        ``sum_i w_i dist_i``.
    """
    n = labels.shape[0]
    for i in prange(n):
        labels[i], dist[i] = _nearest(Xn, C, i, means, modes, gamma)
    cost = 0.0
    for i in range(n):
        cost += w[i] * dist[i]
    return cost


@njit(cache=True, nogil=True)
def _best_code(freq: np.ndarray, l: int, o0: int, o1: int) -> int:
    best = 0
    for c in range(1, o1 - o0):
        if freq[l, o0 + c] > freq[l, o0 + best]:
            best = c
    return best


@njit(cache=True, nogil=True)
def _move(
    Xn: np.ndarray,
    C: np.ndarray,
    w: np.ndarray,
    offsets: np.ndarray,
    i: int,
    src: int,
    dst: int,
    sums: np.ndarray,
    wsum: np.ndarray,
    count: np.ndarray,
    freq: np.ndarray,
    means: np.ndarray,
    modes: np.ndarray,
    member: np.ndarray,
) -> None:
    """Move sample ``i`` from cluster ``src`` to ``dst`` and update both prototypes."""
    wi = w[i]
    member[i] = dst
    count[dst] += 1
    count[src] -= 1
    wsum[dst] += wi
    wsum[src] -= wi
    for j in range(C.shape[1]):
        v = C[i, j]
        o = offsets[j]
        freq[dst, o + v] += wi
        if freq[dst, o + modes[dst, j]] < freq[dst, o + v]:
            modes[dst, j] = v
        freq[src, o + v] -= wi
        if modes[src, j] == v:
            modes[src, j] = _best_code(freq, src, o, offsets[j + 1])
    for j in range(Xn.shape[1]):
        sums[dst, j] += Xn[i, j] * wi
        sums[src, j] -= Xn[i, j] * wi
    for l in (dst, src):
        for j in range(Xn.shape[1]):
            means[l, j] = sums[l, j] / wsum[l] if wsum[l] != 0.0 else 0.0


@njit(cache=True, nogil=True)
def kproto_run(
    Xn: np.ndarray,
    C: np.ndarray,
    w: np.ndarray,
    offsets: np.ndarray,
    gamma: float,
    means: np.ndarray,
    modes: np.ndarray,
    max_iter: int,
    uniforms: np.ndarray,
    labels: np.ndarray,
    costs: np.ndarray,
) -> int:
    """One k-prototypes run from the given prototypes.

    Parameters
    ----------
    Xn, C, w, gamma
        IN. As in ``kproto_assign``.
    offsets : ndarray of shape (p + 1,), int64
        IN. Column ``j``'s categories occupy ``offsets[j]:offsets[j + 1]`` of the table.
    means, modes : ndarray of shape (k, q) float64 / (k, p) int64
        IN/OUT. Initial prototypes, replaced by the final ones.
    max_iter : int
        IN. Most epochs (>= 1).
    uniforms : ndarray of shape (n_draws,), float64
        IN. Uniform draws in [0, 1) for the members that refill emptied clusters (used in
        turn, cyclically).
    labels : ndarray of shape (n,), int64
        OUT. Final labels (nearest final prototype).
    costs : ndarray of shape (max_iter + 1,), float64
        OUT. Cost after the initial assignment, then after each epoch.

    Returns
    -------
    n_iter : int
        Epochs run; ``-1 - l`` when the initial prototypes leave cluster ``l`` without
        samples (nothing else is computed then).
    """
    n = labels.shape[0]
    k = modes.shape[0]
    q = Xn.shape[1]
    total = offsets[offsets.shape[0] - 1]
    freq = np.zeros((k, total))
    sums = np.zeros((k, q))
    wsum = np.zeros(k)
    count = np.zeros(k, dtype=np.int64)
    member = np.empty(n, dtype=np.int64)
    dist = np.empty(n)
    for i in range(n):
        l, _ = _nearest(Xn, C, i, means, modes, gamma)
        member[i] = l
        count[l] += 1
        wsum[l] += w[i]
        for j in range(q):
            sums[l, j] += Xn[i, j] * w[i]
        for j in range(C.shape[1]):
            freq[l, offsets[j] + C[i, j]] += w[i]
    for l in range(k):
        if count[l] == 0:
            return -1 - l
    for l in range(k):
        for j in range(q):
            means[l, j] = sums[l, j] / wsum[l] if wsum[l] != 0.0 else 0.0
        for j in range(C.shape[1]):
            modes[l, j] = _best_code(freq, l, offsets[j], offsets[j + 1])
    cost = kproto_assign(Xn, C, w, means, modes, gamma, labels, dist)
    costs[0] = cost
    draw = 0
    it = 0
    while it < max_iter:
        it += 1
        moves = 0
        for i in range(n):
            l, _ = _nearest(Xn, C, i, means, modes, gamma)
            old = member[i]
            if l == old:
                continue
            moves += 1
            _move(Xn, C, w, offsets, i, old, l, sums, wsum, count, freq, means, modes, member)
            if count[old] == 0:
                big = 0
                for m in range(1, k):
                    if count[m] > count[big]:
                        big = m
                r = int(uniforms[draw % uniforms.shape[0]] * count[big])
                draw += 1
                for s in range(n):
                    if member[s] == big:
                        if r == 0:
                            _move(
                                Xn, C, w, offsets, s, big, old, sums, wsum, count, freq,
                                means, modes, member,
                            )  # fmt: skip
                            break
                        r -= 1
        ncost = kproto_assign(Xn, C, w, means, modes, gamma, labels, dist)
        costs[it] = ncost
        done = moves == 0 or ncost >= cost
        cost = ncost
        if done:
            break
    return it
