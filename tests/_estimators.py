"""Every public shoal estimator with its small test parameters, discovered from ``shoal.__all__``
(shared by the common checks and the persistence tests: a new estimator is covered by both)."""

from __future__ import annotations

import inspect

from sklearn.base import BaseEstimator

import shoal


def all_estimators() -> list[BaseEstimator]:
    found = []
    for name in sorted(shoal.__all__):
        obj = getattr(shoal, name)
        if inspect.isclass(obj) and issubclass(obj, BaseEstimator):
            found.append(obj(**getattr(obj, "_test_params", {})))
    return found
