"""scikit-learn's estimator checks on every public shoal estimator (discovered, not listed):
the centroid and mixture families here, the others in test_common_other.py."""

from __future__ import annotations

from _estimators import all_estimators, first_half
from sklearn.utils.estimator_checks import parametrize_with_checks


def test_discovery_finds_the_estimators():
    names = {type(e).__name__ for e in all_estimators()}
    assert {"KMeans", "GaussianMixture", "HDBSCAN", "Birch", "SpectralClustering"} <= names
    halves = {first_half(e) for e in all_estimators()}
    assert halves == {True, False}  # both files have work; together they cover everything


@parametrize_with_checks([e for e in all_estimators() if first_half(e)])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
