"""scikit-learn's estimator checks on every public shoal estimator (discovered, not listed)."""

from __future__ import annotations

from _estimators import all_estimators
from sklearn.utils.estimator_checks import parametrize_with_checks


def test_discovery_finds_the_estimators():
    names = {type(e).__name__ for e in all_estimators()}
    assert {"KMeans"} <= names


@parametrize_with_checks(all_estimators())
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
