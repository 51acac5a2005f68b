"""Images: read/write (Pillow), colour quantisation (k-means) and segmentation (mean shift)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._validation import check_int, check_option, check_random_state, check_real

__all__ = [
    "QuantizeResult",
    "SegmentResult",
    "compression_ratio",
    "psnr",
    "quantize_image",
    "read_image",
    "segment_image",
    "write_image",
]


def _pil() -> Any:
    try:
        from PIL import Image
    except ImportError as exc:  # pragma: no cover - Pillow comes with matplotlib
        raise ImportError(
            'Reading and writing images needs Pillow: pip install "shoal[plot]"'
        ) from exc
    return Image


def read_image(path: str | Path) -> np.ndarray:
    """Read an image file as an ``(H, W, 3)`` uint8 RGB array.

    Alpha is dropped, grey and palette images are expanded to three channels, 16-bit images
    are scaled to 8 bits (Pillow's conversion).

    Parameters
    ----------
    path : str or Path
        Any format Pillow reads (PNG, JPEG, BMP, TIFF, GIF, ...).

    Returns
    -------
    image : ndarray of shape (H, W, 3), uint8

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ValueError
        When the file is not an image Pillow can read.
    """
    Image = _pil()
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No such image file: {str(path)!r}.")
    try:
        with Image.open(path) as img:
            img.load()
            rgb = img.convert("RGB")
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValueError(f"{str(path)!r} is not an image file Pillow can read ({exc}).") from exc
    return np.ascontiguousarray(np.asarray(rgb, dtype=np.uint8))


def write_image(path: str | Path, image: Any) -> None:
    """Write an ``(H, W, 3)`` (or ``(H, W)`` grey) uint8 array; the format follows the suffix
    (``.png`` is lossless, so a quantised image keeps exactly its palette)."""
    Image = _pil()
    arr = check_image(image)
    Image.fromarray(arr, mode="RGB").save(Path(path))


def check_image(image: Any, name: str = "image") -> np.ndarray:
    """Validate an image array: (H, W, 3) uint8 (or (H, W) grey, (H, W, 4) with alpha dropped).

    Float images are refused rather than guessed at (0..1 or 0..255?); convert with
    ``(img * 255).round().astype(np.uint8)``.
    """
    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        raise ValueError(
            f"{name} must have dtype uint8 (8-bit RGB); got dtype {arr.dtype}. Convert floats "
            "in [0, 1] with (image * 255).round().astype(np.uint8)."
        )
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise ValueError(f"{name} must have shape (H, W, 3) (RGB); got shape {arr.shape}.")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} is empty: shape {arr.shape}.")
    return np.ascontiguousarray(arr[:, :, :3])


def psnr(original: Any, approx: Any) -> float:
    """Peak signal-to-noise ratio in dB of two uint8 images: ``10 log10(255^2 / MSE)``, the MSE
    over every pixel and channel in 8-bit units; ``inf`` when the images are equal."""
    a = np.asarray(original, dtype=np.float64)
    b = np.asarray(approx, dtype=np.float64)
    mse = float(np.mean((a - b) ** 2))
    return math.inf if mse == 0 else 10.0 * math.log10(255.0**2 / mse)


def compression_ratio(n_pixels: int, n_colors: int) -> float:
    """Size of the 24-bit image over the size of the palette image (see ``QuantizeResult``):
    ``24 n / (n ceil(log2 k) + 24 k)``."""
    bits_index = math.ceil(math.log2(n_colors)) if n_colors > 1 else 0
    return 24.0 * n_pixels / (n_pixels * bits_index + 24.0 * n_colors)


@dataclass(frozen=True)
class QuantizeResult:
    """Result of :func:`quantize_image`.

    Attributes
    ----------
    image : ndarray of shape (H, W, 3), uint8
        Every pixel replaced by its palette colour.
    palette : ndarray of shape (n_colors, 3), uint8
        The colours (k-means centres rounded to 8 bits).
    labels : ndarray of shape (H, W), int64
        Palette index of every pixel.
    psnr : float
        ``10 log10(255^2 / MSE)`` dB of ``image`` against the input, the MSE over all pixels
        and channels in 8-bit units; ``inf`` when they are identical.
    compression_ratio : float
        Bits of the input over bits of the palette image, as in the classic colour-quantisation
        lesson: the input stores 24 bits per pixel; the quantised image stores one palette index
        of ``ceil(log2 n_colors)`` bits per pixel (0 bits for one colour) plus the palette,
        ``24 n_colors`` bits. For ``n = H W`` pixels::

            ratio = 24 n / (n ceil(log2 n_colors) + 24 n_colors)

        e.g. 128 x 128 pixels with 16 colours: 393216 / 65920 = 5.97.
    n_colors : int
        Number of palette colours (fewer than asked when the image has fewer distinct colours).
    """

    image: np.ndarray
    palette: np.ndarray
    labels: np.ndarray
    psnr: float
    compression_ratio: float
    n_colors: int


def _distinct_colours(pixels: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The distinct colours and each pixel's index among them, when there are at most
    ``limit``; else None."""
    code = pixels[:, 0].astype(np.int64) << 16 | pixels[:, 1].astype(np.int64) << 8 | pixels[:, 2]
    uniq, inverse = np.unique(code, return_inverse=True)
    if uniq.shape[0] > limit:
        return None
    palette = np.stack([(uniq >> 16) & 255, (uniq >> 8) & 255, uniq & 255], axis=1)
    return palette.astype(np.uint8), inverse.astype(np.int64).ravel()


def quantize_image(
    image: Any,
    n_colors: int,
    *,
    sample_size: int | None = 10_000,
    random_state: Any = None,
    method: str = "kmeans",
) -> QuantizeResult:
    """Reduce an image to ``n_colors`` colours with k-means in RGB space (the seeds' mini
    project).

    k-means is fitted on ``sample_size`` pixels drawn at random (the palette hardly changes
    with more), then every pixel gets its nearest palette colour (a chunked, parallel nearest-
    centre pass; no pixels x colours matrix).

    Parameters
    ----------
    image : array-like of shape (H, W, 3), uint8
        RGB image (``(H, W)`` grey and ``(H, W, 4)`` RGBA are accepted; alpha is ignored).
    n_colors : int >= 1
        Palette size. When the image has at most ``n_colors`` distinct colours, the palette is
        exactly those colours and the result equals the input (PSNR inf); ``n_colors`` of the
        result then says how many there are.
    sample_size : int or None, default=10000
        Pixels the palette is fitted on; None fits on every pixel.
    random_state : int, RandomState instance or None, default=None
        Seed of the pixel sample and of k-means++.
    method : {'kmeans', 'minibatch'}, default='kmeans'
        ``KMeans`` (k-means++, Lloyd/Hamerly) or ``MiniBatchKMeans`` on the sample.

    Returns
    -------
    QuantizeResult
        ``image``, ``palette``, ``labels``, ``psnr``, ``compression_ratio``, ``n_colors``.

    Notes
    -----
    Time O(sample_size k iterations) for the fit plus O(H W k) for the assignment; memory
    O(H W) (the float32 pixel array and the labels).

    Examples
    --------
    >>> import numpy as np
    >>> from shoal.apps import quantize_image
    >>> img = np.zeros((4, 4, 3), dtype=np.uint8)
    >>> img[:, 2:] = [200, 30, 30]
    >>> res = quantize_image(img, 2, random_state=0)
    >>> res.n_colors, res.psnr
    (2, inf)
    """
    from ..centroid import KMeans, MiniBatchKMeans

    img = check_image(image)
    k = check_int("n_colors", n_colors, low=1)
    assert k is not None
    if sample_size is not None:
        check_int("sample_size", sample_size, low=1)
    check_option("method", method, ("kmeans", "minibatch"))
    h, w, _ = img.shape
    pixels = img.reshape(-1, 3)
    n = pixels.shape[0]
    exact = _distinct_colours(pixels, k)
    if exact is not None:
        palette, labels = exact
    else:
        rng = check_random_state(random_state)
        if sample_size is not None and sample_size < n:
            sample = pixels[rng.choice(n, size=sample_size, replace=False)]
        else:
            sample = pixels
        sample = sample.astype(np.float32)
        if np.unique(sample, axis=0).shape[0] < k:
            # A sample with fewer distinct colours than k leaves empty clusters: use them all.
            sample = pixels.astype(np.float32)
        seed = rng.randint(np.iinfo(np.int32).max)
        if method == "kmeans":
            model: Any = KMeans(k, random_state=seed)
        else:
            model = MiniBatchKMeans(k, random_state=seed)
        model.fit(sample)
        palette = np.clip(np.rint(model.cluster_centers_), 0, 255).astype(np.uint8)
        labels = model.predict(pixels.astype(np.float32))
    out = palette[labels].reshape(h, w, 3)
    return QuantizeResult(
        image=out,
        palette=palette,
        labels=labels.reshape(h, w),
        psnr=psnr(img, out),
        compression_ratio=compression_ratio(n, palette.shape[0]),
        n_colors=int(palette.shape[0]),
    )


@dataclass(frozen=True)
class SegmentResult:
    """Result of :func:`segment_image`.

    Attributes
    ----------
    labels : ndarray of shape (H, W), int64
        Segment of every pixel, 0 .. n_segments - 1.
    image : ndarray of shape (H, W, 3), uint8
        Every segment painted with its mean colour.
    n_segments : int
    centers : ndarray of shape (n_segments, 5), float64
        The modes in the scaled feature space ``(x, y, r, g, b)`` (see ``segment_image``).
    bandwidth : float
        The bandwidth used (estimated when None was given).
    """

    labels: np.ndarray
    image: np.ndarray
    n_segments: int
    centers: np.ndarray
    bandwidth: float


def _joint_features(img: np.ndarray, spatial_weight: float) -> np.ndarray:
    h, w, _ = img.shape
    scale = spatial_weight / max(h, w)
    yy, xx = np.mgrid[0:h, 0:w]
    return np.column_stack(
        [xx.ravel() * scale, yy.ravel() * scale, img.reshape(-1, 3) / 255.0]
    ).astype(np.float64)


def segment_image(
    image: Any,
    *,
    bandwidth: float | None = None,
    spatial_weight: float = 0.5,
    bin_seeding: bool = True,
    max_pixels: int = 10_000,
    quantile: float = 0.2,
    random_state: Any = None,
) -> SegmentResult:
    """Segment an image by mean shift in the joint spatial-colour space (Comaniciu & Meer 2002).

    Every pixel is the point ``(s x, s y, r, g, b)`` with colours scaled to [0, 1] (divided by
    255) and positions divided by the longer side of the image and multiplied by
    ``spatial_weight`` (``s = spatial_weight / max(H, W)``): crossing the whole image weighs as
    much as a colour difference of ``spatial_weight * 255`` levels. Mean shift finds the modes
    of these points; each pixel joins the nearest mode, and segments are painted with their
    mean colour. With ``spatial_weight=0`` this is colour-only mean shift.

    Parameters
    ----------
    image : array-like of shape (H, W, 3), uint8
    bandwidth : float, default=None
        Kernel radius in the scaled space; None estimates it (``estimate_bandwidth`` at
        ``quantile`` on the fitted pixels).
    spatial_weight : float >= 0, default=0.5
        Weight of position against colour (see above).
    bin_seeding : bool, default=True
        Seed mean shift from a grid of side ``bandwidth`` instead of every pixel.
    max_pixels : int, default=10000
        Mean shift runs on a regular grid subsample of at most this many pixels (every
        ``ceil(sqrt(H W / max_pixels))``-th row and column), then every pixel joins the nearest
        mode: a 200 x 200 image takes a few seconds.
    quantile : float in (0, 1], default=0.2
        Quantile for the bandwidth estimate.
    random_state : int, RandomState instance or None, default=None
        Seed of the bandwidth estimate's subsample.

    Returns
    -------
    SegmentResult
        ``labels``, ``image``, ``n_segments``, ``centers``, ``bandwidth``.

    Notes
    -----
    Segments are modes of the joint density: a segment is compact in space and colour but
    need not be connected. Position alone can separate pixels, so a uniform area much wider
    than ``bandwidth / s`` pixels may come out as several tiles (the estimated bandwidth
    grows with the colour contrast; on an image of one flat colour it is all position): raise
    ``bandwidth`` or lower ``spatial_weight`` to merge them. Memory O(H W).
    """
    from ..mode import MeanShift, estimate_bandwidth

    img = check_image(image)
    check_real("spatial_weight", spatial_weight, low=0.0)
    check_real("bandwidth", bandwidth, low=0.0, low_inclusive=False, allow_none=True)
    check_int("max_pixels", max_pixels, low=1)
    check_real("quantile", quantile, low=0.0, high=1.0, low_inclusive=False)
    h, w, _ = img.shape
    feats = _joint_features(img, spatial_weight)
    step = max(1, math.ceil(math.sqrt(h * w / max_pixels)))
    sub = img[::step, ::step]
    grid = np.zeros((h, w), dtype=bool)
    grid[::step, ::step] = True
    fit_feats = feats[grid.ravel()]
    assert fit_feats.shape[0] == sub.shape[0] * sub.shape[1]
    if bandwidth is None:
        seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
        bandwidth = estimate_bandwidth(
            fit_feats, quantile=quantile, n_samples=min(fit_feats.shape[0], 2000), random_state=seed
        )
        if bandwidth <= 0:
            bandwidth = 1.0  # a flat image: one segment
    ms = MeanShift(bandwidth=bandwidth, bin_seeding=bin_seeding).fit(fit_feats)
    labels = ms.predict(feats)
    # Number segments by size (largest first) and drop modes no pixel joined.
    counts = np.bincount(labels, minlength=ms.cluster_centers_.shape[0])
    order = np.argsort(-counts, kind="stable")
    order = order[counts[order] > 0]
    rank = np.full(counts.shape[0], -1, dtype=np.int64)
    rank[order] = np.arange(order.shape[0])
    labels = rank[labels]
    k = order.shape[0]
    pixels = img.reshape(-1, 3).astype(np.float64)
    sums = np.stack([np.bincount(labels, weights=pixels[:, c], minlength=k) for c in range(3)], 1)
    mean_colour = np.clip(np.rint(sums / np.bincount(labels, minlength=k)[:, None]), 0, 255)
    painted = mean_colour.astype(np.uint8)[labels].reshape(h, w, 3)
    return SegmentResult(
        labels=labels.reshape(h, w),
        image=painted,
        n_segments=int(k),
        centers=np.asarray(ms.cluster_centers_, dtype=np.float64)[order],
        bandwidth=float(bandwidth),
    )
