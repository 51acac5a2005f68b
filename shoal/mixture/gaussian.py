"""GaussianMixture: EM for mixtures of Gaussians with four covariance structures."""

from __future__ import annotations

from typing import Any, ClassVar

import numba
import numpy as np
from scipy import linalg

from .._backend import blas_one_thread, is_torch_tensor, select_backend
from .._base import check_fitted
from .._tensor_input import as_param, to_host
from .._validation import check_int, check_option, check_random_state, check_real
from ._base import BaseMixture

__all__ = ["GaussianMixture"]

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
INIT_PARAMS = ("kmeans", "k-means++", "random", "random_from_data")


def _float_array(value: Any, name: str) -> np.ndarray:
    """``value`` as a finite float64 array (any number of dimensions)."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric; got {type(value).__name__}.") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity.")
    return arr


def _collapse_error(what: str, reg_covar: float) -> ValueError:
    return ValueError(
        f"The covariance of {what} is singular or not positive definite (it collapsed onto "
        f"too few distinct points). Increase reg_covar (now {reg_covar}), use fewer "
        "components, or scale the data."
    )


def precision_cholesky(cov: np.ndarray, cov_type: str, reg_covar: float) -> np.ndarray:
    """Cholesky factors of the precisions from covariances (upper triangular for 'full' and
    'tied', ``1 / sqrt(variance)`` otherwise); a collapsed component is an error naming it."""
    if cov_type in ("full", "tied"):
        covs = cov if cov_type == "full" else cov[None]
        d = covs.shape[-1]
        out = np.empty_like(covs)
        for j, c in enumerate(covs):
            try:
                chol = linalg.cholesky(c, lower=True)
            except linalg.LinAlgError:
                raise _collapse_error(
                    f"component {j}" if cov_type == "full" else "the tied covariance", reg_covar
                ) from None
            out[j] = linalg.solve_triangular(chol, np.eye(d, dtype=c.dtype), lower=True).T
        return out if cov_type == "full" else out[0]
    bad = np.flatnonzero(np.ravel(cov <= 0.0) if cov_type == "spherical" else (cov <= 0).any(1))
    if bad.size:
        raise _collapse_error(f"component {int(bad[0])}", reg_covar)
    return 1.0 / np.sqrt(cov)


class _GaussianBase(BaseMixture):
    """What GaussianMixture and BayesianGaussianMixture share: the initial responsibilities,
    the fused E-step (Gaussian log densities plus per-component offsets), sampling."""

    n_components: int
    covariance_type: str
    init_params: str
    # numpy arrays, or tensors after a fit on tensors (the torch path)
    means_: Any
    precisions_cholesky_: Any
    covariances_: Any
    weights_: Any
    precisions_: Any

    def _validate_common_params(self) -> None:
        """The parameters GaussianMixture and BayesianGaussianMixture share."""
        check_int("n_components", self.n_components, low=1)
        check_option("covariance_type", self.covariance_type, COVARIANCE_TYPES)
        check_real("tol", self.tol, low=0.0)
        check_real("reg_covar", self.reg_covar, low=0.0)
        check_int("max_iter", self.max_iter, low=0)
        check_int("n_init", self.n_init, low=1)
        check_option("init_params", self.init_params, INIT_PARAMS)
        check_int("verbose", self.verbose, low=0)
        check_int("verbose_interval", self.verbose_interval, low=1)
        if not isinstance(self.warm_start, (bool, np.bool_)):
            raise TypeError(f"warm_start={self.warm_start!r} must be True or False.")

    def _log_prob_offset(self) -> np.ndarray | float:
        """Per-component constant added to the Gaussian log densities (0 here)."""
        return 0.0

    def _initial_resp(self, X: np.ndarray, w: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
        n, k = X.shape[0], self.n_components
        resp = np.zeros((n, k), dtype=X.dtype)
        if self.init_params == "kmeans":
            from ..centroid import KMeans

            labels = KMeans(k, n_init=1, random_state=rng).fit(X, sample_weight=w).labels_
            resp[np.arange(n), labels] = 1
        elif self.init_params == "random":
            resp = np.asarray(rng.uniform(size=(n, k)), dtype=X.dtype)
            resp /= resp.sum(axis=1)[:, None]
        elif self.init_params == "random_from_data":
            idx = rng.choice(n, size=k, replace=False)
            resp[idx, np.arange(k)] = 1
        else:
            from ..centroid import kmeans_plusplus

            _, idx = kmeans_plusplus(X, k, sample_weight=w, random_state=rng)
            resp[idx, np.arange(k)] = 1
        return resp

    def _resp_weighted(self, X: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if is_torch_tensor(X):
            return self._estep_torch(X, w)
        # The fit loop reuses its (n, k) and (n,) buffers: fresh 8 MB arrays at every step
        # cost as much in page faults as the E-step itself.
        n, k = X.shape[0], self.n_components
        buf = getattr(self, "_em_buffers", None)
        if buf is None or buf[0].shape != (n, k) or buf[0].dtype != X.dtype:
            buf = (np.empty((n, k), dtype=X.dtype), np.empty(n, dtype=np.float64))
            self._em_buffers = buf
        return self._estep(X, w, *buf)

    def _log_resp(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if is_torch_tensor(X):
            return self._estep_torch(X, None)
        return self._estep(X, None)

    def _estep_torch(self, X: Any, w: Any) -> Any:
        """The fused E-step on the torch backend: ``(log p(x) float64, log responsibilities)``
        or, with weights ``w``, the responsibilities times ``w``. X is measured from the
        weighted mean of the components (fp32 distances keep their digits far from 0)."""
        import torch

        kern = select_backend(X).kernels
        n, k = X.shape[0], self.n_components
        f64 = torch.float64
        weights = as_param(self.weights_, X, f64)
        means = as_param(self.means_, X, f64)
        shift = weights @ means / weights.sum()
        with np.errstate(divide="ignore"):
            offsets = np.broadcast_to(np.asarray(self._log_prob_offset(), np.float64), (k,))
        out = torch.empty((n, k), dtype=X.dtype, device=X.device)
        norm = torch.empty(n, dtype=f64, device=X.device)
        kern.gaussian_estep(
            X, means, as_param(self.precisions_cholesky_, X), self.covariance_type,
            as_param(np.ascontiguousarray(offsets), X, f64), torch.log(weights), w, out, norm,
            shift,
        )  # fmt: skip
        return norm, out

    def _estep(
        self,
        X: np.ndarray,
        w: np.ndarray | None,
        out: np.ndarray | None = None,
        norm: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Fused E-step: ``(log p(x), log responsibilities)``, or with weights ``w`` the
        responsibilities times ``w`` in place of their logs."""
        kern = select_backend(X).kernels
        n, d = X.shape
        k = self.n_components
        ct = self.covariance_type
        pc = self.precisions_cholesky_.astype(np.float64)
        means = self.means_.astype(np.float64)
        log_det = np.broadcast_to(
            kern.gaussian_log_det_chol(pc, ct, d) + self._log_prob_offset(), (k,)
        ).astype(np.float64)
        log_w = self._log_weights().astype(np.float64)
        if out is None or norm is None:
            out = np.empty((n, k), dtype=X.dtype)
            norm = np.empty(n, dtype=np.float64)
        n_blocks = int(max(1, min(n, 4 * numba.get_num_threads())))
        bounds = np.linspace(0, n, n_blocks + 1).astype(np.int64)
        ww = np.empty(0, dtype=np.float64) if w is None else w
        if ct in ("diag", "spherical"):
            prec = pc**2 if ct == "diag" else np.repeat((pc**2)[:, None], d, axis=1)
            kern.gaussian_estep_diag(
                X, means, np.ascontiguousarray(prec), log_det, log_w, bounds, ww,
                w is not None, out, norm,
            )  # fmt: skip
            return norm, out
        # One BLAS tile per chunk of rows against every Cholesky factor.
        if ct == "full":
            Lcat = np.ascontiguousarray(np.transpose(pc, (1, 0, 2)).reshape(d, -1), X.dtype)
            muL = np.einsum("kd,kdf->kf", means, pc)
        else:
            Lcat = np.ascontiguousarray(pc, X.dtype)
            muL = means @ pc
        chunk = int(max(16, min(1024, 65536 // max(Lcat.shape[1], 1))))
        with blas_one_thread():
            kern.gaussian_estep_chol(
                X, Lcat, np.ascontiguousarray(muL), log_det, log_w, bounds, chunk, ww,
                w is not None, out, norm,
            )  # fmt: skip
        return norm, out

    def _log_prob(self, X: np.ndarray) -> np.ndarray:
        out = np.empty((X.shape[0], self.n_components), dtype=X.dtype)
        select_backend(X).kernels.gaussian_log_prob(
            X,
            self.means_.astype(X.dtype, copy=False),
            self.precisions_cholesky_.astype(X.dtype, copy=False),
            self.covariance_type,
            out,
        )
        out += np.asarray(self._log_prob_offset(), dtype=out.dtype)
        return out

    def _log_weights(self) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return np.log(self.weights_)

    def sample(self, n_samples: int = 1) -> tuple[Any, Any]:
        """Draw samples from the fitted model.

        Parameters
        ----------
        n_samples : int, default=1

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        y : ndarray of shape (n_samples,), int64
            Component of each sample (samples are grouped by component).

        Both are tensors on the model's device when it was fitted on tensors (drawn on the
        host from ``random_state``, the same draws as a numpy-fitted model).
        """
        check_fitted(self, "weights_")
        check_int("n_samples", n_samples, low=1)
        rng = check_random_state(self.random_state)
        means_, covs = to_host(self.means_), to_host(self.covariances_)
        d = means_.shape[1]
        counts = rng.multinomial(n_samples, to_host(self.weights_).astype(np.float64))
        parts = []
        for j, (mean, c) in enumerate(zip(means_, counts)):
            if self.covariance_type == "full":
                parts.append(rng.multivariate_normal(mean, covs[j], int(c)))
            elif self.covariance_type == "tied":
                parts.append(rng.multivariate_normal(mean, covs, int(c)))
            else:
                var = covs[j]
                parts.append(mean + rng.standard_normal(size=(int(c), d)) * np.sqrt(var))
        y = np.concatenate([np.full(int(c), j, dtype=np.int64) for j, c in enumerate(counts)])
        Xs = np.vstack(parts)
        if is_torch_tensor(self.means_):
            # Drawn on the host from random_state (the same draws as the numba path), then
            # moved to the model's device in its dtype.
            import torch

            dev = self.means_.device
            return (
                torch.as_tensor(Xs, dtype=self.means_.dtype, device=dev),
                torch.as_tensor(y, device=dev),
            )
        return Xs, y


class GaussianMixture(_GaussianBase):
    """Gaussian mixture model fitted by EM (drop-in for ``sklearn.mixture.GaussianMixture``).

    Parameters
    ----------
    n_components : int, default=1
        Number of mixture components.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}, default='full'
        'full': each component its own covariance matrix; 'tied': one matrix shared by all;
        'diag': each its own diagonal covariance; 'spherical': each its own single variance.
    tol : float, default=1e-3
        EM stops when the mean log-likelihood gains less than this.
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance (keeps them positive definite).
    max_iter : int, default=100
        Most EM iterations per initialisation.
    n_init : int, default=1
        Initialisations; the one with the highest final log-likelihood is kept.
    init_params : {'kmeans', 'k-means++', 'random', 'random_from_data'}, default='kmeans'
        Initial responsibilities: k-means labels (shoal's ``KMeans``), k-means++ centres,
        random, or random samples as one-point components.
    weights_init : array-like of shape (n_components,), default=None
        Initial weights (sum to 1).
    means_init : array-like of shape (n_components, n_features), default=None
        Initial means.
    precisions_init : array-like, default=None
        Initial precisions (inverse covariances), shaped as ``covariances_``.
    random_state : int, RandomState instance or None, default=None
        Seed of the initialisation.
    warm_start : bool, default=False
        Start the next ``fit`` from the current solution (one initialisation).
    verbose : int, default=0
        1 prints each initialisation, 2 also the change every ``verbose_interval`` iterations.
    verbose_interval : int, default=10
        Iterations between messages.
    device : {None, "auto", "cpu", "cuda", "cuda:N"}, default=None
        Where EM runs. None/"auto" follow the input: numpy runs the numba kernels, a torch
        tensor runs the torch kernels on the tensor's device. "cuda" runs numpy input on the
        GPU (results come back as numpy). See Notes.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
    means_ : ndarray of shape (n_components, n_features)
    covariances_ : ndarray
        (n_components, n_features, n_features) for 'full', (n_features, n_features) for 'tied',
        (n_components, n_features) for 'diag', (n_components,) for 'spherical'.
    precisions_ : ndarray
        Inverses of the covariances, same shapes.
    precisions_cholesky_ : ndarray
        Cholesky factors ``L`` of the precisions (``precision = L L^T``), same shapes.
    converged_ : bool
    n_iter_ : int
        EM iterations of the best initialisation.
    lower_bound_ : float
        Mean (weighted) log-likelihood of the training data at the end of the best run.
    lower_bounds_ : list of float
        The same after every EM iteration of the best run.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Notes
    -----
    Beyond scikit-learn: ``sample_weight`` in ``fit`` (integer weights act as repeated rows),
    ``icl``, and an error naming the component when a covariance collapses. Memory O(n k + n d)
    per E- and M-step (one component at a time, no (n, k, d) temporaries). With
    ``init_params='kmeans'`` the components come in the order of shoal's KMeans clusters
    (lexicographic centres), which can differ from scikit-learn's order.

    The torch path (a tensor in, or ``device="cuda"``): E- and M-steps are torch kernels in
    X's dtype (float32 stays float32 on the GPU; data are measured from their mean so that
    float32 keeps its digits); the initialisation (k-means labels, random draws) runs on the
    host from ``random_state``, giving the same start as the numba path. Fitted array
    attributes are tensors on X's device, and ``predict``, ``predict_proba``,
    ``score_samples``, ``fit_predict`` and ``sample`` return tensors there. A model fitted on
    tensors cannot be saved with ``shoal.io.save`` (it refuses the tensors with a
    ``TypeError``); fit on numpy with ``device="cuda"`` to get numpy attributes.

    Examples
    --------
    >>> import numpy as np
    >>> from shoal import GaussianMixture
    >>> X = np.array([[1.0, 2.0], [1.0, 4.0], [1.0, 0.0], [10.0, 2.0], [10.0, 4.0], [10.0, 0.0]])
    >>> gm = GaussianMixture(n_components=2, random_state=0).fit(X)
    >>> np.round(gm.means_, 6).tolist()
    [[1.0, 2.0], [10.0, 2.0]]
    >>> gm.predict([[0.0, 0.0], [12.0, 3.0]]).tolist()
    [0, 1]
    """

    _test_params: ClassVar[dict[str, Any]] = {}

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
        device: str | None = None,
    ) -> None:
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval
        self.device = device

    _torch_support: ClassVar[bool] = True

    def _validate_params(self) -> None:
        self._validate_common_params()

    # -- initial parameters -------------------------------------------------------------------
    def _check_init_arrays(self, X: np.ndarray, w: np.ndarray) -> None:
        k, d = self.n_components, X.shape[1]
        self._weights_init = self._means_init = self._precisions_init = None
        if self.weights_init is not None:
            wi = _float_array(self.weights_init, "weights_init")
            if wi.shape != (k,):
                raise ValueError(
                    f"weights_init has shape {wi.shape}; it should be (n_components,) = ({k},)."
                )
            if (wi < 0).any() or (wi > 1).any() or not np.isclose(wi.sum(), 1.0):
                raise ValueError(
                    f"weights_init must be in [0, 1] and sum to 1; got sum {wi.sum():.6g}, "
                    f"min {wi.min():.6g}, max {wi.max():.6g}."
                )
            self._weights_init = wi.astype(X.dtype)
        if self.means_init is not None:
            mi = _float_array(self.means_init, "means_init")
            if mi.shape != (k, d):
                raise ValueError(
                    f"means_init has shape {mi.shape}; it should be (n_components, "
                    f"n_features) = ({k}, {d})."
                )
            self._means_init = mi.astype(X.dtype)
        if self.precisions_init is not None:
            pi = _float_array(self.precisions_init, "precisions_init")
            shape = {"full": (k, d, d), "tied": (d, d), "diag": (k, d), "spherical": (k,)}
            want = shape[self.covariance_type]
            if pi.shape != want:
                raise ValueError(
                    f"precisions_init has shape {pi.shape}; with covariance_type="
                    f"'{self.covariance_type}' it should be {want}."
                )
            pi = pi.astype(X.dtype)
            if self.covariance_type in ("full", "tied"):
                mats = pi if self.covariance_type == "full" else pi[None]
                for j, p in enumerate(mats):
                    if not np.allclose(p, p.T) or np.linalg.eigvalsh(p).min() <= 0:
                        raise ValueError(
                            f"precisions_init[{j}] is not symmetric positive definite."
                            if self.covariance_type == "full"
                            else "precisions_init is not symmetric positive definite."
                        )
            elif (pi <= 0).any():
                raise ValueError("precisions_init must be positive.")
            self._precisions_init = pi

    def _initialize_parameters(
        self, X: np.ndarray, w: np.ndarray, rng: np.random.RandomState
    ) -> None:
        if is_torch_tensor(X):
            self._initialize_torch(X, w, rng)
            return
        # Second moments are summed about the data mean (computed once per fit).
        self._shift = X.mean(axis=0, dtype=np.float64)
        resp = self._initial_resp(X, w, rng)
        if self.init_params in ("kmeans", "random"):
            resp *= w[:, None]
        kern = select_backend(X).kernels
        nk, means, cov = kern.gaussian_moments(
            X, resp, self.covariance_type, self.reg_covar, self._shift, w
        )
        # scikit-learn divides by the number of samples (the total weight here), not by
        # nk.sum(): the same when rows of resp sum to one; for the one-hot inits
        # ('random_from_data', 'k-means++') the first E-step then sees weights summing to
        # k / n. Kept for identical results.
        weights = (nk / w.sum(dtype=np.float64)).astype(nk.dtype)
        self.weights_ = weights if self._weights_init is None else self._weights_init.copy()
        self.means_ = means if self._means_init is None else self._means_init.copy()
        if self._precisions_init is None:
            self.covariances_ = cov
            self.precisions_cholesky_ = precision_cholesky(
                cov, self.covariance_type, self.reg_covar
            )
        else:
            self.precisions_cholesky_ = self._chol_of_precisions(self._precisions_init)
            self.covariances_ = cov

    def _initialize_torch(self, X: Any, w: Any, rng: np.random.RandomState) -> None:
        """The torch path's initialisation: responsibilities drawn on the host exactly as the
        numba path draws them (k-means on a host copy of X), moments by the torch kernel."""
        import torch

        kern = select_backend(X).kernels
        self._shift = X.mean(dim=0, dtype=torch.float64)
        host_dt = np.float32 if X.dtype == torch.float32 else np.float64
        if self.init_params in ("kmeans", "k-means++"):
            Xh, wh = to_host(X), to_host(w)
        else:  # the draws need only n and the dtype
            Xh, wh = np.empty((X.shape[0], 0), dtype=host_dt), np.empty(0, dtype=host_dt)
        resp = torch.as_tensor(self._initial_resp(Xh, wh, rng), device=X.device)
        if self.init_params in ("kmeans", "random"):
            resp *= w[:, None]
        nk, means, cov = kern.gaussian_moments(
            X, resp, self.covariance_type, self.reg_covar, self._shift, w
        )
        weights = (nk.double() / w.double().sum()).to(nk.dtype)
        self.weights_ = weights if self._weights_init is None else as_param(self._weights_init, X)
        self.means_ = means if self._means_init is None else as_param(self._means_init, X)
        self.covariances_ = cov
        if self._precisions_init is None:
            self.precisions_cholesky_ = self._precision_cholesky_torch(cov)
        else:
            self.precisions_cholesky_ = as_param(self._chol_of_precisions(self._precisions_init), X)

    def _precision_cholesky_torch(self, cov: Any) -> Any:
        pc, bad = select_backend(cov).kernels.gaussian_precision_cholesky(cov, self.covariance_type)
        if bad >= 0:
            what = "the tied covariance" if self.covariance_type == "tied" else f"component {bad}"
            raise _collapse_error(what, self.reg_covar)
        return pc

    def _fitted_to_host(self) -> None:
        for name in ("weights_", "means_", "covariances_", "precisions_cholesky_",
                     "precisions_"):  # fmt: skip
            if is_torch_tensor(getattr(self, name, None)):
                setattr(self, name, to_host(getattr(self, name)))
        self.__dict__.pop("_shift", None)

    def _chol_of_precisions(self, prec: np.ndarray) -> np.ndarray:
        # An upper-triangular U with P = U U^T (the form the M-step produces): the lower
        # Cholesky factor of P with rows and columns reversed, reversed back.
        def upper(p: np.ndarray) -> np.ndarray:
            return np.asarray(linalg.cholesky(p[::-1, ::-1], lower=True)[::-1, ::-1])

        if self.covariance_type == "full":
            return np.stack([upper(p) for p in prec])
        if self.covariance_type == "tied":
            return upper(prec)
        return np.sqrt(prec)

    # -- EM hooks -------------------------------------------------------------------------------
    def _m_step(self, X: Any, resp_w: Any) -> None:
        """Weights, means and covariances from the responsibilities (either backend): the
        moments are measured from ``_shift`` (the data mean of the fit) when it lives where X
        does."""
        on_torch = is_torch_tensor(X)
        kern = select_backend(X).kernels
        shift: Any = getattr(self, "_shift", None)
        if shift is None or is_torch_tensor(shift) != on_torch or shift.shape[0] != X.shape[1]:
            shift = None
        nk, means, cov = kern.gaussian_moments(
            X, resp_w, self.covariance_type, self.reg_covar, shift,
            getattr(self, "_em_weights", None),
        )  # fmt: skip
        self.weights_ = nk / nk.sum()
        self.means_ = means
        self.covariances_ = cov
        if on_torch:
            self.precisions_cholesky_ = self._precision_cholesky_torch(cov)
            return
        self.precisions_cholesky_ = precision_cholesky(cov, self.covariance_type, self.reg_covar)

    def _get_parameters(self) -> tuple[Any, ...]:
        return (self.weights_, self.means_, self.covariances_, self.precisions_cholesky_)

    def _set_parameters(self, params: tuple[Any, ...]) -> None:
        self.weights_, self.means_, self.covariances_, self.precisions_cholesky_ = params
        pc = self.precisions_cholesky_
        if is_torch_tensor(pc):
            import torch

            if self.covariance_type == "full":
                self.precisions_ = torch.einsum("kij,klj->kil", pc, pc)
            elif self.covariance_type == "tied":
                self.precisions_ = pc @ pc.T
            else:
                self.precisions_ = pc**2
        elif self.covariance_type == "full":
            self.precisions_ = np.einsum("kij,klj->kil", pc, pc)
        elif self.covariance_type == "tied":
            self.precisions_ = pc @ pc.T
        else:
            self.precisions_ = pc**2

    # -- model selection and sampling ------------------------------------------------------------
    def _n_parameters(self) -> int:
        k, d = (int(v) for v in self.means_.shape)
        cov = {"full": k * d * (d + 1) / 2.0, "diag": k * d, "tied": d * (d + 1) / 2.0}.get(
            self.covariance_type, k
        )
        return int(cov + k * d + k - 1)

    def _total_log_likelihood(self, X: Any) -> tuple[float, int]:
        X = self._checked(X)
        return float(self._log_resp(X)[0].sum()), X.shape[0]

    def bic(self, X: Any) -> float:
        """Bayesian information criterion on X (lower is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        bic : float
            ``-2 log L + n_parameters * log(n_samples)``.
        """
        ll, n = self._total_log_likelihood(X)
        return -2.0 * ll + self._n_parameters() * np.log(n)

    def aic(self, X: Any) -> float:
        """Akaike information criterion on X (lower is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        aic : float
            ``-2 log L + 2 n_parameters``.
        """
        ll, _ = self._total_log_likelihood(X)
        return -2.0 * ll + 2 * self._n_parameters()

    def icl(self, X: Any) -> float:
        """Integrated completed likelihood (Biernacki et al. 2000; as in mclust, lower is
        better here): the BIC plus twice the entropy of the posterior assignments,
        ``BIC - 2 sum_i sum_j t_ij log t_ij``, which penalises overlapping components.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        icl : float
        """
        X = self._checked(X)
        norm, log_resp = (to_host(v) for v in self._log_resp(X))
        n = X.shape[0]
        bic = -2.0 * float(norm.sum()) + self._n_parameters() * np.log(n)
        resp = np.exp(log_resp)
        entropy = -float(np.sum(resp * np.where(resp > 0, log_resp, 0.0)))
        return bic + 2.0 * entropy
