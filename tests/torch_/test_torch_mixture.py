"""GaussianMixture on the torch backend: kernel parity with numba_ (torch on the CPU), the
estimator's EM from the same start (log-likelihood to 1e-10 relative in float64), tensors in ->
tensors out, bad input, persistence; CUDA variants under the ``gpu`` marker."""

from __future__ import annotations

import numpy as np
import pytest

from shoal import BayesianGaussianMixture, GaussianMixture
from shoal._kernels import numba_
from shoal.mixture.gaussian import precision_cholesky

torch = pytest.importorskip("torch")
from shoal._kernels import torch_  # noqa: E402

COV_TYPES = ("full", "tied", "diag", "spherical")
cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


def _data(n=450, d=3, seed=0, offset=100.0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    parts = [rng.normal(c, s, (n // 3, d)) for c, s in ((0.0, 1.0), (5.0, 0.5), (10.0, 2.0))]
    return (np.concatenate(parts) + offset).astype(dtype)


def _params(X, ct, k=3, seed=1):
    """Moments of random responsibilities: a valid parameter set of each covariance type."""
    rng = np.random.default_rng(seed)
    resp = rng.uniform(size=(X.shape[0], k))
    resp /= resp.sum(1, keepdims=True)
    _, means, cov = numba_.gaussian_moments(X, resp, ct, 1e-6)
    return resp, means, precision_cholesky(cov, ct, 1e-6)


# ------------------------------------------------------------------------ kernel parity


@pytest.mark.parametrize("ct", COV_TYPES)
def test_log_prob_and_estep_kernels_match_numba(ct):
    X = _data()
    _, means, pc = _params(X, ct)
    n, k = X.shape[0], means.shape[0]
    ref = np.empty((n, k))
    numba_.gaussian_log_prob(X, means, pc, ct, ref)
    out = torch.empty((n, k), dtype=torch.float64)
    torch_.gaussian_log_prob(torch.from_numpy(X), torch.from_numpy(means), torch.from_numpy(pc),
                             ct, out, torch.from_numpy(X.mean(0)))  # fmt: skip
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-11, atol=1e-9)
    # log_normalize_rows on both backends
    lw = np.log(np.array([0.2, 0.3, 0.5]))
    norm = np.empty(n)
    numba_.log_normalize_rows(ref, lw, norm)
    tnorm = torch.empty(n, dtype=torch.float64)
    torch_.log_normalize_rows(out, torch.from_numpy(lw), tnorm)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-11, atol=1e-9)
    np.testing.assert_allclose(tnorm.numpy(), norm, rtol=1e-12)


@pytest.mark.parametrize("ct", COV_TYPES)
def test_numba_signature_esteps_match(ct):
    """gaussian_estep_diag / gaussian_estep_chol take numba_'s arguments and give its output."""
    X = _data()
    _, means, pc = _params(X, ct)
    n, d = X.shape
    k = means.shape[0]
    log_det = np.broadcast_to(numba_.gaussian_log_det_chol(pc, ct, d), (k,)).astype(float)
    lw = np.log(np.array([0.2, 0.3, 0.5]))
    w = np.random.default_rng(3).uniform(0.5, 2.0, n)
    bounds = np.array([0, n // 2, n])
    T = torch.from_numpy
    for as_resp in (False, True):
        out, norm = np.empty((n, k)), np.empty(n)
        tout, tnorm = torch.empty((n, k), dtype=torch.float64), torch.empty(n, dtype=torch.float64)
        if ct in ("diag", "spherical"):
            prec = pc**2 if ct == "diag" else np.repeat((pc**2)[:, None], d, axis=1)
            prec = np.ascontiguousarray(prec)
            numba_.gaussian_estep_diag(X, means, prec, log_det, lw, bounds, w, as_resp, out, norm)
            torch_.gaussian_estep_diag(T(X), T(means), T(prec), T(log_det), T(lw), bounds, T(w),
                                       as_resp, tout, tnorm)  # fmt: skip
        else:
            if ct == "full":
                Lcat = np.ascontiguousarray(np.transpose(pc, (1, 0, 2)).reshape(d, -1))
                muL = np.ascontiguousarray(np.einsum("kd,kdf->kf", means, pc))
            else:
                Lcat, muL = np.ascontiguousarray(pc), np.ascontiguousarray(means @ pc)
            numba_.gaussian_estep_chol(X, Lcat, muL, log_det, lw, bounds, 64, w, as_resp, out,
                                       norm)  # fmt: skip
            torch_.gaussian_estep_chol(T(X), T(Lcat), T(muL), T(log_det), T(lw), bounds, 64,
                                       T(w), as_resp, tout, tnorm)  # fmt: skip
        np.testing.assert_allclose(tnorm.numpy(), norm, rtol=1e-10)
        np.testing.assert_allclose(tout.numpy(), out, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("ct", COV_TYPES)
def test_moments_and_precision_cholesky_match_numba(ct):
    X = _data()
    resp, _, _ = _params(X, ct)
    w = np.random.default_rng(4).uniform(0.5, 2.0, X.shape[0])
    rw = resp * w[:, None]
    ref = numba_.gaussian_moments(X, rw, ct, 1e-6, None, w)
    got = torch_.gaussian_moments(torch.from_numpy(X), torch.from_numpy(rw), ct, 1e-6, None,
                                  torch.from_numpy(w))  # fmt: skip
    for r, g in zip(ref, got):
        assert g.dtype == torch.float64
        np.testing.assert_allclose(g.numpy(), r, rtol=1e-10, atol=1e-12)
    pc, bad = torch_.gaussian_precision_cholesky(got[2], ct)
    assert bad == -1
    np.testing.assert_allclose(pc.numpy(), precision_cholesky(ref[2], ct, 1e-6), rtol=1e-9)


def test_moments_survive_a_far_offset_in_float32():
    """Second moments about the data mean: float32 data 1e4 from the origin keep their
    variances (E[x^2] - E[x]^2 about the origin would lose every digit)."""
    X = _data(offset=1e4)
    resp, _, _ = _params(X, "diag")
    ref = numba_.gaussian_moments(X, resp, "diag", 0.0)[2]
    X32, r32 = torch.from_numpy(X.astype(np.float32)), torch.from_numpy(resp.astype(np.float32))
    got = torch_.gaussian_moments(X32, r32, "diag", 0.0)[2]
    np.testing.assert_allclose(got.numpy(), ref, rtol=1e-4)


def test_precision_cholesky_names_the_collapsed_component():
    cov = torch.eye(2, dtype=torch.float64).repeat(3, 1, 1)
    cov[1] = 0.0
    assert torch_.gaussian_precision_cholesky(cov, "full")[1] == 1
    assert torch_.gaussian_precision_cholesky(torch.tensor([1.0, -1.0]), "spherical")[1] == 1


# ------------------------------------------------------------------------ estimator parity


@pytest.mark.parametrize("ct", COV_TYPES)
@pytest.mark.parametrize("init", ["kmeans", pytest.param("random", marks=pytest.mark.slow)])
def test_em_matches_numba_from_the_same_start(ct, init):
    X = _data()
    kw = dict(covariance_type=ct, init_params=init, random_state=0, tol=1e-9, max_iter=40)
    w = np.random.default_rng(5).uniform(0.5, 2.0, X.shape[0])
    a = GaussianMixture(3, **kw).fit(X, sample_weight=w)
    b = GaussianMixture(3, **kw).fit(torch.from_numpy(X), sample_weight=torch.from_numpy(w))
    assert a.n_iter_ == b.n_iter_ and a.converged_ == b.converged_
    assert abs(a.lower_bound_ - b.lower_bound_) <= 1e-10 * abs(a.lower_bound_)
    np.testing.assert_allclose(b.lower_bounds_, a.lower_bounds_, rtol=1e-10)
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_", "precisions_"):
        got = getattr(b, name)
        assert isinstance(got, torch.Tensor) and got.dtype == torch.float64
        np.testing.assert_allclose(got.numpy(), getattr(a, name), rtol=1e-7, atol=1e-9)
    T = torch.from_numpy(X)
    assert np.array_equal(b.predict(T).numpy(), a.predict(X))
    np.testing.assert_allclose(b.predict_proba(T).numpy(), a.predict_proba(X), atol=1e-9)
    np.testing.assert_allclose(b.score_samples(T).numpy(), a.score_samples(X), rtol=1e-10)
    assert b.score(T) == pytest.approx(a.score(X), rel=1e-10)
    assert b.bic(T) == pytest.approx(a.bic(X), rel=1e-10)
    assert b.aic(T) == pytest.approx(a.aic(X), rel=1e-10)
    assert b.icl(T) == pytest.approx(a.icl(X), rel=1e-9)


def test_float32_stays_float32_and_fit_predict_equals_predict():
    X = _data(dtype=np.float32)
    T = torch.from_numpy(X)
    a = GaussianMixture(3, covariance_type="full", random_state=0).fit(X)
    gm = GaussianMixture(3, covariance_type="full", random_state=0)
    labels = gm.fit_predict(T)
    assert labels.dtype == torch.int64 and isinstance(labels, torch.Tensor)
    assert torch.equal(labels, gm.predict(T))
    assert gm.means_.dtype == torch.float32 and gm.covariances_.dtype == torch.float32
    assert gm.predict_proba(T).dtype == torch.float32
    assert gm.score_samples(T).dtype == torch.float64
    assert abs(gm.lower_bound_ - a.lower_bound_) <= 1e-5 * abs(a.lower_bound_)
    # numpy input to a model fitted on tensors computes there and returns numpy
    assert np.array_equal(gm.predict(X), labels.numpy())
    Xs, ys = gm.sample(50)
    assert isinstance(Xs, torch.Tensor) and Xs.dtype == torch.float32 and ys.shape == (50,)
    np.testing.assert_allclose(Xs.numpy(), a.sample(50)[0], rtol=1e-4, atol=1e-3)


def test_init_arrays_are_honoured_on_the_torch_path():
    X = _data()
    _, means, pc = _params(X, "full")
    prec = np.einsum("kij,klj->kil", pc, pc)
    kw = dict(covariance_type="full", means_init=means, precisions_init=prec,
              weights_init=[0.2, 0.3, 0.5], max_iter=5, tol=0.0)  # fmt: skip
    with pytest.warns(Warning, match="did not converge"):
        a = GaussianMixture(3, **kw).fit(X)
    with pytest.warns(Warning, match="did not converge"):
        b = GaussianMixture(3, **kw).fit(torch.from_numpy(X))
    np.testing.assert_allclose(b.lower_bounds_, a.lower_bounds_, rtol=1e-10)


def test_bad_input_gives_clear_errors():
    X = torch.from_numpy(_data())
    bad = X.clone()
    bad[7, 1] = float("nan")
    with pytest.raises(ValueError, match=r"X contains NaN \(first at row 7, column 1\)"):
        GaussianMixture(2).fit(bad)
    assert not torch.isnan(X).any()  # the input is never modified
    with pytest.raises(ValueError, match="device='tpu' is not valid"):
        GaussianMixture(2, device="tpu").fit(X)
    gm = GaussianMixture(2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="X has 2 features, but GaussianMixture is expecting 3"):
        gm.predict(X[:, :2])
    with pytest.raises(ValueError, match="n_components=500 must be <= n_samples=450"):
        GaussianMixture(500).fit(X)
    with pytest.raises(ValueError, match="sample_weight has 3 values"):
        GaussianMixture(2).fit(X, sample_weight=torch.ones(3))
    with pytest.raises(NotImplementedError, match="BayesianGaussianMixture has no torch"):
        BayesianGaussianMixture(n_components=2).fit(X)
    Y = torch.zeros((20, 2), dtype=torch.float64)
    Y[10:] = 1.0
    with pytest.raises(ValueError, match=r"component .* singular .* reg_covar"):
        GaussianMixture(2, reg_covar=0.0, random_state=0).fit(Y)


def test_saving_a_model_fitted_on_tensors_is_refused(tmp_path):
    from shoal.io import save

    gm = GaussianMixture(2, random_state=0).fit(torch.from_numpy(_data()))
    with pytest.raises(TypeError, match=r"attribute '\w+_' is a torch tensor"):
        save(gm, tmp_path / "gm.shoal")
    assert not (tmp_path / "gm.shoal").exists()


# ------------------------------------------------------------------------------ CUDA


@pytest.mark.gpu
@cuda
@pytest.mark.parametrize("ct", COV_TYPES)
def test_cuda_matches_the_float64_reference(ct):
    X = _data(n=3000)
    ref = GaussianMixture(3, covariance_type=ct, random_state=0).fit(X)
    for dtype, rel in ((torch.float64, 1e-10), (torch.float32, 1e-5)):
        T = torch.from_numpy(X).to("cuda", dtype)
        gm = GaussianMixture(3, covariance_type=ct, random_state=0).fit(T)
        assert gm.means_.device.type == "cuda" and gm.means_.dtype == dtype
        assert abs(gm.lower_bound_ - ref.lower_bound_) <= rel * abs(ref.lower_bound_)
        assert gm.predict(T).device.type == "cuda"
    # numpy in, device="cuda": computed on the GPU, numpy out
    gm = GaussianMixture(3, covariance_type=ct, random_state=0, device="cuda").fit(X)
    assert isinstance(gm.means_, np.ndarray) and isinstance(gm.predict(X), np.ndarray)
    assert abs(gm.lower_bound_ - ref.lower_bound_) <= 1e-10 * abs(ref.lower_bound_)
