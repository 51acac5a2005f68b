"""Gap statistic and BIC on the cases their papers use to show how they behave.

Tibshirani, Walther & Hastie (2001), section 6: with null data (one uniform cloud) the gap
statistic should choose k = 1, and with three well-separated normal clusters in 2-D it should
choose 3. BIC (Schwarz 1978; Fraley & Raftery 2002): one elongated Gaussian is one 'full'
component, while the cheaper structures need several components to cover it."""

from __future__ import annotations

import numpy as np

from shoal import KMeans
from shoal.select import mixture_sweep, select_k


def test_gap_chooses_one_cluster_on_null_data():
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(200, 10))  # the paper's first simulation: no cluster structure
    res = select_k(KMeans(random_state=0), X, range(1, 7), "gap", n_refs=10, random_state=0)
    assert res.k == 1


def test_gap_chooses_three_on_the_papers_three_clusters():
    rng = np.random.default_rng(1)
    # the paper's second simulation: sizes 25, 25, 50, unit variance, these centres
    centres = [(0.0, 0.0), (0.0, 5.0), (5.0, -3.0)]
    X = np.vstack([rng.normal(c, 1.0, (m, 2)) for c, m in zip(centres, (25, 25, 50),
                                                              strict=True)])  # fmt: skip
    res = select_k(KMeans(random_state=0), X, range(1, 7), "gap", n_refs=10, random_state=0)
    assert res.k == 3
    gap, se = res.scores["gap"], res.scores["gap_se"]
    assert gap[2] >= gap[3] - se[3]  # the 1-SE rule holds at k = 3 ...
    assert gap[1] < gap[2] - se[2]  # ... and not at k = 2


def test_bic_prefers_one_full_component_for_one_elongated_gaussian():
    rng = np.random.default_rng(2)
    cov = np.array([[9.0, 2.9], [2.9, 1.0]])  # correlation 0.97: a thin diagonal cigar
    X = rng.multivariate_normal([0.0, 0.0], cov, size=600)
    s = mixture_sweep(X, range(1, 6), random_state=0)
    assert (s.covariance_type, s.k) in {("full", 1), ("tied", 1)}
    t = s.covariance_types.index("spherical")
    assert int(np.argmin(s.bic[t])) >= 1  # spherical needs several components for the cigar
    assert s.bic[t].min() > s.bic.min()


def test_bic_finds_components_and_structure_of_a_full_mixture():
    rng = np.random.default_rng(3)
    a = rng.multivariate_normal([0, 0], [[4.0, 1.8], [1.8, 1.0]], 300)
    b = rng.multivariate_normal([6, 6], [[1.0, -0.8], [-0.8, 1.0]], 300)
    s = mixture_sweep(np.vstack([a, b]), range(1, 6), random_state=0)
    assert (s.covariance_type, s.k) == ("full", 2)
