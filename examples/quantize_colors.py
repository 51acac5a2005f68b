"""Colour quantisation with k-means (the seeds' mini project).

A synthetic landscape (sky gradient, sun, hills, noise) is reduced to 4, 8, 16 and 32 colours;
for each the script prints the PSNR against the original and the compression ratio
(24 bits per pixel vs a ceil(log2 k)-bit palette index per pixel plus the 24-bit palette), and
writes ``original.png`` and ``quantized_<k>.png``.

Run: ``python examples/quantize_colors.py [OUTPUT_DIR]``
"""

from __future__ import annotations

import numpy as np
from _common import output_dir

from shoal.apps import quantize_image, write_image


def landscape(h: int = 160, w: int = 240, seed: int = 0) -> np.ndarray:
    """A procedural RGB image: sky gradient, a sun, two hills, a lake and sensor noise."""
    rng = np.random.RandomState(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    t = yy / h
    img = np.stack([90 + 120 * t, 140 + 60 * t, 230 - 40 * t], axis=2)
    sun = (xx - 0.75 * w) ** 2 + (yy - 0.25 * h) ** 2 < (0.09 * w) ** 2
    img[sun] = [250, 215, 80]
    hill1 = yy > 0.55 * h + 0.12 * h * np.sin(xx / w * 2 * np.pi)
    hill2 = yy > 0.72 * h + 0.06 * h * np.cos(xx / w * 5)
    img[hill1] = np.stack([40 + 30 * t, 120 + 40 * t, 50 + 0 * t], axis=2)[hill1]
    img[hill2] = [95, 75, 45]
    lake = ((xx - 0.3 * w) / (0.18 * w)) ** 2 + ((yy - 0.85 * h) / (0.07 * h)) ** 2 < 1
    img[lake] = [60, 110, 190]
    img += rng.normal(0, 5, img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def main() -> None:
    out = output_dir()
    img = landscape()
    write_image(out / "original.png", img)
    distinct = np.unique(img.reshape(-1, 3), axis=0).shape[0]
    print(f"image: {img.shape[1]}x{img.shape[0]} pixels, {distinct} distinct colours")
    for k in (4, 8, 16, 32):
        res = quantize_image(img, k, random_state=0)
        write_image(out / f"quantized_{k}.png", res.image)
        print(
            f"colors={res.n_colors} psnr={res.psnr:.4f} dB "
            f"compression_ratio={res.compression_ratio:.4f}"
        )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
