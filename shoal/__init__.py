"""shoal: every classic clustering algorithm behind one scikit-learn-compatible API, fast.

Public names are imported on first use (PEP 562), so ``import shoal`` and the command line
start without loading scikit-learn, numba or the kernels an application does not touch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> submodule that defines it
_LAZY = {
    "KMeans": "centroid", "MiniBatchKMeans": "centroid", "BisectingKMeans": "centroid",
    "FuzzyCMeans": "centroid", "KMedoids": "centroid", "KModes": "centroid",
    "KPrototypes": "centroid", "kmeans_plusplus": "centroid",
    "DBSCAN": "density", "HDBSCAN": "density", "OPTICS": "density", "dbscan": "density",
    "k_distance": "density",
    "AffinityPropagation": "graph", "SpectralClustering": "graph",
    "AgglomerativeClustering": "hierarchy", "Birch": "hierarchy",
    "BayesianGaussianMixture": "mixture", "GaussianMixture": "mixture",
    "MeanShift": "mode", "MedoidShift": "mode", "estimate_bandwidth": "mode",
    "select_k": "select",
}  # fmt: skip
_SUBMODULES = ("apps", "io", "metrics", "plot", "report", "select")

__all__ = [
    "DBSCAN",
    "HDBSCAN",
    "OPTICS",
    "AffinityPropagation",
    "AgglomerativeClustering",
    "BayesianGaussianMixture",
    "Birch",
    "BisectingKMeans",
    "FuzzyCMeans",
    "GaussianMixture",
    "KMeans",
    "KMedoids",
    "KModes",
    "KPrototypes",
    "MeanShift",
    "MedoidShift",
    "MiniBatchKMeans",
    "SpectralClustering",
    "__version__",
    "apps",
    "dbscan",
    "estimate_bandwidth",
    "io",
    "k_distance",
    "kmeans_plusplus",
    "metrics",
    "plot",
    "report",
    "select",
    "select_k",
]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    where = _LAZY.get(name)
    if where is None:
        raise AttributeError(f"module 'shoal' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{where}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # what type checkers and IDEs see
    from . import apps, io, metrics, plot, report, select
    from .centroid import (
        BisectingKMeans,
        FuzzyCMeans,
        KMeans,
        KMedoids,
        KModes,
        KPrototypes,
        MiniBatchKMeans,
        kmeans_plusplus,
    )
    from .density import DBSCAN, HDBSCAN, OPTICS, dbscan, k_distance
    from .graph import AffinityPropagation, SpectralClustering
    from .hierarchy import AgglomerativeClustering, Birch
    from .mixture import BayesianGaussianMixture, GaussianMixture
    from .mode import MeanShift, MedoidShift, estimate_bandwidth
    from .select import select_k
