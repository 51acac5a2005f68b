"""External indices: parity with sklearn.metrics and brute force."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import metrics as skm
from sklearn.metrics.cluster import contingency_matrix as sk_contingency_matrix
from sklearn.metrics.cluster import pair_confusion_matrix as sk_pair_confusion_matrix

import shoal.metrics as sm

TOL = 1e-10


def _pairs(case: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(abs(hash(case)) % 2**32)
    n = 400
    if case == "random":
        return rng.integers(0, 5, n), rng.integers(0, 7, n)
    if case == "noise":  # -1 is an ordinary label, as in sklearn
        return rng.integers(-1, 4, n), rng.integers(-1, 6, n)
    if case == "close":  # a good clustering with a few errors
        t = rng.integers(0, 6, n)
        p = t.copy()
        flip = rng.random(n) < 0.1
        p[flip] = rng.integers(0, 6, flip.sum())
        return t, p + 10
    if case == "many":  # many clusters: the sparse table path and many EMI terms
        return rng.integers(0, 150, n), rng.integers(0, 2500, n)
    if case == "huge_table":  # classes x clusters above the dense limit
        m = 5000
        return rng.integers(0, 2100, m), rng.integers(0, 2100, m)
    if case == "one_cluster":
        return rng.integers(0, 3, n), np.zeros(n, dtype=int)
    if case == "identical":
        t = rng.integers(0, 4, n)
        return t, (t * 7) % 4
    if case == "strings":
        return rng.choice(np.array(["x", "y", "z"]), n), rng.choice(np.array(["p", "q"]), n)
    if case == "tiny":
        return np.array([0, 0, 1]), np.array([1, 0, 0])
    raise AssertionError(case)


CASES = ["random", "noise", "close", "many", "huge_table", "one_cluster", "identical",
         "strings", "tiny"]  # fmt: skip

SCALAR = [
    "adjusted_rand_score",
    "rand_score",
    "mutual_info_score",
    "normalized_mutual_info_score",
    "adjusted_mutual_info_score",
    "homogeneity_score",
    "completeness_score",
    "v_measure_score",
    "fowlkes_mallows_score",
]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("name", SCALAR)
def test_scalar_indices_match_sklearn(name, case):
    t, p = _pairs(case)
    got = getattr(sm, name)(t, p)
    want = getattr(skm, name)(t, p)
    assert isinstance(got, float)
    tol = TOL
    if name == "adjusted_mutual_info_score" and case == "huge_table":
        # ~2,000 tiny random clusters: E[MI] (6.31) sits within 1e-5 of MI, and each of them
        # carries ~1e-11 relative rounding from differences of log-factorials near
        # log(5000!) ~ 4e4. sklearn's E[MI] is 8e-11 off an exactly summed (math.fsum)
        # reference, shoal's 2e-11; AMI magnifies that to ~1e-10.
        tol = 1e-9
    assert got == pytest.approx(want, rel=tol, abs=tol)


@pytest.mark.parametrize("method", ["min", "geometric", "arithmetic", "max"])
@pytest.mark.parametrize("case", ["random", "many", "close"])
def test_average_methods_match_sklearn(case, method):
    t, p = _pairs(case)
    for name in ["normalized_mutual_info_score", "adjusted_mutual_info_score"]:
        got = getattr(sm, name)(t, p, average_method=method)
        want = getattr(skm, name)(t, p, average_method=method)
        assert got == pytest.approx(want, rel=TOL, abs=TOL), name


@pytest.mark.parametrize("case", CASES)
def test_hcv_and_beta_match_sklearn(case):
    t, p = _pairs(case)
    np.testing.assert_allclose(
        sm.homogeneity_completeness_v_measure(t, p, beta=0.5),
        skm.homogeneity_completeness_v_measure(t, p, beta=0.5),
        rtol=TOL,
        atol=TOL,
    )
    assert sm.v_measure_score(t, p, beta=2.0) == pytest.approx(
        skm.v_measure_score(t, p, beta=2.0), rel=TOL, abs=TOL
    )


@pytest.mark.parametrize("case", CASES)
def test_tables_match_sklearn(case):
    t, p = _pairs(case)
    np.testing.assert_array_equal(sm.pair_confusion_matrix(t, p), sk_pair_confusion_matrix(t, p))
    dense = sm.contingency_matrix(t, p)
    np.testing.assert_array_equal(dense, sk_contingency_matrix(t, p))
    assert dense.dtype == np.int64
    sparse = sm.contingency_matrix(t, p, sparse=True)
    assert sp.issparse(sparse)
    np.testing.assert_array_equal(sparse.toarray(), dense)
    np.testing.assert_allclose(
        sm.contingency_matrix(t, p, eps=0.5), sk_contingency_matrix(t, p, eps=0.5)
    )
    assert sm.contingency_matrix(t, p, dtype=np.float32).dtype == np.float32


def test_mutual_info_from_contingency():
    t, p = _pairs("random")
    table = sk_contingency_matrix(t, p)
    want = skm.mutual_info_score(t, p)
    assert sm.mutual_info_score(None, None, contingency=table) == pytest.approx(want, rel=TOL)
    assert sm.mutual_info_score(None, None, contingency=sp.csr_matrix(table)) == pytest.approx(
        want, rel=TOL
    )


def _purity_brute(t: np.ndarray, p: np.ndarray) -> float:
    total = 0
    for k in set(p.tolist()):
        members = [t[i] for i in range(len(t)) if p[i] == k]
        total += max(members.count(c) for c in set(members))
    return total / len(t)


@pytest.mark.parametrize("case", CASES)
def test_purity_matches_brute_force(case):
    t, p = _pairs(case)
    assert sm.purity_score(t, p) == pytest.approx(_purity_brute(t, p), rel=1e-12)


def test_purity_known_values():
    assert sm.purity_score([0, 0, 1, 1], [0, 0, 0, 1]) == 0.75
    assert sm.purity_score([0, 1, 2, 3], [0, 1, 2, 3]) == 1.0
    assert sm.purity_score([0, 1, 0, 1], [5, 5, 5, 5]) == 0.5


def test_noise_label_is_ordinary():
    # Relabelling -1 to a fresh label must not change any external index.
    t, p = _pairs("noise")
    p2 = np.where(p == -1, 99, p)
    for name in [*SCALAR, "purity_score"]:
        assert getattr(sm, name)(t, p) == pytest.approx(getattr(sm, name)(t, p2), rel=1e-12)


def test_permutation_invariance_and_known_values():
    t = np.array([0, 0, 1, 1, 2, 2])
    assert sm.adjusted_rand_score(t, [5, 5, 3, 3, 9, 9]) == 1.0
    assert sm.adjusted_mutual_info_score(t, [5, 5, 3, 3, 9, 9]) == pytest.approx(1.0)
    # Rand index by hand: 15 pairs; pred joins {2,3} wrongly apart from t's pairs.
    # t pairs together: (0,1),(2,3),(4,5). p = [0,0,1,1,1,2] together: (0,1),(2,3),(2,4),(3,4).
    # Disagreements: (2,4),(3,4) together only in p; (4,5) together only in t -> 3 of 15.
    assert sm.rand_score(t, [0, 0, 1, 1, 1, 2]) == pytest.approx(12 / 15)


@pytest.mark.parametrize("name", [*SCALAR, "purity_score", "pair_confusion_matrix"])
def test_bad_label_inputs(name):
    fn = getattr(sm, name)
    with pytest.raises(
        ValueError, match=r"labels_true has 3 values but labels_pred has 2; they must have"
    ):
        fn([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match=r"labels_true must be a 1-D array .*shape \(2, 2\)"):
        fn([[0, 1], [1, 0]], [0, 1])
    with pytest.raises(ValueError, match=r"labels_pred must be a 1-D array .*shape \(2, 1\)"):
        fn([0, 1], [[0], [1]])


def test_bad_options():
    with pytest.raises(ValueError, match=r"average_method='mean' is not valid; choose one of"):
        sm.normalized_mutual_info_score([0, 1], [0, 1], average_method="mean")
    with pytest.raises(ValueError, match=r"average_method='mean' is not valid"):
        sm.adjusted_mutual_info_score([0, 1], [0, 1], average_method="mean")
    with pytest.raises(ValueError, match=r"Cannot set eps=0.1 when sparse=True"):
        sm.contingency_matrix([0, 1], [0, 1], eps=0.1, sparse=True)
    with pytest.raises(ValueError, match=r"beta=-1.0 must be >= 0.0"):
        sm.v_measure_score([0, 1], [0, 1], beta=-1.0)


def test_empty_labels_follow_sklearn():
    for name in ["adjusted_rand_score", "rand_score", "normalized_mutual_info_score",
                 "adjusted_mutual_info_score", "v_measure_score"]:  # fmt: skip
        assert getattr(sm, name)([], []) == getattr(skm, name)([], []), name
