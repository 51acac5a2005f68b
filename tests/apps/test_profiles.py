"""shoal.apps.segment_profiles."""

from __future__ import annotations

import numpy as np
import pytest

from shoal import KMeans
from shoal.apps import segment_profiles
from shoal.datasets import load_demo
from shoal.plot import cluster_profiles


def test_profiles_on_demo_customers():
    X, names, truth = load_demo(return_segments=True)
    prof = segment_profiles(X, truth, names, unit="customers")
    means, z = cluster_profiles(X, truth)
    np.testing.assert_allclose(prof.means, means)
    np.testing.assert_allclose(prof.z, z)
    for i, s in enumerate(prof.segments):
        rows = X[truth == s]
        np.testing.assert_allclose(prof.means[i], rows.mean(axis=0))
        assert prof.sizes[i] == rows.shape[0]
        zz = (rows.mean(axis=0) - X.mean(axis=0)) / X.std(axis=0)
        np.testing.assert_allclose(prof.z[i], zz, rtol=1e-10, atol=1e-12)
        j = int(np.argmax(np.abs(zz)))
        if abs(zz[j]) >= 0.5:
            assert prof.distinguishing[i][0][0] == names[j]
            word = "high" if zz[j] > 0 else "low"
            assert f"{word} {names[j]} ({zz[j]:+.1f} sd)" in prof.descriptions[i]
        assert prof.descriptions[i].startswith(f"segment {s} ({rows.shape[0]} customers")
    assert prof.shares.sum() == pytest.approx(1.0)
    md = prof.to_markdown("Customers")
    assert md.startswith("# Customers") and md.count("\n| ") == len(prof.segments) + 2


def test_noise_excluded_and_dataframe_names():
    pd = pytest.importorskip("pandas")
    X, names = load_demo()
    labels = KMeans(3, random_state=0).fit_predict((X - X.mean(0)) / X.std(0))
    labels[:10] = -1
    prof = segment_profiles(pd.DataFrame(X, columns=names), labels)
    assert prof.feature_names == names
    assert prof.n_noise == 10
    assert prof.sizes.sum() == 590 and prof.n_samples == 600
    assert list(prof.segments) == [0, 1, 2]


def test_bad_input():
    X, names = load_demo()
    with pytest.raises(ValueError, match="feature_names has 2"):
        segment_profiles(X, np.zeros(600, int), names[:2])
    with pytest.raises(ValueError, match="n_samples=600"):
        segment_profiles(X, np.zeros(5, int))
    with pytest.raises(ValueError, match="every sample is noise"):
        segment_profiles(X, -np.ones(600, int))
    with pytest.raises(ValueError, match="integers"):
        segment_profiles(X, np.zeros(600))
