"""Greedy k-means++ seeding kernels, exact, with triangle-inequality pruning.

The greedy k-means++ of Arthur & Vassilvitskii (2007) with local trials (as scikit-learn runs it)
spends its time computing, for every sample, the distance to each of ``2 + log k`` candidate
centres at every step. A candidate ``c`` cannot get closer to ``x`` than ``x``'s current nearest
centre ``a`` when ``d(a, c) >= 2 d(x, a)`` (triangle inequality), so that distance is skipped;
the potentials, and therefore the chosen centres, are the same as without pruning (the idea of
Raff, "Exact acceleration of k-means++ and k-means||", IJCAI 2021). Sampling uses per-block
sums: a block is drawn from the block totals, then one block is scanned, instead of a cumulative
sum over all n samples at every step.

Shared arguments: ``X`` (n, d) float32/float64 C-contiguous; ``w`` (n,) weights, X's dtype;
``bounds`` (n_blocks + 1,) int64 block offsets; ``closest`` (n,) float64 squared distance to the
nearest chosen centre; ``assigned`` (n,) int64 index of that centre.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["kmpp_add_center", "kmpp_candidate_potentials", "kmpp_sample", "kmpp_take_candidate"]


@njit(cache=True, nogil=True, fastmath=True)
def _sqdist_vec(X, i, c):
    acc = 0.0
    for f in range(X.shape[1]):
        t = np.float64(X[i, f]) - np.float64(c[f])
        acc += t * t
    return acc


@njit(cache=True, nogil=True, parallel=True)
def kmpp_add_center(
    X, w, center, center_id, cc_to_new, first, bounds, closest, assigned, block_pot
):
    """Fold a newly chosen centre into ``closest`` / ``assigned``.

    Parameters
    ----------
    center : (d,) IN, the new centre. center_id : int IN, its index among the chosen centres.
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
                closest[i] = _sqdist_vec(X, i, center)
                assigned[i] = center_id
            else:
                h = 0.5 * cc_to_new[assigned[i]]
                if h * h < closest[i]:
                    dd = _sqdist_vec(X, i, center)
                    if dd < closest[i]:
                        closest[i] = dd
                        assigned[i] = center_id
            acc += np.float64(w[i]) * closest[i]
        block_pot[b] = acc


@njit(cache=True, nogil=True, parallel=True)
def kmpp_candidate_potentials(X, w, cands, cc_to_cands, bounds, closest, assigned, pot, cand_sq):
    """Potential ``sum_i w_i min(closest_i, d(x_i, cand)^2)`` of each candidate, per block.

    Parameters
    ----------
    cands : (t, d) IN candidate centres. cc_to_cands : (n_chosen, t) float64 IN, distances
    from chosen centres to candidates. pot : (n_blocks, t) float64 OUT.
    cand_sq : (n, t) float64 OUT, ``min(closest_i, d(x_i, cand)^2)``; kept so that adding the
    winning candidate (:func:`kmpp_take_candidate`) does not read X again.
    """
    n_blocks = bounds.shape[0] - 1
    t = cands.shape[0]
    for b in prange(n_blocks):
        acc = np.zeros(t)
        for i in range(bounds[b], bounds[b + 1]):
            ci = closest[i]
            wi = np.float64(w[i])
            a = assigned[i]
            for c in range(t):
                h = 0.5 * cc_to_cands[a, c]
                v = ci
                if h * h < ci:
                    dd = _sqdist_vec(X, i, cands[c])
                    if dd < ci:
                        v = dd
                cand_sq[i, c] = v
                acc[c] += wi * v
        for c in range(t):
            pot[b, c] = acc[c]


@njit(cache=True, nogil=True, parallel=True)
def kmpp_take_candidate(w, cand_sq, best, center_id, bounds, closest, assigned, block_pot):
    """Make candidate ``best`` the next centre from the distances of the last potentials pass.

    ``closest``, ``assigned`` IN/OUT; ``block_pot`` (n_blocks,) OUT as in
    :func:`kmpp_add_center`.
    """
    n_blocks = bounds.shape[0] - 1
    for b in prange(n_blocks):
        acc = 0.0
        for i in range(bounds[b], bounds[b + 1]):
            v = cand_sq[i, best]
            if v < closest[i]:
                closest[i] = v
                assigned[i] = center_id
            acc += np.float64(w[i]) * closest[i]
        block_pot[b] = acc


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
