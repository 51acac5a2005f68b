"""shoal.apps.segment_image: mean shift in the joint spatial-colour space."""

from __future__ import annotations

import numpy as np
import pytest

from shoal.apps import segment_image
from shoal.metrics import adjusted_rand_score

COLOURS = np.array([[220, 40, 40], [40, 180, 60], [30, 60, 200]], dtype=np.uint8)


def _three_regions(h=120, w=150, noise=0.0, seed=0):
    truth = np.zeros((h, w), dtype=np.int64)
    truth[:, w // 2 :] = 1
    truth[2 * h // 3 :, w // 2 :] = 2
    img = COLOURS[truth].astype(np.float64)
    if noise:
        img += np.random.RandomState(seed).normal(0, noise, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8), truth


@pytest.mark.parametrize("noise", [0.0, 12.0])
def test_three_flat_regions_recovered(noise):
    img, truth = _three_regions(noise=noise)
    res = segment_image(img, random_state=0)
    assert res.n_segments == 3
    assert adjusted_rand_score(truth.ravel(), res.labels.ravel()) > 0.99
    assert res.labels.shape == truth.shape and res.labels.dtype == np.int64
    # Each segment is painted with its mean colour.
    for s in range(res.n_segments):
        mask = res.labels == s
        mean = np.rint(img[mask].astype(np.float64).mean(axis=0))
        np.testing.assert_array_equal(res.image[mask][0], mean)
    assert res.centers.shape == (3, 5)
    sizes = np.bincount(res.labels.ravel())
    assert np.all(np.diff(sizes) <= 0)  # numbered by size


def test_spatial_weight_splits_distant_same_colour_regions():
    img, _ = _three_regions()
    img[:, : img.shape[1] // 6] = COLOURS[1]  # green again, far from the green block
    colour_only = segment_image(img, spatial_weight=0.0, bandwidth=0.2)
    joint = segment_image(img, spatial_weight=3.0, bandwidth=0.5)
    assert colour_only.n_segments == 3
    assert joint.n_segments > colour_only.n_segments


def test_200x200_in_one_call_with_subsampling():
    img, truth = _three_regions(200, 200, noise=8.0)
    res = segment_image(img, max_pixels=2000, random_state=0)
    assert adjusted_rand_score(truth.ravel(), res.labels.ravel()) > 0.95


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"bandwidth": 0.0}, "bandwidth=0.0"),
        ({"spatial_weight": -1.0}, "spatial_weight=-1.0"),
        ({"max_pixels": 0}, "max_pixels=0"),
    ],
)
def test_bad_parameters(kwargs, match):
    img, _ = _three_regions(20, 20)
    with pytest.raises(ValueError, match=match):
        segment_image(img, **kwargs)
