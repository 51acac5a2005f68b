"""k-medoids kernels: BUILD, k-medoids++, PAM's best swap, FasterPAM's eager swap, alternate.

Distances come from one of two sources, chosen by the caller:

* a matrix ``D`` of shape ``(n, n)`` (precomputed by the user, or built by ``distance_matrix``
  when it fits the memory budget): the distances from candidate ``c`` to every sample are the
  row ``D[c]`` (``D`` is symmetric);
* the data itself, transposed, ``XT`` of shape ``(n_features, n)``: the row is computed on the
  fly (``tile_distances``), so no ``n x n`` matrix is ever held (``use_matrix=False``; pass a
  ``(0, 0)`` placeholder for ``D``).

The swap search follows Schubert & Rousseeuw (2021), "Fast and eager k-medoids clustering":
each point caches its nearest and second-nearest medoid; the loss change of swapping medoid
``i`` for candidate ``c`` is, for all ``i`` at once, the *removal loss* of ``i`` plus one pass
over the samples (O(n) per candidate instead of PAM's O(k n)). PAM takes the best swap over all
candidates per iteration; FasterPAM takes the first improving swap it meets (eager) and goes
on from the next candidate, stopping after a full pass without an improvement.

Every loss is weighted by ``w`` (``sample_weight``) and accumulated in float64.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .pairwise import tile_distances

__all__ = [
    "alternate_update",
    "distance_matrix",
    "kmedoids_build",
    "kmedoids_fasterpam",
    "kmedoids_nearest_two",
    "kmedoids_pam",
    "kmedoids_pp",
    "medoid_distances",
    "precomputed_check",
]

INF = np.inf


@njit(cache=True, nogil=True)
def _column(XT: np.ndarray, j: int, out: np.ndarray) -> None:
    for f in range(XT.shape[0]):
        out[f] = np.float64(XT[f, j])


@njit(cache=True, nogil=True)
def _row(
    XT: np.ndarray,
    D: np.ndarray,
    use_matrix: bool,
    metric: int,
    c: int,
    x: np.ndarray,
    tmp: np.ndarray,
    buf: np.ndarray,
) -> np.ndarray:
    """Distances from sample ``c`` to every sample, in ``D``'s dtype.

    With a matrix this is the row ``D[c]`` itself (no copy); otherwise they are computed in
    float64 into ``tmp`` (shape (n,)) and stored in ``buf`` (shape (n,), ``D.dtype``).
    """
    if use_matrix:
        return D[c]
    _column(XT, c, x)
    tile_distances(XT, x, 0, buf.shape[0], metric, True, tmp)
    for j in range(buf.shape[0]):
        buf[j] = tmp[j]
    return buf


@njit(cache=True, nogil=True, parallel=True)
def distance_matrix(XT: np.ndarray, metric: int, out: np.ndarray) -> None:
    """Fill ``out`` with all pairwise distances (the caller decided that ``n x n`` fits).

    Parameters
    ----------
    XT : ndarray of shape (n_features, n), float32 or float64
        IN. Transposed data (unit-norm samples for cosine).
    metric : int
        IN. A ``METRIC_CODES`` value (Euclidean distances are square-rooted).
    out : ndarray of shape (n, n), float32 or float64
        OUT. ``out[i, j] = d(x_i, x_j)``.
    """
    n = XT.shape[1]
    d = XT.shape[0]
    for i in prange(n):
        x = np.empty(d)
        buf = np.empty(n)
        _column(XT, i, x)
        tile_distances(XT, x, 0, n, metric, True, buf)
        for j in range(n):
            out[i, j] = buf[j]
        out[i, i] = 0.0


@njit(cache=True, nogil=True, parallel=True)
def medoid_distances(XT: np.ndarray, M: np.ndarray, metric: int, out: np.ndarray) -> None:
    """Distances from every sample to every medoid.

    Parameters
    ----------
    XT : ndarray of shape (n_features, n), float32 or float64
        IN. Transposed query data.
    M : ndarray of shape (k, n_features), float64
        IN. The medoids' coordinates.
    metric : int
        IN. A ``METRIC_CODES`` value.
    out : ndarray of shape (n, k), float32 or float64
        OUT. ``out[i, l] = d(x_i, m_l)``.
    """
    n = XT.shape[1]
    k = M.shape[0]
    tile = 1024
    n_tiles = (n + tile - 1) // tile
    for t in prange(n_tiles):
        t0 = t * tile
        t1 = min(n, t0 + tile)
        buf = np.empty(t1 - t0)
        for l in range(k):
            tile_distances(XT, M[l], t0, t1, metric, True, buf)
            for j in range(t1 - t0):
                out[t0 + j, l] = buf[j]


@njit(cache=True, nogil=True, parallel=True)
def kmedoids_nearest_two(
    XT: np.ndarray,
    D: np.ndarray,
    use_matrix: bool,
    metric: int,
    medoids: np.ndarray,
    near: np.ndarray,
    dnear: np.ndarray,
    second: np.ndarray,
    dsecond: np.ndarray,
) -> None:
    """Nearest and second-nearest medoid of every sample (ties: the lower medoid position).

    Parameters
    ----------
    XT, D, use_matrix, metric
        IN. The distance source (see the module docstring).
    medoids : ndarray of shape (k,), int64
        IN. Sample indices of the medoids.
    near, second : ndarray of shape (n,), int64
        OUT. Position (0 .. k-1) of the nearest and second-nearest medoid (-1 when k == 1).
    dnear, dsecond : ndarray of shape (n,), float64
        OUT. Their distances (``inf`` for a missing second).
    """
    n = near.shape[0]
    k = medoids.shape[0]
    d = XT.shape[0]
    tile = 2048
    n_tiles = (n + tile - 1) // tile
    for t in prange(n_tiles):
        t0 = t * tile
        t1 = min(n, t0 + tile)
        x = np.empty(d)
        buf = np.empty(t1 - t0)
        for j in range(t0, t1):
            near[j] = -1
            second[j] = -1
            dnear[j] = INF
            dsecond[j] = INF
        for l in range(k):
            m = medoids[l]
            if use_matrix:
                for j in range(t1 - t0):
                    buf[j] = np.float64(D[m, t0 + j])
            else:
                _column(XT, m, x)
                tile_distances(XT, x, t0, t1, metric, True, buf)
            for j in range(t1 - t0):
                v = buf[j]
                o = t0 + j
                if v < dnear[o]:
                    second[o] = near[o]
                    dsecond[o] = dnear[o]
                    near[o] = l
                    dnear[o] = v
                elif v < dsecond[o]:
                    second[o] = l
                    dsecond[o] = v


@njit(cache=True, nogil=True)
def _removal_loss(
    w: np.ndarray, near: np.ndarray, dnear: np.ndarray, dsecond: np.ndarray, out: np.ndarray
) -> float:
    """``out[l]``: loss increase when medoid ``l`` is removed; returns the current loss."""
    out[:] = 0.0
    loss = 0.0
    for o in range(near.shape[0]):
        out[near[o]] += w[o] * (dsecond[o] - dnear[o])
        loss += w[o] * dnear[o]
    return loss


@njit(cache=True, nogil=True)
def _swap_deltas(
    row: np.ndarray,
    w: np.ndarray,
    near: np.ndarray,
    dnear: np.ndarray,
    dsecond: np.ndarray,
    removal: np.ndarray,
    delta: np.ndarray,
) -> float:
    """Loss change of swapping each medoid for the candidate whose distances are ``row``.

    ``delta[l] + returned value`` is the change of the total loss when medoid ``l`` is
    replaced by the candidate (Schubert & Rousseeuw's FastPAM1 decomposition).
    """
    for l in range(removal.shape[0]):  # a loop: array-to-slice assignment compiles slowly
        delta[l] = removal[l]
    shared = 0.0
    for o in range(row.shape[0]):
        doc = row[o]
        dn = dnear[o]
        if doc < dn:
            shared += w[o] * (doc - dn)
            delta[near[o]] += w[o] * (dn - dsecond[o])
        elif doc < dsecond[o]:
            delta[near[o]] += w[o] * (doc - dsecond[o])
    return shared


@njit(cache=True, nogil=True)
def _best_slot(delta: np.ndarray) -> int:
    best = 0
    for l in range(1, delta.shape[0]):
        if delta[l] < delta[best]:
            best = l
    return best


@njit(cache=True, nogil=True)
def kmedoids_fasterpam(
    XT: np.ndarray,
    D: np.ndarray,
    use_matrix: bool,
    metric: int,
    w: np.ndarray,
    candidate: np.ndarray,
    medoids: np.ndarray,
    max_iter: int,
    rel_tol: float,
) -> tuple[int, int]:
    """FasterPAM: eager swaps until a full pass over the candidates finds no improvement.

    Parameters
    ----------
    XT, D, use_matrix, metric
        IN. The distance source (see the module docstring).
    w : ndarray of shape (n,), float64
        IN. Sample weights.
    candidate : ndarray of shape (n,), bool
        IN. Samples allowed to become medoids (positive weight).
    medoids : ndarray of shape (k,), int64, k >= 2
        IN/OUT. Initial medoids, replaced by the final ones.
    max_iter : int
        IN. Most passes over the candidates.
    rel_tol : float
        IN. A swap must lower the loss by more than ``rel_tol * loss`` (guards against
        rounding-level "improvements" cycling).

    Returns
    -------
    n_iter : int
        Passes started.
    n_swaps : int
        Swaps done.
    """
    n = w.shape[0]
    k = medoids.shape[0]
    d = XT.shape[0]
    near = np.empty(n, dtype=np.int64)
    second = np.empty(n, dtype=np.int64)
    dnear = np.empty(n)
    dsecond = np.empty(n)
    removal = np.empty(k)
    delta = np.empty(k)
    is_medoid = np.zeros(n, dtype=np.bool_)
    x = np.empty(d)
    tmp = np.empty(n if not use_matrix else 0)
    buf = np.empty(n if not use_matrix else 0, D.dtype)
    for l in range(k):
        is_medoid[medoids[l]] = True
    kmedoids_nearest_two(XT, D, use_matrix, metric, medoids, near, dnear, second, dsecond)
    loss = _removal_loss(w, near, dnear, dsecond, removal)
    last = -1
    n_swaps = 0
    n_iter = 0
    done = False
    while n_iter < max_iter and not done:
        n_iter += 1
        swapped = False
        for c in range(n):
            if c == last:
                done = True
                break
            if is_medoid[c] or not candidate[c]:
                continue
            row = _row(XT, D, use_matrix, metric, c, x, tmp, buf)
            shared = _swap_deltas(row, w, near, dnear, dsecond, removal, delta)
            i = _best_slot(delta)
            change = delta[i] + shared
            if change < -rel_tol * loss:
                is_medoid[medoids[i]] = False
                is_medoid[c] = True
                medoids[i] = c
                kmedoids_nearest_two(
                    XT, D, use_matrix, metric, medoids, near, dnear, second, dsecond
                )
                loss = _removal_loss(w, near, dnear, dsecond, removal)
                last = c
                n_swaps += 1
                swapped = True
        if not swapped:
            done = True
    return n_iter, n_swaps


@njit(cache=True, nogil=True, parallel=True)
def _best_swaps(
    XT: np.ndarray,
    D: np.ndarray,
    use_matrix: bool,
    metric: int,
    w: np.ndarray,
    candidate: np.ndarray,
    is_medoid: np.ndarray,
    near: np.ndarray,
    dnear: np.ndarray,
    dsecond: np.ndarray,
    removal: np.ndarray,
    block_change: np.ndarray,
    block_cand: np.ndarray,
    block_slot: np.ndarray,
) -> None:
    """For each block of candidates, its best swap (lowest change, first candidate on ties)."""
    n = w.shape[0]
    k = removal.shape[0]
    d = XT.shape[0]
    nb = block_change.shape[0]
    for b in prange(nb):
        c0 = b * n // nb
        c1 = (b + 1) * n // nb
        x = np.empty(d)
        tmp = np.empty(n if not use_matrix else 0)
        buf = np.empty(n if not use_matrix else 0, D.dtype)
        delta = np.empty(k)
        best = INF
        best_c = -1
        best_i = -1
        for c in range(c0, c1):
            if is_medoid[c] or not candidate[c]:
                continue
            row = _row(XT, D, use_matrix, metric, c, x, tmp, buf)
            shared = _swap_deltas(row, w, near, dnear, dsecond, removal, delta)
            i = _best_slot(delta)
            change = delta[i] + shared
            if change < best:
                best = change
                best_c = c
                best_i = i
        block_change[b] = best
        block_cand[b] = best_c
        block_slot[b] = best_i


@njit(cache=True, nogil=True)
def kmedoids_pam(
    XT: np.ndarray,
    D: np.ndarray,
    use_matrix: bool,
    metric: int,
    w: np.ndarray,
    candidate: np.ndarray,
    medoids: np.ndarray,
    max_iter: int,
    rel_tol: float,
    n_blocks: int,
) -> tuple[int, int]:
    """PAM's SWAP phase: the best swap over all (medoid, candidate) pairs, until none improves.

    Same parameters and returns as ``kmedoids_fasterpam`` (``n_iter`` counts swap searches),
    plus ``n_blocks`` (IN, int): candidate blocks evaluated in parallel. The result equals an
    exhaustive search over all ``k (n - k)`` swaps per iteration, ties broken by the lowest
    candidate index, then the lowest medoid position.
    """
    n = w.shape[0]
    k = medoids.shape[0]
    near = np.empty(n, dtype=np.int64)
    second = np.empty(n, dtype=np.int64)
    dnear = np.empty(n)
    dsecond = np.empty(n)
    removal = np.empty(k)
    is_medoid = np.zeros(n, dtype=np.bool_)
    block_change = np.empty(n_blocks)
    block_cand = np.empty(n_blocks, dtype=np.int64)
    block_slot = np.empty(n_blocks, dtype=np.int64)
    for l in range(k):
        is_medoid[medoids[l]] = True
    n_iter = 0
    n_swaps = 0
    while n_iter < max_iter:
        n_iter += 1
        kmedoids_nearest_two(XT, D, use_matrix, metric, medoids, near, dnear, second, dsecond)
        loss = _removal_loss(w, near, dnear, dsecond, removal)
        _best_swaps(
            XT, D, use_matrix, metric, w, candidate, is_medoid, near, dnear, dsecond,
            removal, block_change, block_cand, block_slot,
        )  # fmt: skip
        best = INF
        b_best = -1
        for b in range(n_blocks):
            if block_cand[b] >= 0 and block_change[b] < best:
                best = block_change[b]
                b_best = b
        if b_best < 0 or not best < -rel_tol * loss:
            break
        c = block_cand[b_best]
        i = block_slot[b_best]
        is_medoid[medoids[i]] = False
        is_medoid[c] = True
        medoids[i] = c
        n_swaps += 1
    return n_iter, n_swaps


@njit(cache=True, nogil=True, parallel=True)
def _build_gains(
    XT: np.ndarray,
    D: np.ndarray,
    use_matrix: bool,
    metric: int,
    w: np.ndarray,
    candidate: np.ndarray,
    dnear: np.ndarray,
    first: bool,
    block_gain: np.ndarray,
    block_cand: np.ndarray,
) -> None:
    """Per block of candidates, the one that lowers the loss most (BUILD's greedy step).

    With ``first`` the score is minus the candidate's total distance (the 1-medoid loss).
    """
    n = w.shape[0]
    d = XT.shape[0]
    nb = block_gain.shape[0]
    for b in prange(nb):
        c0 = b * n // nb
        c1 = (b + 1) * n // nb
        x = np.empty(d)
        tmp = np.empty(n if not use_matrix else 0)
        buf = np.empty(n if not use_matrix else 0, D.dtype)
        best = -INF
        best_c = -1
        for c in range(c0, c1):
            if not candidate[c] or (not first and dnear[c] == 0.0):
                continue
            row = _row(XT, D, use_matrix, metric, c, x, tmp, buf)
            gain = 0.0
            if first:
                for o in range(n):
                    gain -= w[o] * row[o]
            else:
                for o in range(n):
                    if row[o] < dnear[o]:
                        gain += w[o] * (dnear[o] - row[o])
            if gain > best:
                best = gain
                best_c = c
        block_gain[b] = best
        block_cand[b] = best_c


@njit(cache=True, nogil=True)
def kmedoids_build(
    XT: np.ndarray,
    D: np.ndarray,
    use_matrix: bool,
    metric: int,
    w: np.ndarray,
    candidate: np.ndarray,
    medoids: np.ndarray,
    n_blocks: int,
) -> None:
    """PAM's BUILD: the 1-medoid optimum, then greedily the medoid that lowers the loss most.

    Parameters
    ----------
    XT, D, use_matrix, metric, w, candidate
        IN. As in ``kmedoids_fasterpam``.
    medoids : ndarray of shape (k,), int64
        OUT. The chosen medoids, in the order chosen.
    n_blocks : int
        IN. Candidate blocks evaluated in parallel.

    Notes
    -----
    Ties go to the lowest sample index. When fewer distinct candidates than ``k`` remain
    (every gain zero), the first unused candidates are taken.
    """
    n = w.shape[0]
    k = medoids.shape[0]
    d = XT.shape[0]
    dnear = np.full(n, INF)
    block_gain = np.empty(n_blocks)
    block_cand = np.empty(n_blocks, dtype=np.int64)
    used = np.zeros(n, dtype=np.bool_)
    x = np.empty(d)
    tmp = np.empty(n if not use_matrix else 0)
    buf = np.empty(n if not use_matrix else 0, D.dtype)
    for l in range(k):
        _build_gains(XT, D, use_matrix, metric, w, candidate, dnear, l == 0, block_gain, block_cand)
        best = -INF
        c = -1
        for b in range(n_blocks):
            if block_cand[b] >= 0 and block_gain[b] > best:
                best = block_gain[b]
                c = block_cand[b]
        if c < 0 or (l > 0 and not best > 0.0):
            c = -1
            for j in range(n):
                if candidate[j] and not used[j]:
                    c = j
                    break
        medoids[l] = c
        used[c] = True
        row = _row(XT, D, use_matrix, metric, c, x, tmp, buf)
        for o in range(n):
            if row[o] < dnear[o]:
                dnear[o] = row[o]
        dnear[c] = 0.0


@njit(cache=True, nogil=True)
def kmedoids_pp(
    XT: np.ndarray,
    D: np.ndarray,
    use_matrix: bool,
    metric: int,
    w: np.ndarray,
    candidate: np.ndarray,
    uniforms: np.ndarray,
    medoids: np.ndarray,
) -> None:
    """Greedy k-medoids++: D^2 sampling with local trials (as k-means++ on the distances).

    Parameters
    ----------
    XT, D, use_matrix, metric, w, candidate
        IN. As in ``kmedoids_fasterpam``.
    uniforms : ndarray of shape (1 + (k - 1) * n_trials,), float64
        IN. Uniform draws in [0, 1) (the caller's random state): one for the first medoid
        (weighted by ``w`` among the candidates), ``n_trials`` per later medoid.
    medoids : ndarray of shape (k,), int64
        OUT. The chosen medoids.

    Notes
    -----
    Each later medoid is the trial, drawn with probability proportional to
    ``w * d(x, nearest medoid)^2``, that leaves the lowest potential ``sum w d^2``.
    """
    n = w.shape[0]
    k = medoids.shape[0]
    d = XT.shape[0]
    n_trials = (uniforms.shape[0] - 1) // max(k - 1, 1)
    x = np.empty(d)
    tmp = np.empty(n if not use_matrix else 0)
    buf = np.empty(n if not use_matrix else 0, D.dtype)
    cum = np.empty(n)
    pot = np.zeros(n)
    used = np.zeros(n, dtype=np.bool_)
    total = 0.0
    for j in range(n):
        if candidate[j]:
            total += w[j]
        cum[j] = total
    c = _search(cum, uniforms[0] * total)
    medoids[0] = c
    used[c] = True
    row = _row(XT, D, use_matrix, metric, c, x, tmp, buf)
    for o in range(n):
        pot[o] = row[o] * row[o]
    pot[c] = 0.0
    for l in range(1, k):
        total = 0.0
        for j in range(n):
            if candidate[j] and not used[j]:
                total += w[j] * pot[j]
            cum[j] = total
        best_c = -1
        best_pot = INF
        if total > 0.0:
            for t in range(n_trials):
                cand = _search(cum, uniforms[1 + (l - 1) * n_trials + t] * total)
                row = _row(XT, D, use_matrix, metric, cand, x, tmp, buf)
                p = 0.0
                for o in range(n):
                    p += w[o] * min(pot[o], row[o] * row[o])
                if p < best_pot:
                    best_pot = p
                    best_c = cand
        else:  # every candidate sits on a medoid already
            for j in range(n):
                if candidate[j] and not used[j]:
                    best_c = j
                    break
        medoids[l] = best_c
        used[best_c] = True
        row = _row(XT, D, use_matrix, metric, best_c, x, tmp, buf)
        for o in range(n):
            v = row[o] * row[o]
            if v < pot[o]:
                pot[o] = v
        pot[best_c] = 0.0


@njit(cache=True, nogil=True)
def _search(cum: np.ndarray, target: float) -> int:
    """First index whose cumulative value exceeds ``target`` (skips zero-mass entries)."""
    lo = 0
    hi = cum.shape[0] - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] > target:
            hi = mid
        else:
            lo = mid + 1
    return lo


@njit(cache=True, nogil=True, parallel=True)
def alternate_update(
    XT_sorted: np.ndarray,
    D: np.ndarray,
    use_matrix: bool,
    metric: int,
    order: np.ndarray,
    starts: np.ndarray,
    w_sorted: np.ndarray,
    candidate_sorted: np.ndarray,
    cost: np.ndarray,
) -> None:
    """The alternate (Voronoi iteration) update: each member's total distance to its cluster.

    Parameters
    ----------
    XT_sorted : ndarray of shape (n_features, n)
        IN. Transposed data with the samples sorted by cluster (unused with a matrix).
    D : ndarray of shape (n, n)
        IN. Distance matrix in the original sample order (when ``use_matrix``).
    use_matrix, metric
        IN. The distance source.
    order : ndarray of shape (n,), int64
        IN. Original index of each sorted position.
    starts : ndarray of shape (k + 1,), int64
        IN. Cluster ``l`` occupies sorted positions ``starts[l]:starts[l+1]``.
    w_sorted, candidate_sorted : ndarray of shape (n,)
        IN. Weights and candidate flags in sorted order.
    cost : ndarray of shape (n,), float64
        OUT. ``cost[p] = sum_{q in cluster(p)} w_q d(x_p, x_q)`` (``inf`` for non-candidates).
    """
    n = order.shape[0]
    k = starts.shape[0] - 1
    d = XT_sorted.shape[0]
    label = np.empty(n, dtype=np.int64)
    for l in range(k):
        for p in range(starts[l], starts[l + 1]):
            label[p] = l
    for p in prange(n):
        if not candidate_sorted[p]:
            cost[p] = INF
            continue
        l = label[p]
        s0 = starts[l]
        s1 = starts[l + 1]
        total = 0.0
        if use_matrix:
            row = D[order[p]]
            for q in range(s0, s1):
                total += w_sorted[q] * np.float64(row[order[q]])
        else:
            x = np.empty(d)
            buf = np.empty(s1 - s0)
            _column(XT_sorted, p, x)
            tile_distances(XT_sorted, x, s0, s1, metric, True, buf)
            for q in range(s0, s1):
                total += w_sorted[q] * buf[q - s0]
        cost[p] = total


@njit(cache=True, nogil=True, parallel=True)
def precomputed_check(D: np.ndarray, out: np.ndarray) -> None:
    """Smallest entry, largest asymmetry and non-finite count of a square matrix, one pass.

    Parameters
    ----------
    D : ndarray of shape (n, n), float32 or float64
        IN. A user's precomputed distances.
    out : ndarray of shape (n_row_blocks, 6), float64
        OUT. Per block of rows: ``[min, row of min, col of min, max |D_ij - D_ji|, row, col]``
        where the asymmetry is measured on ``j > i`` only (each pair once). ``D`` must be
        finite (checked before).
    """
    n = D.shape[0]
    nb = out.shape[0]
    tile = 64
    for b in prange(nb):
        r0 = b * n // nb
        r1 = (b + 1) * n // nb
        lo = INF
        lo_i = -1
        lo_j = -1
        gap = 0.0
        g_i = -1
        g_j = -1
        for c0 in range(0, n, tile):
            c1 = min(n, c0 + tile)
            for i in range(r0, r1):
                for j in range(c0, c1):
                    v = np.float64(D[i, j])
                    if v < lo:
                        lo = v
                        lo_i = i
                        lo_j = j
                    if j > i:
                        g = abs(v - np.float64(D[j, i]))
                        if g > gap:
                            gap = g
                            g_i = i
                            g_j = j
        out[b, 0] = lo
        out[b, 1] = lo_i
        out[b, 2] = lo_j
        out[b, 3] = gap
        out[b, 4] = g_i
        out[b, 5] = g_j
