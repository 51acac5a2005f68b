from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.cluster import AffinityPropagation as SKAffinityPropagation
from sklearn.exceptions import ConvergenceWarning

from shoal import AffinityPropagation
from shoal._kernels.numba_.affinity import ap_iterate


def _data(n=300, d=2, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)) + rng.integers(0, 6, (n, 1)) * 3.0


def _both(X, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = AffinityPropagation(random_state=0, **kw).fit(X)
        ref = SKAffinityPropagation(random_state=0, **kw).fit(X)
    return ours, ref


@pytest.mark.parametrize(("n", "d", "kw"), [
    (300, 2, {}), (500, 3, {"damping": 0.7}), (400, 2, {"damping": 0.9, "preference": -50.0}),
    (250, 4, {"convergence_iter": 5}), (200, 2, {"max_iter": 12}),
])  # fmt: skip
def test_equals_scikit_learn(n, d, kw):
    X = _data(n, d, seed=n)
    ours, ref = _both(X, **kw)
    np.testing.assert_array_equal(ours.cluster_centers_indices_, ref.cluster_centers_indices_)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    assert ours.n_iter_ == ref.n_iter_
    # The similarities (with preferences and tie-breaking noise) are scikit-learn's, bit for bit.
    np.testing.assert_array_equal(ours.affinity_matrix_, ref.affinity_matrix_)
    np.testing.assert_array_equal(ours.cluster_centers_, ref.cluster_centers_)
    Q = _data(50, d, seed=1)
    np.testing.assert_array_equal(ours.predict(Q), ref.predict(Q))


def test_precomputed_and_preference_array_equal_scikit_learn():
    X = _data(240, 2, seed=5)
    S = -((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    pref = np.linspace(-60.0, -10.0, 240)
    ours, ref = _both(S, affinity="precomputed", preference=pref)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    np.testing.assert_array_equal(ours.cluster_centers_indices_, ref.cluster_centers_indices_)
    # Asymmetric similarities are valid input (Frey & Dueck): still scikit-learn's answer.
    T = S + np.triu(np.random.default_rng(1).uniform(0, 3, S.shape))
    ours, ref = _both(T, affinity="precomputed")
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    with pytest.raises(ValueError, match="not supported"):
        ours.predict(T)


def _messages_by_definition(S, damping, n_iter):
    """Frey & Dueck's updates written out entry by entry (the brute-force reference)."""
    n = S.shape[0]
    R = np.zeros((n, n))
    A = np.zeros((n, n))
    for _ in range(n_iter):
        Rn = np.empty((n, n))
        for i in range(n):
            for k in range(n):
                Rn[i, k] = S[i, k] - max(A[i, j] + S[i, j] for j in range(n) if j != k)
        R = damping * R + (1 - damping) * Rn
        An = np.empty((n, n))
        for i in range(n):
            for k in range(n):
                pos = sum(max(0.0, R[j, k]) for j in range(n) if j not in (i, k))
                An[i, k] = pos if i == k else min(0.0, R[k, k] + pos)
        A = damping * A + (1 - damping) * An
    return R, A


def test_messages_follow_the_definitions():
    # Three points on a line plus one far away: the hand-checkable case.
    X = np.array([[0.0], [1.0], [2.0], [10.0]])
    S = -((X - X.T) ** 2)
    np.fill_diagonal(S, -2.0)
    for it in (1, 2, 5):
        R = np.zeros_like(S)
        A = np.zeros_like(S)
        ap_iterate(S, R, A, 0.5, 0.5, it, 100, False, 2)
        Rr, Ar = _messages_by_definition(S, 0.5, it)
        np.testing.assert_allclose(R, Rr, atol=1e-12)
        np.testing.assert_allclose(A, Ar, atol=1e-12)
    # First iteration by hand: A = 0, so r(i, k) = s(i, k) - max_{j != k} s(i, j), halved by
    # the damping: r(0, 1) = (-1 - (-2)) / 2 = 0.5; r(1, 1) = (-2 - (-1)) / 2 = -0.5.
    R = np.zeros_like(S)
    A = np.zeros_like(S)
    ap_iterate(S, R, A, 0.5, 0.5, 1, 100, False, 3)
    assert R[0, 1] == 0.5 and R[1, 1] == -0.5
    ap = AffinityPropagation(affinity="precomputed", preference=-2.0, random_state=0).fit(S)
    assert ap.labels_.tolist() == [0, 0, 0, 1]
    assert ap.cluster_centers_indices_.tolist() == [1, 3]


def test_non_convergence_and_degenerate_cases():
    X = _data(200, 2, seed=7)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        ap = AffinityPropagation(max_iter=3, random_state=0).fit(X)
    assert not ap.converged_ and ap.n_iter_ == 3
    ref = SKAffinityPropagation(max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.fit(X)
    np.testing.assert_array_equal(ap.labels_, ref.labels_)
    assert AffinityPropagation(random_state=0).fit(X).converged_
    same = np.zeros((5, 2))
    with pytest.warns(UserWarning, match="equal similarities"):
        one = AffinityPropagation(random_state=0).fit(same)
    assert one.labels_.tolist() == [0] * 5 and one.cluster_centers_indices_.tolist() == [0]
    with pytest.warns(UserWarning, match="equal similarities"):
        each = AffinityPropagation(preference=1.0, random_state=0).fit(same)
    assert each.labels_.tolist() == list(range(5))


def test_float32_and_copy():
    X = _data(300, 2, seed=8)
    a = AffinityPropagation(random_state=0).fit(X)
    b = AffinityPropagation(random_state=0).fit(X.astype(np.float32))
    assert b.affinity_matrix_.dtype == np.float32
    np.testing.assert_array_equal(a.cluster_centers_indices_, b.cluster_centers_indices_)
    S = -((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    keep = S.copy()
    AffinityPropagation(affinity="precomputed", random_state=0).fit(S)
    np.testing.assert_array_equal(S, keep)
    m = AffinityPropagation(affinity="precomputed", copy=False, random_state=0).fit(S)
    assert np.shares_memory(m.affinity_matrix_, S)  # worked in the caller's matrix


def test_bad_input():
    X = _data(30, 2)
    for kw, match in [({"damping": 0.4}, "damping"), ({"damping": 1.0}, "damping"),
                      ({"max_iter": 0}, "max_iter"), ({"convergence_iter": 0}, "convergence_iter"),
                      ({"affinity": "cosine"}, "affinity"),
                      ({"preference": [1.0, 2.0]}, "preference")]:  # fmt: skip
        with pytest.raises(ValueError, match=match):
            AffinityPropagation(**kw).fit(X)
    with pytest.raises(ValueError, match="square"):
        AffinityPropagation(affinity="precomputed").fit(X)
    bad = X.copy()
    bad[0, 0] = np.inf
    with pytest.raises(ValueError, match="inf"):
        AffinityPropagation().fit(bad)
    ap = AffinityPropagation(random_state=0).fit(X)
    with pytest.raises(ValueError, match="features"):
        ap.predict(np.zeros((2, 3)))
