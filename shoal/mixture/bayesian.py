"""BayesianGaussianMixture: variational inference for Gaussian mixtures (Dirichlet or
Dirichlet-process prior on the weights, Gaussian-Wishart prior on means and precisions)."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from scipy.special import betaln, digamma, gammaln

from .._backend import select_backend
from .._validation import check_option, check_real
from .gaussian import (
    _float_array,
    _GaussianBase,
    precision_cholesky,
)

__all__ = ["BayesianGaussianMixture"]

PRIOR_TYPES = ("dirichlet_process", "dirichlet_distribution")


def _log_wishart_norm(dof: np.ndarray, log_det_chol: np.ndarray, d: int) -> np.ndarray:
    """Log normalisation of Wishart distributions (per component)."""
    return -(
        dof * log_det_chol
        + dof * d * 0.5 * math.log(2.0)
        + np.sum(gammaln(0.5 * (dof - np.arange(d)[:, None])), 0)
    )


class BayesianGaussianMixture(_GaussianBase):
    """Variational Bayesian Gaussian mixture (drop-in for
    ``sklearn.mixture.BayesianGaussianMixture``).

    The weights get a Dirichlet-process (stick-breaking) or a Dirichlet prior, each component's
    mean and precision a Gaussian-Wishart prior; variational EM fits the posterior. With a
    small ``weight_concentration_prior`` superfluous components get weights near zero, so
    ``n_components`` is an upper bound and :meth:`effective_n_components` tells how many are
    in use.

    Parameters
    ----------
    n_components : int, default=1
        Most components.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}, default='full'
    tol : float, default=1e-3
        Stop when the lower bound gains less than this.
    reg_covar : float, default=1e-6
        Added to the diagonal of the data covariances of the components.
    max_iter : int, default=100
    n_init : int, default=1
    init_params : {'kmeans', 'k-means++', 'random', 'random_from_data'}, default='kmeans'
    weight_concentration_prior_type : {'dirichlet_process', 'dirichlet_distribution'}, \
default='dirichlet_process'
    weight_concentration_prior : float > 0, default=None
        Dirichlet (process) concentration; ``1 / n_components`` when None. Small values put
        the mass on few components.
    mean_precision_prior : float > 0, default=None
        Precision prior of the means (1 when None).
    mean_prior : array-like of shape (n_features,), default=None
        Prior mean of the means (the data mean when None).
    degrees_of_freedom_prior : float > n_features - 1, default=None
        Wishart degrees of freedom (n_features when None).
    covariance_prior : float or array-like, default=None
        Wishart covariance prior, shaped by ``covariance_type`` (the data covariance when
        None).
    random_state : int, RandomState instance or None, default=None
    warm_start : bool, default=False
    verbose : int, default=0
    verbose_interval : int, default=10

    Attributes
    ----------
    weights_, means_, covariances_, precisions_, precisions_cholesky_ : ndarray
        As in ``GaussianMixture`` (posterior expectations).
    converged_ : bool
    n_iter_ : int
    lower_bound_ : float
        Evidence lower bound of the best run (up to a constant).
    lower_bounds_ : list of float
    weight_concentration_prior_, weight_concentration_ : float, ndarray or tuple
    mean_precision_prior_ : float
    mean_precision_ : ndarray of shape (n_components,)
    mean_prior_ : ndarray of shape (n_features,)
    degrees_of_freedom_prior_ : float
    degrees_of_freedom_ : ndarray of shape (n_components,)
    covariance_prior_ : float or ndarray
    n_features_in_ : int
    feature_names_in_ : ndarray

    Notes
    -----
    Bishop (2006), ch. 10; Blei & Jordan (2006) for the Dirichlet process. ``sample_weight`` in
    ``fit`` acts as repeated rows (the default priors use the weighted data mean and
    covariance).

    Examples
    --------
    >>> import numpy as np
    >>> from shoal import BayesianGaussianMixture
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(0, 1, (200, 2)), rng.normal(8, 1, (200, 2))])
    >>> bgm = BayesianGaussianMixture(n_components=6, weight_concentration_prior=1e-3,
    ...                               random_state=0, max_iter=500).fit(X)
    >>> bgm.effective_n_components()
    2
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
        weight_concentration_prior_type: str = "dirichlet_process",
        weight_concentration_prior: float | None = None,
        mean_precision_prior: float | None = None,
        mean_prior: Any = None,
        degrees_of_freedom_prior: float | None = None,
        covariance_prior: Any = None,
        random_state: Any = None,
        warm_start: bool = False,
        verbose: int = 0,
        verbose_interval: int = 10,
    ) -> None:
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weight_concentration_prior_type = weight_concentration_prior_type
        self.weight_concentration_prior = weight_concentration_prior
        self.mean_precision_prior = mean_precision_prior
        self.mean_prior = mean_prior
        self.degrees_of_freedom_prior = degrees_of_freedom_prior
        self.covariance_prior = covariance_prior
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval

    def _validate_params(self) -> None:
        self._validate_common_params()
        check_option(
            "weight_concentration_prior_type", self.weight_concentration_prior_type, PRIOR_TYPES
        )
        check_real(
            "weight_concentration_prior", self.weight_concentration_prior, low=0.0,
            low_inclusive=False, allow_none=True,
        )  # fmt: skip
        check_real(
            "mean_precision_prior", self.mean_precision_prior, low=0.0, low_inclusive=False,
            allow_none=True,
        )  # fmt: skip
        check_real("degrees_of_freedom_prior", self.degrees_of_freedom_prior, allow_none=True)

    # -- priors --------------------------------------------------------------------------------
    def _check_init_arrays(self, X: np.ndarray, w: np.ndarray) -> None:
        """Resolve the priors (the data's weighted moments by default)."""
        d = X.shape[1]
        w = w.astype(np.float64)
        wsum = float(w.sum())
        mean = (w @ X.astype(np.float64)) / wsum
        k = self.n_components
        self.weight_concentration_prior_ = (
            1.0 / k if self.weight_concentration_prior is None else self.weight_concentration_prior
        )
        self.mean_precision_prior_ = (
            1.0 if self.mean_precision_prior is None else self.mean_precision_prior
        )
        if self.mean_prior is None:
            self.mean_prior_ = mean.astype(X.dtype)
        else:
            mp = _float_array(self.mean_prior, "mean_prior")
            if mp.shape != (d,):
                raise ValueError(f"mean_prior has shape {mp.shape}; it should be ({d},).")
            self.mean_prior_ = mp.astype(X.dtype)
        if self.degrees_of_freedom_prior is None:
            self.degrees_of_freedom_prior_ = float(d)
        elif self.degrees_of_freedom_prior > d - 1.0:
            self.degrees_of_freedom_prior_ = float(self.degrees_of_freedom_prior)
        else:
            raise ValueError(
                f"degrees_of_freedom_prior={self.degrees_of_freedom_prior} must be > "
                f"n_features - 1 = {d - 1}."
            )
        ct = self.covariance_type
        if self.covariance_prior is None:
            # The sample covariance with weights counted as repetitions (ddof = 1).
            diff = X.astype(np.float64) - mean
            cov = (diff.T * w) @ diff / (wsum - 1.0)
            var = np.diag(cov).copy()
            self.covariance_prior_ = {
                "full": cov,
                "tied": cov,
                "diag": var,
                "spherical": float(var.mean()),
            }[ct]
            return
        cp = _float_array(self.covariance_prior, "covariance_prior")
        if ct in ("full", "tied"):
            if cp.shape != (d, d):
                raise ValueError(
                    f"{ct} covariance_prior has shape {cp.shape}; it should be ({d}, {d})."
                )
            if not np.allclose(cp, cp.T) or np.linalg.eigvalsh(cp).min() <= 0:
                raise ValueError(f"{ct} covariance_prior is not symmetric positive definite.")
            self.covariance_prior_ = cp
        elif ct == "diag":
            if cp.shape != (d,):
                raise ValueError(
                    f"diag covariance_prior has shape {cp.shape}; it should be ({d},)."
                )
            if (cp <= 0).any():
                raise ValueError("diag covariance_prior must be positive.")
            self.covariance_prior_ = cp
        else:
            if cp.ndim != 0 or float(cp) <= 0:
                raise ValueError(
                    f"spherical covariance_prior={self.covariance_prior!r} must be a positive "
                    "number."
                )
            self.covariance_prior_ = float(cp)

    # -- variational updates ----------------------------------------------------------------
    def _initialize_parameters(
        self, X: np.ndarray, w: np.ndarray, rng: np.random.RandomState
    ) -> None:
        self._shift = X.mean(axis=0, dtype=np.float64)
        resp = self._initial_resp(X, w, rng)
        if self.init_params in ("kmeans", "random"):
            resp *= w[:, None]
        self._m_step(X, resp)

    def _m_step(self, X: np.ndarray, resp_w: np.ndarray) -> None:
        kern = select_backend(X).kernels
        shift = getattr(self, "_shift", None)
        if shift is None or shift.shape[0] != X.shape[1]:
            shift = None
        nk, xk, sk = kern.gaussian_moments(
            X, resp_w, self.covariance_type, self.reg_covar, shift,
            getattr(self, "_em_weights", None),
        )  # fmt: skip
        nk = nk.astype(np.float64)
        xk = xk.astype(np.float64)
        sk = np.asarray(sk, dtype=np.float64)
        # Weights.
        if self.weight_concentration_prior_type == "dirichlet_process":
            tail = np.hstack((np.cumsum(nk[::-1])[-2::-1], 0))
            self.weight_concentration_ = (1.0 + nk, self.weight_concentration_prior_ + tail)
        else:
            self.weight_concentration_ = self.weight_concentration_prior_ + nk
        # Means.
        b0 = self.mean_precision_prior_
        m0 = self.mean_prior_.astype(np.float64)
        self.mean_precision_ = b0 + nk
        self.means_ = ((b0 * m0 + nk[:, None] * xk) / self.mean_precision_[:, None]).astype(X.dtype)
        # Wishart posteriors.
        k = self.n_components
        nu0 = self.degrees_of_freedom_prior_
        diff = xk - m0
        ct = self.covariance_type
        if ct == "full":
            self.degrees_of_freedom_ = nu0 + nk
            scale = nk * b0 / self.mean_precision_
            cov = (
                self.covariance_prior_
                + nk[:, None, None] * sk
                + scale[:, None, None] * diff[:, :, None] * diff[:, None, :]
            )
            cov /= self.degrees_of_freedom_[:, None, None]
        elif ct == "tied":
            self.degrees_of_freedom_ = nu0 + nk.sum() / k
            cov = (
                self.covariance_prior_
                + sk * nk.sum() / k
                + b0 / k * np.dot(nk / self.mean_precision_ * diff.T, diff)
            )
            cov /= self.degrees_of_freedom_
        elif ct == "diag":
            self.degrees_of_freedom_ = nu0 + nk
            cov = self.covariance_prior_ + nk[:, None] * (
                sk + (b0 / self.mean_precision_)[:, None] * diff**2
            )
            cov /= self.degrees_of_freedom_[:, None]
        else:
            self.degrees_of_freedom_ = nu0 + nk
            cov = self.covariance_prior_ + nk * (
                sk + b0 / self.mean_precision_ * np.mean(diff**2, 1)
            )
            cov /= self.degrees_of_freedom_
        self.covariances_ = np.asarray(cov, dtype=X.dtype)
        self.precisions_cholesky_ = precision_cholesky(self.covariances_, ct, self.reg_covar)

    # -- E-step pieces -----------------------------------------------------------------------
    def _log_weights(self) -> np.ndarray:
        wc = self.weight_concentration_
        if self.weight_concentration_prior_type == "dirichlet_process":
            a, b = wc
            dsum = digamma(a + b)
            return np.asarray(digamma(a) - dsum + np.hstack((0, np.cumsum(digamma(b) - dsum)[:-1])))
        return np.asarray(digamma(wc) - digamma(np.sum(wc)))

    def _log_prob_offset(self) -> np.ndarray:
        d = self.means_.shape[1]
        dof = np.asarray(self.degrees_of_freedom_, dtype=np.float64)
        log_lambda = d * np.log(2.0) + np.sum(digamma(0.5 * (dof - np.arange(d)[:, None])), 0)
        return np.asarray(-0.5 * d * np.log(dof) + 0.5 * (log_lambda - d / self.mean_precision_))

    def _lower_bound(
        self, norm: np.ndarray, resp_w: np.ndarray, w: np.ndarray, wsum: float
    ) -> float:
        d = self.means_.shape[1]
        ct = self.covariance_type
        kern = select_backend(resp_w).kernels
        dof = np.asarray(self.degrees_of_freedom_, dtype=np.float64)
        log_det = kern.gaussian_log_det_chol(
            self.precisions_cholesky_.astype(np.float64), ct, d
        ) - 0.5 * d * np.log(dof)
        if ct == "tied":
            log_wishart = self.n_components * float(
                np.asarray(_log_wishart_norm(dof, log_det, d)).reshape(-1)[0]
            )
        else:
            log_wishart = float(np.sum(_log_wishart_norm(dof, log_det, d)))
        if self.weight_concentration_prior_type == "dirichlet_process":
            log_norm_weight = -float(np.sum(betaln(*self.weight_concentration_)))
        else:
            wc = self.weight_concentration_
            log_norm_weight = float(gammaln(np.sum(wc)) - np.sum(gammaln(wc)))
        # Entropy of the responsibilities, each sample counted w_i times.
        r = resp_w.astype(np.float64) / np.where(w > 0, w, 1.0)[:, None]
        ent = float(np.sum(resp_w * np.log(np.where(r > 0, r, 1.0))))
        return (
            -ent
            - log_wishart
            - log_norm_weight
            - 0.5 * d * float(np.sum(np.log(self.mean_precision_)))
        )

    # -- parameters ----------------------------------------------------------------------------
    def _get_parameters(self) -> tuple[Any, ...]:
        return (
            self.weight_concentration_,
            self.mean_precision_,
            self.means_,
            self.degrees_of_freedom_,
            self.covariances_,
            self.precisions_cholesky_,
        )

    def _set_parameters(self, params: tuple[Any, ...]) -> None:
        (
            self.weight_concentration_,
            self.mean_precision_,
            self.means_,
            self.degrees_of_freedom_,
            self.covariances_,
            self.precisions_cholesky_,
        ) = params
        if self.weight_concentration_prior_type == "dirichlet_process":
            a, b = self.weight_concentration_
            tot = a + b
            weights = a / tot * np.hstack((1, np.cumprod(b / tot)[:-1]))
            self.weights_ = weights / np.sum(weights)
        else:
            self.weights_ = self.weight_concentration_ / np.sum(self.weight_concentration_)
        pc = self.precisions_cholesky_
        if self.covariance_type == "full":
            self.precisions_ = np.einsum("kij,klj->kil", pc, pc)
        elif self.covariance_type == "tied":
            self.precisions_ = pc @ pc.T
        else:
            self.precisions_ = pc**2

    def effective_n_components(self, threshold: float = 0.01) -> int:
        """Number of components whose weight exceeds ``threshold``.

        Parameters
        ----------
        threshold : float, default=0.01

        Returns
        -------
        n : int
        """
        check_real("threshold", threshold, low=0.0, high=1.0)
        return int(np.sum(self.weights_ > threshold))
