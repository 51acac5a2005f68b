"""The EM machinery shared by the mixture models (GaussianMixture; BayesianGaussianMixture later).

A model subclass supplies: ``_initialize(X, resp, w)`` (parameters from initial
responsibilities), ``_m_step(X, resp_w)``, ``_log_prob(X)`` ((n, k) per-component log
densities, before the weights), ``_log_weights()``, ``_get_parameters()`` /
``_set_parameters(params)``, and ``_validate_params``. The base runs initialisations, the EM
loop, convergence and the predict / score family.
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, DensityMixin

from .._backend import blas_one_thread, from_tensor, is_torch_tensor, select_backend
from .._base import check_fitted
from .._tensor_input import inference_device, torch_weights, validate_tensor
from .._validation import (
    check_n_clusters,
    check_random_state,
    check_sample_weight,
    validate_X,
)

__all__ = ["BaseMixture"]


def _torch_float32() -> Any:
    import torch

    return torch.float32


class BaseMixture(DensityMixin, BaseEstimator):
    """Base of the mixture models: EM with several initialisations, warm start, verbose output.

    A density estimator (as in scikit-learn), with ``fit_predict`` / ``predict`` for the most
    likely component.
    """

    _test_params: ClassVar[dict[str, Any]] = {}
    # Whether the model has a torch path (its hooks accept tensors).
    _torch_support: ClassVar[bool] = False

    n_components: int
    n_init: int
    max_iter: int
    tol: float
    warm_start: bool
    verbose: int
    verbose_interval: int
    random_state: Any
    lower_bound_: float

    def _validate_params(self) -> None:  # pragma: no cover - overridden
        """Check the constructor parameters; raise with the parameter name and value."""

    # -- hooks -------------------------------------------------------------------------------
    def _initialize_parameters(
        self, X: np.ndarray, w: np.ndarray, rng: np.random.RandomState
    ) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _m_step(self, X: np.ndarray, resp_w: np.ndarray) -> None:  # pragma: no cover
        raise NotImplementedError

    def _log_prob(self, X: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _log_weights(self) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _get_parameters(self) -> tuple[Any, ...]:  # pragma: no cover
        raise NotImplementedError

    def _set_parameters(self, params: tuple[Any, ...]) -> None:  # pragma: no cover
        raise NotImplementedError

    # -- E-step --------------------------------------------------------------------------------
    def _log_resp(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(log_norm (n,) float64, log_resp (n, k))``: log p(x_i) and log p(j | x_i)."""
        log_resp = self._log_prob(X)
        norm = np.empty(X.shape[0], dtype=np.float64)
        lw = self._log_weights().astype(np.float64)
        select_backend(X).kernels.log_normalize_rows(log_resp, lw, norm)
        return norm, log_resp

    def _lower_bound(
        self, norm: np.ndarray, resp_w: np.ndarray, w: np.ndarray, wsum: float
    ) -> float:
        """The quantity EM increases, after an M-step: here the weighted mean log-likelihood
        of the E-step (``norm`` = log p(x_i)); variational models override it."""
        if is_torch_tensor(norm):
            return float((w * norm).sum() / wsum)
        return float(np.dot(w, norm) / wsum)

    def _resp_weighted(self, X: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(log p(x), responsibilities * w)`` for the M-step (models may fuse the two)."""
        norm, log_resp = self._log_resp(X)
        np.exp(log_resp, out=log_resp)
        log_resp *= w[:, None]
        return norm, log_resp

    # -- fit -------------------------------------------------------------------------------------
    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> BaseMixture:
        """Estimate the model parameters with EM.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (float32 stays float32).
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample (integer weights act as repeated rows).

        Returns
        -------
        self
            The fitted estimator.
        """
        self._fit(X, sample_weight)
        return self

    def fit_predict(self, X: Any, y: Any = None, sample_weight: Any = None) -> np.ndarray:
        """Fit, then return the most likely component of each sample (equal to
        ``fit(X).predict(X)``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample.

        Returns
        -------
        labels : ndarray of shape (n_samples,), int64
        """
        return self._fit(X, sample_weight)

    def _fit(self, X: Any, sample_weight: Any) -> np.ndarray:
        # BLAS here only multiplies small matrices; its idle worker threads would otherwise
        # spin on the cores the numba kernels run on.
        with blas_one_thread():
            return self._fit_em(X, sample_weight)

    def _fit_em(self, X: Any, sample_weight: Any) -> np.ndarray:
        from sklearn.exceptions import ConvergenceWarning

        self._validate_params()
        X_in = X
        if self._on_torch(X):
            X = validate_tensor(self, X, reset=True, device=self._device(), min_samples=2)
            n = X.shape[0]
            check_n_clusters(self.n_components, n, name="n_components")
            w = torch_weights(sample_weight, n, X)
            # The array parameters are checked on the host, against X's shape and dtype.
            host_dtype = np.float32 if X.dtype == _torch_float32() else np.float64
            self._check_init_arrays(np.empty((0, X.shape[1]), dtype=host_dtype), w)
            self._em_weights = w
            w64 = w.double()
            wsum = float(w64.sum())
        else:
            X = validate_X(self, X, reset=True, min_samples=2)
            n = X.shape[0]
            check_n_clusters(self.n_components, n, name="n_components")
            w = check_sample_weight(sample_weight, n, X.dtype)
            self._check_init_arrays(X, w)
            self._em_weights = w
            wsum = float(w.sum(dtype=np.float64))
            w64 = w.astype(np.float64)
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
                self._initialize_parameters(X, w, rng)
            bound = -np.inf if do_init else self.lower_bound_
            bounds: list[float] = []
            converged = False
            n_iter = 0
            for n_iter in range(1, self.max_iter + 1):
                prev = bound
                norm, resp_w = self._resp_weighted(X, w)
                self._m_step(X, resp_w)
                bound = self._lower_bound(norm, resp_w, w64, wsum)
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
                stacklevel=3,
            )
        self._set_parameters(best)
        self.__dict__.pop("_em_buffers", None)
        self.__dict__.pop("_em_weights", None)
        self.n_iter_ = best_iter
        self.lower_bound_ = best_bound
        self.lower_bounds_ = best_bounds
        # A last E-step so that fit_predict(X) equals fit(X).predict(X).
        labels = self._log_resp(X)[1].argmax(axis=1)
        if is_torch_tensor(labels):
            self.__dict__.pop("_shift", None)  # the data mean, needed during the fit only
            if not is_torch_tensor(X_in):  # numpy in (device='cuda'): numpy attributes out
                self._fitted_to_host()
            return from_tensor(labels, X_in)
        return np.asarray(labels, dtype=np.int64)

    # -- the torch path ------------------------------------------------------------------------
    def _device(self) -> str | None:
        return getattr(self, "device", None)

    def _on_torch(self, X: Any) -> bool:
        """Whether a fit on X runs on the torch path (a clear error when the model has none)."""
        from .._backend import wants_torch

        if not wants_torch(X, self._device()):
            return False
        if not self._torch_support:
            raise NotImplementedError(
                f"{type(self).__name__} has no torch (GPU) path yet; pass a numpy array "
                "(X.cpu().numpy())."
            )
        return True

    def _fitted_to_host(self) -> None:  # pragma: no cover - overridden with the torch path
        """Turn tensor fitted attributes into numpy arrays."""

    def _check_init_arrays(self, X: np.ndarray, w: np.ndarray) -> None:  # pragma: no cover
        """Validate array parameters against X (and priors that depend on the data)."""

    # -- inference ---------------------------------------------------------------------------
    def _checked(self, X: Any) -> Any:
        """Validated X for the predict family: a tensor on the device it computes on (see
        ``inference_device``), or a numpy array for the numba path."""
        check_fitted(self, "weights_")
        dev = inference_device(X, self._device(), self.weights_) if self._torch_support else None
        if dev is not None:
            return validate_tensor(self, X, reset=False, device=dev)
        return validate_X(self, X, reset=False)

    def score_samples(self, X: Any) -> np.ndarray:
        """Log-likelihood of each sample under the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_prob : ndarray of shape (n_samples,), float64
            A float64 tensor on the torch path with tensor input.
        """
        return from_tensor(self._log_resp(self._checked(X))[0], X)

    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> float:
        """Mean (weighted) log-likelihood of the samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample.

        Returns
        -------
        log_likelihood : float
        """
        ll: Any = self.score_samples(X)
        if is_torch_tensor(ll):
            ll = ll.detach().cpu().numpy()
        if sample_weight is None:
            return float(ll.mean())
        if is_torch_tensor(sample_weight):
            sample_weight = sample_weight.detach().cpu().numpy()
        w = check_sample_weight(sample_weight, ll.shape[0], np.float64)
        return float(np.dot(w, ll) / w.sum())

    def predict(self, X: Any) -> np.ndarray:
        """Most likely component of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,), int64
        """
        # The same E-step as fit, so that fit_predict(X) equals fit(X).predict(X) exactly.
        _, log_resp = self._log_resp(self._checked(X))
        labels = log_resp.argmax(axis=1)
        if is_torch_tensor(labels):
            return from_tensor(labels, X)
        return np.asarray(labels, dtype=np.int64)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Posterior probability of each component for each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        resp : ndarray of shape (n_samples, n_components)
            Rows sum to 1.
        """
        log_resp: Any = self._log_resp(self._checked(X))[1]
        if is_torch_tensor(log_resp):
            return from_tensor(log_resp.exp(), X)
        return np.exp(log_resp)
