"""scikit-learn's estimator checks on every public shoal estimator (discovered, not listed)."""

from __future__ import annotations

import inspect

from sklearn.base import BaseEstimator
from sklearn.utils.estimator_checks import parametrize_with_checks

import shoal


def all_estimators() -> list[BaseEstimator]:
    found = []
    for name in sorted(shoal.__all__):
        obj = getattr(shoal, name)
        if inspect.isclass(obj) and issubclass(obj, BaseEstimator):
            found.append(obj(**getattr(obj, "_test_params", {})))
    return found


def test_discovery_finds_the_estimators():
    names = {type(e).__name__ for e in all_estimators()}
    assert {"KMeans"} <= names


@parametrize_with_checks(all_estimators())
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
