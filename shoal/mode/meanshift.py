"""MeanShift: clusters as the modes of a kernel density estimate (Comaniciu & Meer 2002)."""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np

from .._backend import from_tensor, wants_torch
from .._base import BaseClusterer, check_fitted
from .._kernels.numba_ import spatial
from .._kernels.numba_.meanshift import meanshift_flat, meanshift_weighted
from .._tensor_input import as_param, inference_device, to_host, validate_tensor
from .._validation import (
    check_array,
    check_int,
    check_option,
    check_random_state,
    check_real,
    validate_X,
)

__all__ = ["MeanShift", "MedoidShift", "estimate_bandwidth", "get_bin_seeds"]

KERNELS = ("flat", "gaussian", "epanechnikov")
GAUSS_REACH = 9.0


def estimate_bandwidth(
    X: Any, *, quantile: float = 0.3, n_samples: int | None = None, random_state: Any = 0,
    n_jobs: int | None = None,
) -> float:  # fmt: skip
    """Bandwidth for mean shift: the mean distance to the ``quantile * n``-th nearest sample.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    quantile : float in [0, 1], default=0.3
    n_samples : int, default=None
        Estimate on a random subset of this size.
    random_state : int, RandomState instance or None, default=0
    n_jobs : int, default=None
        Accepted for compatibility.

    Returns
    -------
    bandwidth : float
    """
    X = check_array(X)
    check_real("quantile", quantile, low=0.0, high=1.0)
    check_int("n_samples", n_samples, low=1, allow_none=True)
    if n_samples is not None:
        rng = check_random_state(random_state)
        X = X[rng.permutation(X.shape[0])[:n_samples]]
    k = max(1, int(X.shape[0] * quantile))
    return float(_knn_distances(np.ascontiguousarray(X, dtype=np.float64), k).mean())


def get_bin_seeds(X: Any, bin_size: float, min_bin_freq: int = 1) -> np.ndarray:
    """Seeds on a grid of side ``bin_size``: the centres of bins holding ``min_bin_freq``
    samples or more (scikit-learn's bin seeding); X itself when every sample has its own bin.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    bin_size : float > 0
    min_bin_freq : int, default=1

    Returns
    -------
    seeds : ndarray of shape (n_seeds, n_features)
    """
    X = check_array(X)
    check_real("bin_size", bin_size, low=0.0, low_inclusive=False)
    binned = np.round(X / bin_size)
    bins, first, counts = np.unique(binned, axis=0, return_index=True, return_counts=True)
    keep = counts >= min_bin_freq
    seeds = bins[keep][np.argsort(first[keep])]
    if seeds.shape[0] == X.shape[0]:
        warnings.warn(
            f"Binning data failed with provided bin_size={bin_size}, using data points as seeds.",
            UserWarning,
            stacklevel=2,
        )
        return X
    return seeds * bin_size


class MeanShift(BaseClusterer):
    """Mean shift clustering (scikit-learn's algorithm, plus Gaussian and Epanechnikov kernels).

    Every seed moves to the mean of the samples within ``bandwidth`` until it settles; the
    settled points, strongest first, become centres unless a stronger centre lies within
    ``bandwidth``; samples take the nearest centre.

    Parameters
    ----------
    bandwidth : float, default=None
        Kernel radius (None: ``estimate_bandwidth(X)``).
    seeds : array-like of shape (n_seeds, n_features), default=None
        Starting points (default: the samples, or bins with ``bin_seeding``).
    bin_seeding : bool, default=False
        Seed from a grid of side ``bandwidth`` (far fewer seeds).
    min_bin_freq : int, default=1
        Bins with fewer samples give no seed.
    cluster_all : bool, default=True
        Label every sample; False leaves samples farther than ``bandwidth`` from every centre
        as noise (-1).
    n_jobs : int, default=None
        Accepted for compatibility; seeds run in parallel on numba's threads.
    max_iter : int, default=300
        Most iterations per seed.
    kernel : {'flat', 'gaussian', 'epanechnikov'}, default='flat'
        Weights of the samples around the mean: 1 within ``bandwidth`` (scikit-learn's),
        ``exp(-r^2 / (2 h^2))``, or ``1 - r^2 / h^2`` within ``bandwidth``. With 'gaussian'
        every seed climbs the Gaussian kernel density estimate to a stationary point (samples
        beyond 9 bandwidths weigh under 1e-17 and are skipped); modes are then ranked by
        their kernel mass instead of their neighbour count.
    adaptive_k : int, default=None
        Variable-bandwidth mean shift (Comaniciu, Ramesh & Meer 2001): sample j gets its own
        bandwidth, the distance to its ``adaptive_k``-th nearest sample, and weighs
        ``h_j^-(d+2) g(r^2 / h_j^2)``; ``bandwidth`` then only sets the stopping tolerance
        and the merging radius of the modes.
    device : {None, "auto", "cpu", "cuda", "cuda:N"}, default=None
        Where the seeds climb. None/"auto" follow the input (numpy: numba kernels; a torch
        tensor: torch kernels on its device); "cuda" runs numpy input on the GPU and returns
        numpy. The torch path has the 'flat' and 'gaussian' kernels (no ``adaptive_k``).

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
    labels_ : ndarray of shape (n_samples,), int64
    n_iter_ : int
        Most iterations any seed took.
    n_features_in_ : int
    feature_names_in_ : ndarray

    Notes
    -----
    Neighbourhoods come from the spatial index (a grid of ``bandwidth`` cells for up to 3
    features, a KD-tree beyond), one seed at a time: memory O(n + seeds), never n x n.

    The torch path (a tensor in, or ``device="cuda"``) moves all seeds at once, streaming
    over tiles of X: the Gaussian step is an online-softmax ("attention") pass, a Triton
    kernel on CUDA in float32 (plain torch elsewhere), every block of seeds measured from its
    own centre so that float32 keeps its accuracy far from the origin; the Gaussian weights
    then use every sample (the numba path skips those beyond 9 bandwidths, weights below
    1e-17). Bandwidth estimation, bin seeding and the merging of the converged seeds (as
    many as the seeds, usually few) run on the host; labels are computed on the device.
    ``cluster_centers_`` and ``labels_`` are then tensors on X's device; ``predict`` on a
    tensor returns a tensor. A model fitted on tensors cannot be saved with
    ``shoal.io.save`` (``TypeError``).

    Examples
    --------
    >>> import numpy as np
    >>> from shoal import MeanShift
    >>> X = np.array([[1.0], [2.0], [3.0], [6.0], [7.0], [8.0]])
    >>> ms = MeanShift(bandwidth=2).fit(X)
    >>> sorted(ms.cluster_centers_.ravel().tolist())
    [2.0, 7.0]
    """

    _test_params: ClassVar[dict[str, Any]] = {}

    def __init__(
        self,
        *,
        bandwidth: float | None = None,
        seeds: Any = None,
        bin_seeding: bool = False,
        min_bin_freq: int = 1,
        cluster_all: bool = True,
        n_jobs: int | None = None,
        max_iter: int = 300,
        kernel: str = "flat",
        adaptive_k: int | None = None,
        device: str | None = None,
    ) -> None:
        self.bandwidth = bandwidth
        self.seeds = seeds
        self.bin_seeding = bin_seeding
        self.min_bin_freq = min_bin_freq
        self.cluster_all = cluster_all
        self.n_jobs = n_jobs
        self.max_iter = max_iter
        self.kernel = kernel
        self.adaptive_k = adaptive_k
        self.device = device

    def _validate_params(self) -> None:
        check_real("bandwidth", self.bandwidth, low=0.0, low_inclusive=False, allow_none=True)
        check_int("min_bin_freq", self.min_bin_freq, low=1)
        check_int("max_iter", self.max_iter, low=0)
        check_option("kernel", self.kernel, KERNELS)
        check_int("adaptive_k", self.adaptive_k, low=1, allow_none=True)

    def fit(self, X: Any, y: Any = None) -> MeanShift:
        """Find the modes and label the samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : MeanShift
            The fitted estimator.
        """
        self._validate_params()
        if wants_torch(X, self.device):
            return self._fit_torch(X)
        # Estimating a bandwidth needs two samples at least.
        X = validate_X(self, X, reset=True, min_samples=2 if self.bandwidth is None else 1)
        n, d = X.shape
        bw = _resolve_bandwidth(X, self.bandwidth)
        if self.seeds is not None:
            seeds = check_array(self.seeds, name="seeds", dtype=np.float64)
            if seeds.shape[1] != d:
                raise ValueError(f"seeds have {seeds.shape[1]} features; X has {d}.")
        elif self.bin_seeding:
            seeds = get_bin_seeds(X, bw, int(self.min_bin_freq))
        else:
            seeds = X
        rows = np.ascontiguousarray(X, dtype=np.float64)
        index = spatial.build_grid(rows, bw) if d <= 3 else None
        if index is None:
            index = spatial.build_kdtree(rows, 30)
        both = np.vstack([index[1], np.asarray(seeds, dtype=np.float64)])
        m = seeds.shape[0]
        count = np.empty(m, dtype=np.int64)
        n_iter = np.empty(m, dtype=np.int64)
        hs = np.empty(0)
        if self.adaptive_k is not None:
            hs = _knn_distances(rows, min(int(self.adaptive_k), n))
            if not (hs > 0).all():
                raise ValueError(
                    f"adaptive_k={self.adaptive_k} gives a zero bandwidth to some samples "
                    "(duplicates); use a larger adaptive_k."
                )
        if self.kernel == "flat" and hs.size == 0:
            meanshift_flat(index, both, n, bw, int(self.max_iter), 1e-3 * bw, count, n_iter)
        else:
            gaussian = self.kernel == "gaussian"
            mass = np.empty(m)
            top = float(hs.max()) if hs.size else bw
            # Gaussian weights beyond GAUSS_REACH bandwidths are below 1e-17 of the peak.
            reach = GAUSS_REACH * top if gaussian else top
            if reach != bw:
                index = spatial.build_grid(rows, reach) if d <= 3 else None
                if index is None:
                    index = spatial.build_kdtree(rows, 30)
                both = np.vstack([index[1], np.asarray(seeds, dtype=np.float64)])
            hs_sorted = hs[index[2]] if hs.size else hs
            meanshift_weighted(index, both, n, bw, gaussian, reach, int(self.max_iter),
                               1e-3 * bw, n_iter, mass, hs_sorted,
                               self.kernel == "flat")  # fmt: skip
            count = np.round(mass / mass.max() * 1e9).astype(np.int64) if mass.max() > 0 \
                else np.zeros(m, dtype=np.int64)  # fmt: skip
        self.n_iter_ = int(n_iter.max())
        centers = _merge_modes(both[n:], count, bw)
        self.cluster_centers_ = centers.astype(X.dtype)
        labels, dist = _nearest(rows, centers)
        if not self.cluster_all:
            labels[dist > bw] = -1
        self.labels_ = labels
        self.bandwidth_ = bw
        return self

    def _fit_torch(self, X_in: Any) -> MeanShift:
        """The torch path of ``fit`` (see Notes)."""
        import torch

        from .._kernels.torch_.meanshift import meanshift_torch

        if self.kernel not in ("flat", "gaussian") or self.adaptive_k is not None:
            raise NotImplementedError(
                f"The torch path of MeanShift has the 'flat' and 'gaussian' kernels without "
                f"adaptive_k; got kernel={self.kernel!r}, adaptive_k={self.adaptive_k!r}. "
                "Pass a numpy array to use the numba path."
            )
        X = validate_tensor(self, X_in, reset=True, device=self.device,
                            min_samples=2 if self.bandwidth is None else 1)  # fmt: skip
        d = X.shape[1]
        bw = float(self.bandwidth) if self.bandwidth is not None else None
        host = None
        if bw is None or (self.seeds is None and self.bin_seeding):
            host = to_host(X)
        if bw is None:
            assert host is not None
            bw = _resolve_bandwidth(host, None)
        if self.seeds is not None:
            seeds_np = check_array(to_host(self.seeds), name="seeds", dtype=np.float64)
            if seeds_np.shape[1] != d:
                raise ValueError(f"seeds have {seeds_np.shape[1]} features; X has {d}.")
            seeds = as_param(seeds_np, X)
        elif self.bin_seeding:
            assert host is not None
            seeds = as_param(get_bin_seeds(host, bw, int(self.min_bin_freq)), X)
        else:
            seeds = X
        gaussian = self.kernel == "gaussian"
        modes, strength, n_iter = meanshift_torch(
            X, seeds, bw, gaussian, GAUSS_REACH * bw if gaussian else bw,
            int(self.max_iter), 1e-3 * bw,
        )  # fmt: skip
        s = strength.cpu().numpy()
        count = (
            np.round(s / s.max() * 1e9).astype(np.int64) if gaussian and s.max() > 0
            else s.astype(np.int64)
        )  # fmt: skip
        self.n_iter_ = int(n_iter.max())
        centers = _merge_modes(modes.double().cpu().numpy(), count, bw)
        C = torch.as_tensor(centers, dtype=X.dtype, device=X.device)
        labels, dist = _nearest_torch(X, C)
        if not self.cluster_all:
            labels[dist > bw] = -1
        self.cluster_centers_ = from_tensor(C, X_in)
        self.labels_ = from_tensor(labels, X_in)
        self.bandwidth_ = bw
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Nearest centre of each sample.

        Parameters
        ----------
        X : array-like or tensor of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,), int64 (a tensor for tensor input)
        """
        check_fitted(self, "cluster_centers_")
        dev = inference_device(X, self.device, self.cluster_centers_)
        if dev is not None:
            T = validate_tensor(self, X, reset=False, device=dev)
            return from_tensor(_nearest_torch(T, as_param(self.cluster_centers_, T))[0], X)
        X = validate_X(self, X, reset=False)
        return _nearest(np.asarray(X, dtype=np.float64), self.cluster_centers_)[0]


def _merge_modes(means: np.ndarray, count: np.ndarray, bw: float) -> np.ndarray:
    """The cluster centres from the seeds' modes (float64, host): distinct modes ranked by
    strength (then coordinates), strongest first, each suppressing the weaker modes within
    the bandwidth (scikit-learn's rule)."""
    strength: dict[tuple, int] = {}
    for seed in np.flatnonzero(count > 0).tolist():
        strength[tuple(means[seed])] = int(count[seed])
    if not strength:
        raise ValueError(
            f"No point was within bandwidth={bw} of any seed. Try a different seeding "
            "strategy or increase the bandwidth."
        )
    ranked = sorted(strength.items(), key=lambda t: (t[1], t[0]), reverse=True)
    centers = np.array([c for c, _ in ranked])
    unique = np.ones(len(centers), dtype=bool)
    for i in range(len(centers)):  # suppress weaker centres within the bandwidth
        if unique[i]:
            near = np.sqrt(((centers - centers[i]) ** 2).sum(axis=1)) <= bw
            unique[near] = False
            unique[i] = True
    return centers[unique]


def _nearest_torch(X: Any, C: Any) -> tuple[Any, Any]:
    """``_nearest`` on the torch backend: nearest centre (first on ties) and its distance,
    from sums of squared differences, chunked."""
    from .._kernels.torch_.fuzzy import fcm_sq_distances

    D = fcm_sq_distances(X, C)
    dist, labels = D.min(dim=1)
    return labels, dist.sqrt()


def _resolve_bandwidth(X: np.ndarray, bandwidth: float | None) -> float:
    """The given bandwidth, or the estimated one (which must not be 0)."""
    if bandwidth is not None:
        return float(bandwidth)
    bw = estimate_bandwidth(X)
    if not bw > 0:
        raise ValueError(
            "The estimated bandwidth is 0 (too many identical samples); pass bandwidth."
        )
    return bw


def _one_step_means(rows: np.ndarray, bw: float, kernel: str) -> np.ndarray:
    """The weighted mean of every sample's neighbourhood (one mean-shift step)."""
    n, d = rows.shape
    reach = GAUSS_REACH * bw if kernel == "gaussian" else bw
    index = spatial.build_grid(rows, reach) if d <= 3 else None
    if index is None:
        index = spatial.build_kdtree(rows, 30)
    both = np.vstack([index[1], rows])
    n_iter = np.empty(n, dtype=np.int64)
    mass = np.empty(n)
    # max_iter=0 makes exactly one update per seed
    meanshift_weighted(index, both, n, bw, kernel == "gaussian", reach, 0, 0.0, n_iter, mass,
                       np.empty(0), kernel == "flat")  # fmt: skip
    return both[n:]


def _knn_distances(rows: np.ndarray, k: int) -> np.ndarray:
    """Distance of every sample to its k-th nearest sample (itself counted first)."""
    index = spatial.build_kdtree(rows, 30) if rows.shape[1] <= 16 else spatial.build_brute(rows)
    kind, Xs, order, _, _, _, _, _, lo, hi, ns, ne, child = index
    dist = np.empty((rows.shape[0], k))
    idx = np.empty((rows.shape[0], k), dtype=np.int64)
    spatial.knn(kind, Xs, lo, hi, ns, ne, child, spatial.EUCLIDEAN, 2.0, dist, idx)
    out = np.empty(rows.shape[0])
    out[order] = np.sqrt(dist[:, -1])
    return out


def _nearest(X: np.ndarray, centers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centre (first on ties) and its distance, in blocks (no n x k matrix)."""
    n = X.shape[0]
    labels = np.empty(n, dtype=np.int64)
    dist = np.empty(n)
    C = np.asarray(centers, dtype=np.float64)
    step = max(1, 2**20 // max(1, C.shape[0]))
    for r0 in range(0, n, step):
        D = ((X[r0 : r0 + step, None, :] - C[None, :, :]) ** 2).sum(-1)
        labels[r0 : r0 + step] = D.argmin(axis=1)
        dist[r0 : r0 + step] = np.sqrt(D.min(axis=1))
    return labels, dist


class MedoidShift(BaseClusterer):
    """Medoid shift (Sheikh, Khan & Kanade 2007): mean shift restricted to the samples.

    Every sample points to the sample nearest to the (flat- or Gaussian-) weighted mean of its
    neighbourhood (the minimiser of the weighted sum of squared distances over the samples);
    following the pointers ends at modes that point to themselves (a cycle, possible only on
    ties, is one mode: its lowest index). One pass over the samples, no iterations; every mode
    is a sample.

    Parameters
    ----------
    bandwidth : float, default=None
        Neighbourhood radius (None: ``estimate_bandwidth(X)``).
    kernel : {'flat', 'gaussian'}, default='flat'

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        The modes (rows of X).
    medoid_indices_ : ndarray of shape (n_clusters,), int64
    labels_ : ndarray of shape (n_samples,), int64
    next_ : ndarray of shape (n_samples,), int64
        The sample each sample points to.
    n_features_in_ : int
    feature_names_in_ : ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from shoal import MedoidShift
    >>> X = np.array([[1.0], [2.0], [3.0], [6.0], [7.0], [8.0]])
    >>> MedoidShift(bandwidth=2).fit(X).cluster_centers_.ravel().tolist()
    [2.0, 7.0]
    """

    _test_params: ClassVar[dict[str, Any]] = {}

    def __init__(self, *, bandwidth: float | None = None, kernel: str = "flat") -> None:
        self.bandwidth = bandwidth
        self.kernel = kernel

    def _validate_params(self) -> None:
        check_real("bandwidth", self.bandwidth, low=0.0, low_inclusive=False, allow_none=True)
        check_option("kernel", self.kernel, ("flat", "gaussian"))

    def fit(self, X: Any, y: Any = None) -> MedoidShift:
        """Point every sample at its weighted medoid and follow the pointers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : MedoidShift
            The fitted estimator.
        """
        self._validate_params()
        X = validate_X(self, X, reset=True, min_samples=2 if self.bandwidth is None else 1)
        n, d = X.shape
        bw = _resolve_bandwidth(X, self.bandwidth)
        # One mean-shift step from every sample (the seeds are the samples themselves).
        rows = np.ascontiguousarray(X, dtype=np.float64)
        means = _one_step_means(rows, bw, self.kernel)
        index = spatial.build_kdtree(rows, 30) if d <= 16 else spatial.build_brute(rows)
        kind, Xs, order, _, _, _, _, _, lo, hi, ns, ne, child = index
        both = np.ascontiguousarray(np.vstack([Xs, means]))
        dist = np.empty((n, 1))
        idx = np.empty((n, 1), dtype=np.int64)
        spatial.knn_queries(kind, both, n, lo, hi, ns, ne, child, spatial.EUCLIDEAN, 2.0, dist,
                            idx)  # fmt: skip
        nxt = order[idx[:, 0]]
        # Each sample with a weighted mean nearer to itself than to any other keeps itself.
        here = ((rows - means) ** 2).sum(axis=1)
        nxt = np.where(here <= dist[:, 0], np.arange(n), nxt)
        roots = _follow(nxt)
        medoids, labels = np.unique(roots, return_inverse=True)
        first = np.argsort(np.unique(roots, return_index=True)[1])
        rank = np.empty_like(first)
        rank[first] = np.arange(first.shape[0])
        self.medoid_indices_ = medoids[first].astype(np.int64)
        self.labels_ = rank[labels].astype(np.int64)
        self.cluster_centers_ = X[self.medoid_indices_]
        self.next_ = nxt.astype(np.int64)
        return self


def _follow(nxt: np.ndarray) -> np.ndarray:
    """Root of every sample's pointer path (pointer jumping); a cycle's root is its lowest
    index."""
    cur = nxt.copy()
    for _ in range(64):  # path lengths halve each round
        jumped = cur[cur]
        if np.array_equal(jumped, cur):
            break
        cur = jumped
    # Samples on a cycle (no self-pointer reached): take the cycle's lowest index.
    on_cycle = nxt[cur] != cur
    if on_cycle.any():
        for s in np.flatnonzero(on_cycle):
            seen, x = [], int(cur[s])
            while x not in seen:
                seen.append(x)
                x = int(nxt[x])
            cur[s] = min(seen[seen.index(x) :])
    return cur
