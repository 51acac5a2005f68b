"""The seeds' applications, each one function over shoal's estimators.

- :func:`quantize_image` — colour quantisation by k-means (PSNR, compression ratio);
- :func:`segment_image` — mean shift in the joint spatial-colour space;
- :func:`segment_profiles` — who is in each customer segment (sizes, means, z-scores);
- :func:`cluster_documents` — TF-IDF (:class:`Tfidf`) and spherical k-means on sparse rows;
- :func:`anomaly_scores` — Gaussian-mixture likelihood or HDBSCAN's GLOSH.

Pillow (for :func:`read_image` / :func:`write_image`) is imported only when a file is read or
written; it comes with matplotlib (``pip install "shoal[plot]"``).
"""

from __future__ import annotations

from ._anomaly import AnomalyResult, anomaly_scores
from ._image import (
    QuantizeResult,
    SegmentResult,
    compression_ratio,
    psnr,
    quantize_image,
    read_image,
    segment_image,
    write_image,
)
from ._profiles import SegmentProfiles, segment_profiles
from ._text import ENGLISH_STOP_WORDS, DocumentTopics, Tfidf, cluster_documents

__all__ = [
    "ENGLISH_STOP_WORDS",
    "AnomalyResult",
    "DocumentTopics",
    "QuantizeResult",
    "SegmentProfiles",
    "SegmentResult",
    "Tfidf",
    "anomaly_scores",
    "cluster_documents",
    "compression_ratio",
    "psnr",
    "quantize_image",
    "read_image",
    "segment_image",
    "segment_profiles",
    "write_image",
]
