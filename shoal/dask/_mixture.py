"""GaussianMixture on dask arrays: EM with per-block sufficient statistics."""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np

from .._backend import blas_one_thread, select_backend
from .._validation import check_n_clusters, check_random_state
from ..mixture import GaussianMixture as _InMemoryGaussianMixture
from ..mixture.gaussian import precision_cholesky
from ._engine import Blocks, as_dask_array, block_seed, is_dask
from ._inference import DaskMixtureMixin
from ._kmeans import _block_weights, _wsum_block, dask_weights

__all__ = ["GaussianMixture"]

_CHUNK = 512


class GaussianMixture(DaskMixtureMixin, _InMemoryGaussianMixture):
    """Gaussian mixture fitted by EM on a dask array (all four covariance types).

    Each EM iteration is one pass: every row block runs shoal's fused E-step kernel with the
    current parameters and its moment kernel on the responsibilities, and returns the
    sufficient statistics (``sum r``, ``sum r z``, ``sum r z z^T`` (or its diagonal) about the
    data mean, and the block's log-likelihood); the M-step runs on their sums. On the same
    initial parameters the iterates, ``lower_bound_`` and ``lower_bounds_`` are those of
    :class:`shoal.GaussianMixture` (up to the order of floating-point sums).

    Parameters are those of :class:`shoal.GaussianMixture`, plus ``persist`` (as in
    :class:`shoal.dask.KMeans`). ``init_params``: 'kmeans' (:class:`shoal.dask.KMeans` with
    k-means|| seeding, then one pass for the moments of its clusters) or 'random' (random
    responsibilities, drawn per block from ``(seed, block)``), 'random_from_data' (k rows
    drawn as in memory) or 'k-means++' (greedy k-means++ over the blocks, the in-memory
    draws; a few passes per component). When ``weights_init``, ``means_init`` and
    ``precisions_init`` are all given, no initialisation pass runs.

    Notes
    -----
    numpy input is accepted (wrapped in a dask array). ``sample_weight`` (numpy or dask) acts
    as in memory: the E-step's responsibilities and log-likelihood are weighted, the
    initialisation too (the k-means init is a weighted :class:`shoal.dask.KMeans`). In memory,
    a component whose variance is lost to cancellation in ``E[z^2] - E[z]^2`` (a collapsed
    component far from the data mean) is recomputed from centred differences; here it keeps
    the one-pass value (plus ``reg_covar``).
    ``fit_predict`` returns a lazy dask array (``predict`` after the fit).

    Examples
    --------
    >>> import numpy as np
    >>> import dask.array as da
    >>> from shoal.dask import GaussianMixture
    >>> X = np.array([[1.0, 2.0], [1.0, 4.0], [1.0, 0.0], [10.0, 2.0], [10.0, 4.0], [10.0, 0.0]])
    >>> gm = GaussianMixture(n_components=2, random_state=0).fit(da.from_array(X, chunks=3))
    >>> np.round(gm.means_, 6).tolist()
    [[1.0, 2.0], [10.0, 2.0]]
    """

    _in_memory: ClassVar[type] = _InMemoryGaussianMixture

    def __init__(
        self,
        n_components: int = 1,
        *,
        covariance_type: str = "full",
        tol: float = 1e-3,
        reg_covar: float = 1e-6,
        max_iter: int = 100,
        n_init: int = 1,
        init_params: str = "kmeans",
        weights_init: Any = None,
        means_init: Any = None,
        precisions_init: Any = None,
        random_state: Any = None,
        warm_start: bool = False,
        verbose: int = 0,
        verbose_interval: int = 10,
        persist: Any = "auto",
    ) -> None:
        super().__init__(
            n_components,
            covariance_type=covariance_type,
            tol=tol,
            reg_covar=reg_covar,
            max_iter=max_iter,
            n_init=n_init,
            init_params=init_params,
            weights_init=weights_init,
            means_init=means_init,
            precisions_init=precisions_init,
            random_state=random_state,
            warm_start=warm_start,
            verbose=verbose,
            verbose_interval=verbose_interval,
        )
        self.persist = persist

    def fit_predict(self, X: Any, y: Any = None, sample_weight: Any = None) -> Any:
        """Fit, then return the most likely component of each sample (lazy for dask input)."""
        if not is_dask(X):
            return super().fit_predict(X, y, sample_weight)
        return self.fit(X, sample_weight=sample_weight).predict(X)

    def _fit(self, X: Any, sample_weight: Any) -> Any:
        if not is_dask(X):
            return super()._fit(X, sample_weight)
        with blas_one_thread():
            self._fit_dask(as_dask_array(X), sample_weight)
        return None

    def _fit_dask(self, X: Any, sample_weight: Any) -> None:
        from sklearn.exceptions import ConvergenceWarning

        self._validate_params()
        blocks = Blocks(X, self.persist, dask_weights(sample_weight, X))
        n, d, dtype = blocks.n, blocks.d, blocks.dtype
        wsum = float(n) if blocks.W is None else float(blocks.reduce(_wsum_block, weights=True))
        check_n_clusters(self.n_components, n, name="n_components")
        self.n_features_in_ = d
        self._check_init_arrays(np.empty((0, d), dtype=dtype), np.empty(0, dtype=dtype))
        shift, _ = blocks.moments()
        self._shift = shift
        do_init = not (self.warm_start and hasattr(self, "converged_"))
        n_init = self.n_init if do_init else 1
        rng = check_random_state(self.random_state)
        best = None
        best_bound = -np.inf
        best_iter = 0
        best_bounds: list[float] = []
        converged_best = False
        for init in range(n_init):
            if self.verbose:
                print(f"Initialization {init}")
            if do_init:
                self._initialize_dask(blocks, rng, wsum)
            bound = -np.inf if do_init else self.lower_bound_
            bounds: list[float] = []
            converged = False
            n_iter = 0
            for n_iter in range(1, self.max_iter + 1):
                prev = bound
                ll, stats = blocks.reduce(_em_block, self._estep_params(), shift, weights=True)
                self._m_step_from(stats, dtype)
                bound = float(ll / wsum)
                bounds.append(bound)
                change = bound - prev
                if self.verbose >= 2 and n_iter % self.verbose_interval == 0:
                    print(f"  Iteration {n_iter}, change {change:.6g}")
                if abs(change) < self.tol:
                    converged = True
                    break
            if self.verbose:
                print(f"Initialization {'converged' if converged else 'did not converge'}.")
            if best is None or bound > best_bound:
                best = self._get_parameters()
                best_bound, best_iter, best_bounds = bound, n_iter, bounds
                converged_best = converged
        assert best is not None
        self.converged_ = converged_best
        if not converged_best and self.max_iter > 0:
            warnings.warn(
                f"Best performing initialization did not converge (max_iter={self.max_iter}). "
                "Try different init parameters, or increase max_iter, tol, or check for "
                "degenerate data.",
                ConvergenceWarning,
                stacklevel=4,
            )
        self._set_parameters(best)
        self.n_iter_ = best_iter
        self.lower_bound_ = best_bound
        self.lower_bounds_ = best_bounds

    # -- parameters as they travel -------------------------------------------------------------
    def _estep_params(self) -> tuple:
        return (
            self.covariance_type,
            self.n_components,
            np.asarray(self.weights_),
            np.asarray(self.means_),
            np.asarray(self.precisions_cholesky_),
        )

    def _initialize_dask(self, blocks: Blocks, rng: np.random.RandomState, wsum: float) -> None:
        dtype = blocks.dtype
        k = self.n_components
        wi, mi, pi = self._weights_init, self._means_init, self._precisions_init
        if wi is not None and mi is not None and pi is not None:
            self.weights_ = wi.copy()
            self.means_ = mi.copy()
            self.precisions_cholesky_ = self._chol_of_precisions(pi)
            self.covariances_ = _covariances_from_chol(
                self.precisions_cholesky_, self.covariance_type
            ).astype(dtype)
            return
        if self.init_params == "kmeans":
            from ._kmeans import KMeans

            km = KMeans(k, random_state=rng, persist=blocks.persisted)
            km.fit(blocks.X, sample_weight=blocks.W)
            source: tuple = ("kmeans", km.cluster_centers_)
        elif self.init_params == "random":
            source = ("random", int(rng.randint(2**31 - 1)), k)
        else:
            # One sample per component, as in memory (the same draws from the same rng).
            if self.init_params == "random_from_data":
                rows = rng.choice(blocks.n, size=k, replace=False)
            else:
                from ._kmeans import kmeans_plusplus_rows

                rows = kmeans_plusplus_rows(blocks, k, rng)
            source = ("rows", np.asarray(rows, dtype=np.int64), blocks.offsets)
        ct = self.covariance_type
        _, stats = blocks.reduce(_init_block, source, ct, self._shift, weights=True)
        nk, means, cov = _finish_moments(stats, ct, self.reg_covar, self._shift, dtype)
        weights = (nk / wsum).astype(nk.dtype)
        self.weights_ = weights if self._weights_init is None else self._weights_init.copy()
        self.means_ = means if self._means_init is None else self._means_init.copy()
        self.covariances_ = cov
        if self._precisions_init is None:
            self.precisions_cholesky_ = precision_cholesky(cov, ct, self.reg_covar)
        else:
            self.precisions_cholesky_ = self._chol_of_precisions(self._precisions_init)

    def _m_step_from(self, stats: tuple, dtype: Any) -> None:
        nk, means, cov = _finish_moments(
            stats, self.covariance_type, self.reg_covar, self._shift, dtype
        )
        self.weights_ = nk / nk.sum()
        self.means_ = means
        self.covariances_ = cov
        self.precisions_cholesky_ = precision_cholesky(cov, self.covariance_type, self.reg_covar)


def _covariances_from_chol(pc: np.ndarray, ct: str) -> np.ndarray:
    if ct == "full":
        return np.linalg.inv(np.einsum("kij,klj->kil", pc, pc))
    if ct == "tied":
        return np.linalg.inv(pc @ pc.T)
    return 1.0 / pc**2


def _estep_block(
    X: np.ndarray, params: tuple, w: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The in-memory fused E-step on one block: ``(log p(x), responsibilities times the
    sample weights)`` (weights one when ``w`` is None)."""
    ct, k, weights, means, pc = params
    est = _InMemoryGaussianMixture(k, covariance_type=ct)
    est.weights_, est.means_, est.precisions_cholesky_ = weights, means, pc
    return est._estep(X, _block_weights(w, X.shape[0], X.dtype))


def _moment_stats(
    X: np.ndarray, resp: np.ndarray, ct: str, shift: np.ndarray, w: np.ndarray | None = None
) -> tuple:
    """Per-block moment sums about ``shift`` with shoal's M-step kernels (see
    :func:`shoal._kernels.numba_.mixture.gaussian_moments`); ``resp`` already carries the
    sample weights ``w`` (None: ones), which weigh the tied second moments."""
    kern = select_backend(X).kernels
    from .._kernels.numba_.mixture import gaussian_moment_sums, gaussian_moment_sums_diag

    m, d = X.shape
    k = resp.shape[1]
    bounds = kern.block_bounds(m, int(max(1, min(m, 8))))
    nb = bounds.shape[0] - 1
    if ct in ("diag", "spherical"):
        sr, sx, sxx = np.empty((nb, k)), np.empty((nb, k, d)), np.empty((nb, k, d))
        gaussian_moment_sums_diag(X, resp, shift, bounds, sr, sx, sxx)
        return sr.sum(axis=0), sx.sum(axis=0), sxx.sum(axis=0)
    pf, pg = np.tril_indices(d)
    if ct == "tied":
        # Second moments of all samples (by weight), first moments per component.
        r = _block_weights(w, m, resp.dtype)[:, None].copy()
        sx_k = resp.T.astype(np.float64) @ (X - shift)
        nk = resp.sum(axis=0, dtype=np.float64)
    else:
        r = resp
    T = pf.shape[0]
    c = r.shape[1]
    sr, sx, sxx = np.empty((nb, c)), np.empty((nb, c, d)), np.empty((nb, c, T))
    gaussian_moment_sums(
        X, r, shift, bounds, _CHUNK, pf.astype(np.int64), pg.astype(np.int64), sr, sx, sxx
    )
    if ct == "tied":
        return nk, sx_k, sr.sum(axis=0), sx.sum(axis=0), sxx.sum(axis=0)
    return sr.sum(axis=0), sx.sum(axis=0), sxx.sum(axis=0)


def _em_block(
    block: np.ndarray, wb: np.ndarray | None, params: tuple, shift: np.ndarray, i: int
) -> tuple:
    X = np.ascontiguousarray(block)
    norm, resp = _estep_block(X, params, wb)
    ll = float(norm.sum()) if wb is None else float(np.dot(np.asarray(wb, np.float64), norm))
    return ll, _moment_stats(X, resp, params[0], shift, wb)


def _init_block(
    block: np.ndarray, wb: np.ndarray | None, source: tuple, ct: str, shift: np.ndarray, i: int
) -> tuple:
    X = np.ascontiguousarray(block)
    m = X.shape[0]
    if source[0] == "rows":
        _, rows, offsets = source
        k = rows.shape[0]
        resp = np.zeros((m, k), dtype=X.dtype)
        inside = (rows >= offsets[i]) & (rows < offsets[i] + m)
        resp[rows[inside] - offsets[i], np.flatnonzero(inside)] = 1
        return 0.0, _moment_stats(X, resp, ct, shift, wb)
    if source[0] == "kmeans":
        centers = source[1]
        from ._kmeans import _labels_block

        mean = np.zeros(X.shape[1], dtype=X.dtype)
        labels = _labels_block(X, np.ascontiguousarray(centers, X.dtype), mean)
        resp = np.zeros((m, centers.shape[0]), dtype=X.dtype)
        resp[np.arange(m), labels] = 1
    else:
        _, seed, k = source
        resp = np.asarray(block_seed(seed, i).uniform(size=(m, k)), dtype=X.dtype)
        resp /= resp.sum(axis=1)[:, None]
    if wb is not None:
        resp *= np.asarray(wb, dtype=X.dtype)[:, None]
    return 0.0, _moment_stats(X, resp, ct, shift, wb)


def _finish_moments(
    stats: tuple, ct: str, reg_covar: float, shift: np.ndarray, dtype: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(nk, means, covariances)`` from summed block statistics, as
    :func:`shoal._kernels.numba_.mixture.gaussian_moments` finishes its own block sums."""
    eps10 = 10 * np.finfo(dtype).eps
    if ct == "tied":
        nk_raw, sx_k, s1, sx1, sxx1 = stats
        d = sx_k.shape[1]
        pf, pg = np.tril_indices(d)
        S = np.zeros((d, d))
        S[pf, pg] = sxx1[0]
        S[pg, pf] = S[pf, pg]
        nk = nk_raw + eps10
        mu_c = sx_k / nk[:, None]
        a = sx1[0] - (nk[:, None] * mu_c).sum(axis=0)
        extra = np.outer(a, shift) + np.outer(shift, a)
        extra += (s1.sum() - nk.sum()) * np.outer(shift, shift)
        cov = (S - (nk[:, None] * mu_c).T @ mu_c + extra) / nk.sum()
        cov.flat[:: d + 1] += reg_covar
        means = mu_c + shift
    elif ct == "full":
        sr, sx, sxx = stats
        k, d = sx.shape
        pf, pg = np.tril_indices(d)
        S = np.zeros((k, d, d))
        S[:, pf, pg] = sxx
        S[:, pg, pf] = S[:, pf, pg]
        nk = sr + eps10
        mu_c = sx / nk[:, None]
        cov = S / nk[:, None, None] - mu_c[:, :, None] * mu_c[:, None, :]
        means = mu_c + shift
        idx = np.arange(d)
        cov[:, idx, idx] += reg_covar
    else:
        sr, sx, sxx = stats
        nk = sr + eps10
        mu_c = sx / nk[:, None]
        var = sxx / nk[:, None] - mu_c**2
        means = mu_c + shift
        var += reg_covar
        cov = var if ct == "diag" else var.mean(axis=1)
    return nk.astype(dtype), means.astype(dtype), np.asarray(cov, dtype=dtype)
