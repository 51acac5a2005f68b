"""shoal.apps.anomaly_scores: planted outliers, GMM and GLOSH."""

from __future__ import annotations

import numpy as np
import pytest

from shoal import HDBSCAN, GaussianMixture
from shoal.apps import anomaly_scores


def _planted(seed=0):
    rng = np.random.RandomState(seed)
    blobs = np.vstack([rng.normal(c, 0.5, (300, 2)) for c in ([0.0, 0.0], [6.0, 0.0], [3.0, 5.0])])
    angles = rng.uniform(0, 2 * np.pi, 30)
    outliers = np.column_stack([3 + 10 * np.cos(angles), 2 + 10 * np.sin(angles)])
    X = np.vstack([blobs, outliers])
    truth = np.r_[np.zeros(900, bool), np.ones(30, bool)]
    return X, truth


def test_gmm_recall_and_threshold():
    X, truth = _planted()
    res = anomaly_scores(X, contamination=30 / 930, n_components=3, random_state=0)
    assert res.is_anomaly[truth].mean() >= 0.9
    gm = GaussianMixture(3, random_state=0).fit(X)
    np.testing.assert_allclose(res.scores, -gm.score_samples(X), rtol=1e-10)
    assert res.threshold == pytest.approx(np.quantile(res.scores, 1 - 30 / 930))
    np.testing.assert_array_equal(res.is_anomaly, res.scores > res.threshold)
    assert res.method == "gmm"


def test_hdbscan_glosh_recall():
    X, truth = _planted()
    res = anomaly_scores(X, method="hdbscan", contamination=30 / 930, min_cluster_size=20)
    assert res.is_anomaly[truth].mean() >= 0.9
    ref = HDBSCAN(min_cluster_size=20).fit(X)
    np.testing.assert_allclose(res.scores, ref.outlier_scores_)
    assert 0.0 <= res.scores.min() and res.scores.max() <= 1.0


def test_explicit_threshold():
    X, _ = _planted()
    res = anomaly_scores(X, method="hdbscan", threshold=0.5, min_cluster_size=20)
    assert res.threshold == 0.5
    np.testing.assert_array_equal(res.is_anomaly, res.scores > 0.5)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "iforest"}, "method='iforest'"),
        ({"contamination": 0.7}, "contamination=0.7"),
        ({"contamination": 0.0}, "contamination=0.0"),
        ({"contamination": None}, "contamination=None"),
    ],
)
def test_bad_parameters(kwargs, match):
    X, _ = _planted()
    with pytest.raises(ValueError, match=match):
        anomaly_scores(X, **kwargs)
