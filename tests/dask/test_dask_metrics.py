from __future__ import annotations

import numpy as np
import pytest

da = pytest.importorskip("dask.array")

from shoal import dask as sd  # noqa: E402
from shoal import metrics  # noqa: E402


@pytest.mark.parametrize("noise", ["keep", "drop"])
def test_centroid_indices_equal_in_memory(client, blob_data, noise):
    X, y, _ = blob_data
    y = y.copy()
    y[::50] = -1
    Xd = da.from_array(X, chunks=(2500, -1))
    yd = da.from_array(y, chunks=1700)  # rechunked to X's rows
    got = sd.calinski_harabasz_score(Xd, yd, noise=noise)
    assert got == pytest.approx(metrics.calinski_harabasz_score(X, y, noise=noise), rel=1e-10)
    got = sd.davies_bouldin_score(Xd, y, noise=noise)
    assert got == pytest.approx(metrics.davies_bouldin_score(X, y, noise=noise), rel=1e-10)


def test_silhouette_on_a_sample(blob_data):
    X, y, _ = blob_data
    Xd = da.from_array(X, chunks=(2500, -1))
    got = sd.silhouette_score(Xd, da.from_array(y, chunks=2500), sample_size=1500, random_state=0)
    idx = np.sort(np.random.RandomState(0).permutation(X.shape[0])[:1500])
    assert got == pytest.approx(metrics.silhouette_score(X[idx], y[idx]), rel=1e-12)
    small = da.from_array(X[:2000], chunks=(700, -1))
    full = sd.silhouette_score(small, y[:2000], sample_size=5000)
    assert full == pytest.approx(metrics.silhouette_score(X[:2000], y[:2000]), rel=1e-10)


def test_one_label_is_an_error(blob_data):
    X = blob_data[0]
    with pytest.raises(ValueError):
        sd.calinski_harabasz_score(da.from_array(X, chunks=(3000, -1)), np.zeros(X.shape[0]))
