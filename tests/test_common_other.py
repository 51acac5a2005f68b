"""scikit-learn's estimator checks, second half: every discovered estimator outside the
centroid and mixture families (see test_common.py)."""

from __future__ import annotations

from _estimators import all_estimators, first_half
from sklearn.utils.estimator_checks import parametrize_with_checks


@parametrize_with_checks([e for e in all_estimators() if not first_half(e)])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
