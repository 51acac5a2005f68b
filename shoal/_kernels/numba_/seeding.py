"""Greedy k-means++ seeding kernels with triangle-inequality pruning.

The greedy k-means++ of Arthur & Vassilvitskii (2007) with local trials (as scikit-learn runs it)
spends its time computing, for every sample, the distance to each of ``2 + log k`` candidate
centres at every step. No candidate ``c`` can get closer to ``x`` than ``x``'s current nearest
centre ``a`` when ``d(a, c) >= 2 d(x, a)`` for all candidates (triangle inequality), so such a
sample is skipped (the idea of Raff, "Exact acceleration of k-means++ and k-means||", IJCAI
2021); the other samples get every candidate's distance in one branch-free loop. A step keeps a
bit per (sample, candidate) saying "closer", so taking the winner revisits only those samples,
and the winner's per-block potentials are already known. Sampling uses per-block sums: a block
is drawn from the block totals, then one block is scanned, instead of a cumulative sum over all
n samples at every step.

Shared arguments: ``X`` (n, d) float32/float64 C-contiguous (the caller passes a centred
float32 working copy); ``w`` (n,) weights; ``bounds`` (n_blocks + 1,) int64 block offsets;
``closest`` (n,) float64 squared distance to the nearest chosen centre; ``assigned`` (n,) int64
index of that centre.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = [
    "centred_copy",
    "kmpp_add_center",
    "kmpp_candidate_potentials",
    "kmpp_sample",
    "kmpp_screen_gains",
    "kmpp_take_candidate",
]


@njit(cache=True, nogil=True, parallel=True)
def centred_copy(X, mean, out):
    """OUT ``out = X - mean`` in ``out``'s dtype (``mean`` (d,) float64), without a float64
    temporary when ``out`` is float32."""
    n, d = X.shape
    for i in prange(n):
        for f in range(d):
            out[i, f] = np.float64(X[i, f]) - mean[f]


@njit(cache=True, nogil=True, fastmath=True)
def _sqdist_native(X, i, C, c):
    """Squared distance of ``X[i]`` and ``C[c]`` accumulated in X's precision (float32 SIMD
    lanes are twice as wide)."""
    acc = X[i, 0] - X[i, 0]
    for f in range(X.shape[1]):
        u = X[i, f] - C[c, f]
        acc += u * u
    return np.float64(acc)


@njit(cache=True, nogil=True, parallel=True)
def kmpp_add_center(
    X, w, center, center_id, cc_to_new, first, bounds, closest, assigned, block_pot
):
    """Fold a newly chosen centre into ``closest`` / ``assigned``.

    Parameters
    ----------
    center : (1, d) IN, the new centre (X's dtype).
    center_id : int IN, its index among the chosen centres.
    cc_to_new : (n_chosen,) float64 IN, distance from each already chosen centre to ``center``.
    first : bool IN; True for the first centre (every distance is computed).
    closest, assigned : IN/OUT. block_pot : (n_blocks,) float64 OUT, sum of ``w * closest``
    per block.
    """
    n_blocks = bounds.shape[0] - 1
    for b in prange(n_blocks):
        acc = 0.0
        for i in range(bounds[b], bounds[b + 1]):
            if first:
                closest[i] = _sqdist_native(X, i, center, 0)
                assigned[i] = center_id
            else:
                h = 0.5 * cc_to_new[assigned[i]]
                if h * h < closest[i]:
                    dd = _sqdist_native(X, i, center, 0)
                    if dd < closest[i]:
                        closest[i] = dd
                        assigned[i] = center_id
            acc += np.float64(w[i]) * closest[i]
        block_pot[b] = acc


@njit(cache=True, nogil=True, parallel=True, fastmath=True)
def kmpp_candidate_potentials(
    X, w, unit_w, cands, prune_sq, bounds, closest, assigned, pot, improved
):
    """Potential ``sum_i w_i min(closest_i, d(x_i, cand)^2)`` of each candidate, per block.

    A sample whose squared distance to its nearest centre ``a`` is at most ``prune_sq[a]`` is
    skipped: ``prune_sq[a] = min_c (d(a, cand_c) / 2)^2``, so by the triangle inequality no
    candidate is closer to it than ``a``. For the other samples every candidate's distance is
    computed in X's precision, in a branch-free loop.

    Parameters
    ----------
    unit_w : bool IN; True when every weight is 1 (``w`` is then not read).
    cands : (t, d) IN candidate centres, X's dtype; t <= 32.
    prune_sq : (n_chosen,) float64 IN, see above (rounded down by the caller).
    pot : (n_blocks, t) float64 OUT; column ``c`` is also the per-block potential once
    candidate ``c`` is taken.
    improved : (n,) uint32 OUT, bit ``c`` set where candidate ``c`` is closer than
    ``closest``: the only samples :func:`kmpp_take_candidate` has to visit. (A bit mask instead
    of the ``(n, t)`` distances keeps the memory traffic of a step close to one read of X.)
    """
    n_blocks = bounds.shape[0] - 1
    t = cands.shape[0]
    for b in prange(n_blocks):
        acc = np.zeros(t)
        kept = 0.0
        for i in range(bounds[b], bounds[b + 1]):
            ci = closest[i]
            wi = 1.0 if unit_w else np.float64(w[i])
            if ci <= prune_sq[assigned[i]]:
                kept += wi * ci
                improved[i] = 0
                continue
            m = np.uint32(0)
            for c in range(t):
                dd = _sqdist_native(X, i, cands, c)
                closer = dd < ci
                m |= np.uint32(closer) << np.uint32(c)
                acc[c] += wi * (dd if closer else ci)
            improved[i] = m
        for c in range(t):
            pot[b, c] = acc[c] + kept


@njit(cache=True, nogil=True, fastmath=True)
def _add_gains(Y, r, cands, ci, wi, acc):
    """``acc[c] += wi * max(0, ci - d(Y[r], cands[c])^2)`` for every candidate."""
    for c in range(cands.shape[0]):
        dd = _sqdist_native(Y, r, cands, c)
        if dd < ci:
            acc[c] += wi * (ci - dd)


@njit(cache=True, nogil=True, parallel=True, fastmath=True)
def kmpp_screen_gains(
    X, S, rows, w, unit_w, cands, prune_sq, sbounds, bounds, closest, assigned, tau, gain, heavy
):
    """Each candidate's gain ``sum_i w_i max(0, closest_i - d(x_i, cand)^2)``, split in two:
    the samples whose ``w_i closest_i`` exceeds ``tau`` exactly (``heavy``), the others over a
    uniform random subset of the samples, per block of that subset (``gain``). A sample's gain
    is at most its ``w_i closest_i``, so the subset part sums bounded terms.

    Parameters
    ----------
    S : (m, d) IN, the subset's rows (a copy, X's dtype). rows : (m,) int64 IN, their
    indices in X (``closest``, ``assigned`` and ``w`` are read through it).
    sbounds : (n_sblocks + 1,) int64 IN, block offsets into ``S``; ``bounds`` into X.
    tau : float IN. gain : (n_sblocks, t) float64 OUT. heavy : (n_blocks, t) float64 OUT.
    The others as in :func:`kmpp_candidate_potentials`.
    """
    t = cands.shape[0]
    for b in prange(sbounds.shape[0] - 1):
        acc = np.zeros(t)
        for s in range(sbounds[b], sbounds[b + 1]):
            i = rows[s]
            ci = closest[i]
            wi = 1.0 if unit_w else np.float64(w[i])
            if ci > prune_sq[assigned[i]] and wi * ci <= tau:
                _add_gains(S, s, cands, ci, wi, acc)
        for c in range(t):
            gain[b, c] = acc[c]
    for b in prange(bounds.shape[0] - 1):
        acc = np.zeros(t)
        for i in range(bounds[b], bounds[b + 1]):
            ci = closest[i]
            wi = 1.0 if unit_w else np.float64(w[i])
            if wi * ci > tau and ci > prune_sq[assigned[i]]:
                _add_gains(X, i, cands, ci, wi, acc)
        for c in range(t):
            heavy[b, c] = acc[c]


@njit(cache=True, nogil=True, parallel=True)
def kmpp_take_candidate(X, cands, best, center_id, bounds, improved, closest, assigned):
    """Make candidate ``best`` the next centre: only samples whose ``improved`` bit is set
    can move to it (their distance is recomputed exactly).

    ``closest``, ``assigned`` IN/OUT. The new per-block potentials are ``pot[:, best]`` of
    :func:`kmpp_candidate_potentials`.
    """
    n_blocks = bounds.shape[0] - 1
    bit = np.uint32(1) << np.uint32(best)
    for b in prange(n_blocks):
        for i in range(bounds[b], bounds[b + 1]):
            if improved[i] & bit:
                dd = _sqdist_native(X, i, cands, best)
                if dd < closest[i]:
                    closest[i] = dd
                    assigned[i] = center_id


@njit(cache=True, nogil=True)
def kmpp_sample(w, closest, bounds, block_pot, targets, out):
    """Draw samples with probability proportional to ``w * closest``.

    ``targets`` (t,) float64 IN are uniform draws in ``[0, block_pot.sum())``; OUT ``out`` (t,)
    int64 gets, for each target, the sample where the running sum of ``w * closest`` first
    exceeds it (the same rule as a search in the cumulative sum over all samples).
    """
    n_blocks = block_pot.shape[0]
    cum = np.empty(n_blocks)
    s = 0.0
    for b in range(n_blocks):
        s += block_pot[b]
        cum[b] = s
    for t in range(targets.shape[0]):
        u = targets[t]
        b = np.searchsorted(cum, u, side="right")
        if b >= n_blocks:
            b = n_blocks - 1
        while b > 0 and block_pot[b] <= 0.0:
            b -= 1
        rest = u - (cum[b] - block_pot[b])
        chosen = -1
        acc = 0.0
        for i in range(bounds[b], bounds[b + 1]):
            v = np.float64(w[i]) * closest[i]
            if v > 0.0:
                chosen = i
                acc += v
                if acc > rest:
                    break
        if chosen < 0:
            # Rounding left this block without mass: take any sample with positive mass.
            for i in range(closest.shape[0]):
                if np.float64(w[i]) * closest[i] > 0.0:
                    chosen = i
                    break
        if chosen < 0:
            chosen = 0
        out[t] = chosen
