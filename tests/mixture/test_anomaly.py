from __future__ import annotations

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture as SKGaussianMixture

from shoal import GaussianMixture
from shoal.mixture import flag_anomalies, score_threshold


def test_threshold_is_the_contamination_quantile():
    scores = np.arange(100.0)  # distinct: exactly 5 fall below the 5 % quantile
    t = score_threshold(scores, 0.05)
    assert t == pytest.approx(4.95)
    assert int((scores < t).sum()) == 5


def test_planted_outliers_are_flagged():
    rng = np.random.default_rng(0)
    inliers = np.vstack([rng.normal(-5, 1, (500, 2)), rng.normal(5, 1, (500, 2))])
    outliers = np.array([[0.0, 0.0], [15.0, -15.0], [-20.0, 5.0], [0.0, 12.0], [9.0, -9.0]])
    X = np.vstack([inliers, outliers])
    gm = GaussianMixture(2, random_state=0).fit(X)
    res = flag_anomalies(gm, X, contamination=5 / X.shape[0])
    assert res.flags[-5:].all()
    assert int(res.flags.sum()) == 5
    np.testing.assert_allclose(res.scores, gm.score_samples(X))
    # The threshold can come from reference data: new points scored against training scores.
    new = np.array([[-5.0, -5.0], [30.0, 30.0]])
    res_new = flag_anomalies(gm, new, contamination=0.01, reference=X)
    assert res_new.flags.tolist() == [False, True]
    # Any density model with score_samples works, scikit-learn's too.
    sk = SKGaussianMixture(2, random_state=0).fit(X)
    assert flag_anomalies(sk, X, contamination=5 / X.shape[0]).flags[-5:].all()


@pytest.mark.parametrize("bad", [0.0, -0.1, 0.6, float("nan")])
def test_bad_contamination_names_the_value(bad):
    with pytest.raises(ValueError, match="contamination="):
        score_threshold([1.0, 2.0], bad)


def test_bad_model_and_scores():
    with pytest.raises(TypeError, match="score_samples"):
        flag_anomalies(object(), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="empty"):
        score_threshold([], 0.1)
    with pytest.raises(ValueError, match="NaN"):
        score_threshold([1.0, np.nan], 0.1)
