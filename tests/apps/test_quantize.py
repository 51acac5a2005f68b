"""shoal.apps.quantize_image / read_image / write_image."""

from __future__ import annotations

import math

import numpy as np
import pytest

from shoal.apps import quantize_image, read_image, write_image


def _image(seed=0, h=48, w=64):
    rng = np.random.RandomState(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.stack([xx * 255 / w, yy * 255 / h, 128 + 60 * np.sin(xx / 5.0)], axis=2)
    return np.clip(img + rng.normal(0, 6, img.shape), 0, 255).astype(np.uint8)


def test_psnr_and_ratio_equal_direct_computation():
    img = _image()
    res = quantize_image(img, 16, random_state=0)
    mse = np.mean((img.astype(np.float64) - res.image.astype(np.float64)) ** 2)
    assert res.psnr == pytest.approx(10 * np.log10(255.0**2 / mse), rel=1e-12)
    n = img.shape[0] * img.shape[1]
    assert res.compression_ratio == pytest.approx(24 * n / (n * 4 + 16 * 24), rel=1e-12)
    assert res.n_colors == 16
    assert res.palette.shape == (16, 3) and res.palette.dtype == np.uint8
    assert res.image.shape == img.shape and res.image.dtype == np.uint8
    assert res.labels.shape == img.shape[:2] and res.labels.dtype == np.int64
    np.testing.assert_array_equal(res.image, res.palette[res.labels])


def test_classic_lesson_ratio():
    # 128 x 128 pixels, 16 colours: 393216 bits / (16384 * 4 + 16 * 24) bits.
    img = _image(h=128, w=128)
    res = quantize_image(img, 16, random_state=0)
    assert res.compression_ratio == pytest.approx(393216 / 65920)


def test_more_colours_give_higher_psnr_and_nearest_palette_colour():
    img = _image(1)
    low = quantize_image(img, 4, random_state=0)
    high = quantize_image(img, 32, random_state=0)
    assert high.psnr > low.psnr > 10
    px = img.reshape(-1, 3).astype(np.float64)
    d = ((px[:, None, :] - high.palette[None].astype(np.float64)) ** 2).sum(axis=2)
    best = d.min(axis=1)
    got = d[np.arange(px.shape[0]), high.labels.ravel()]
    # Labels come from the float centres; the rounded palette colour is within rounding.
    assert np.all(got <= best + 3 * 255)
    assert np.mean(got == best) > 0.99


def test_exact_k_colours_reproduced():
    rng = np.random.RandomState(0)
    colours = rng.randint(0, 256, size=(5, 3)).astype(np.uint8)
    img = colours[rng.randint(0, 5, size=(30, 40))]
    res = quantize_image(img, 5, random_state=0)
    assert res.psnr == math.inf
    np.testing.assert_array_equal(res.image, img)
    assert res.n_colors == 5
    more = quantize_image(img, 9, random_state=0)
    assert more.n_colors == 5 and more.psnr == math.inf


def test_one_colour_and_sample_size():
    img = _image()
    one = quantize_image(img, 1, random_state=0)
    assert one.n_colors == 1
    assert one.compression_ratio == pytest.approx(img.shape[0] * img.shape[1])
    np.testing.assert_array_equal(one.image, np.broadcast_to(one.palette[0], img.shape))
    a = quantize_image(img, 6, sample_size=500, random_state=3)
    b = quantize_image(img, 6, sample_size=500, random_state=3)
    np.testing.assert_array_equal(a.palette, b.palette)
    full = quantize_image(img, 6, sample_size=None, random_state=0, method="minibatch")
    assert full.n_colors == 6


def test_grey_and_rgba_input():
    img = _image()
    grey = img[:, :, 0]
    res = quantize_image(grey, 4, random_state=0)
    assert res.image.shape == (*grey.shape, 3)
    rgba = np.concatenate([img, np.full((*img.shape[:2], 1), 7, np.uint8)], axis=2)
    np.testing.assert_array_equal(
        quantize_image(rgba, 4, random_state=0).palette,
        quantize_image(img, 4, random_state=0).palette,
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_colors": 0}, "n_colors=0"),
        ({"n_colors": 2.5}, "n_colors=2.5"),
        ({"n_colors": 4, "method": "median"}, "method='median'"),
        ({"n_colors": 4, "sample_size": 0}, "sample_size=0"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        quantize_image(_image(), **kwargs)


def test_bad_images():
    with pytest.raises(ValueError, match="dtype uint8"):
        quantize_image(np.zeros((4, 4, 3)), 2)
    with pytest.raises(ValueError, match=r"shape \(4, 4, 2\)"):
        quantize_image(np.zeros((4, 4, 2), np.uint8), 2)


def test_read_write_roundtrip(tmp_path):
    img = _image()
    res = quantize_image(img, 8, random_state=0)
    path = tmp_path / "q.png"
    write_image(path, res.image)
    np.testing.assert_array_equal(read_image(path), res.image)
    from PIL import Image

    Image.fromarray(img[:, :, 0], mode="L").save(tmp_path / "g.png")
    grey = read_image(tmp_path / "g.png")
    assert grey.shape == img.shape
    np.testing.assert_array_equal(grey[:, :, 1], img[:, :, 0])
    Image.fromarray(np.dstack([img, img[:, :, :1]]), mode="RGBA").save(tmp_path / "a.png")
    np.testing.assert_array_equal(read_image(tmp_path / "a.png"), img)


def test_read_errors(tmp_path):
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    with pytest.raises(ValueError, match="not an image"):
        read_image(bad)
    with pytest.raises(FileNotFoundError, match=r"missing\.png"):
        read_image(tmp_path / "missing.png")
