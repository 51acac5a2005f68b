"""shoal on Dask: the same estimators on dask arrays, out of core and on a cluster.

Why a separate package rather than estimators that also accept dask arrays: a dask fit is a
different algorithm (a sequence of passes that bring back sufficient statistics, k-means||
instead of k-means++, no per-sample state between passes), with parameters of its own
(``persist``, ``oversampling_factor``); keeping it in ``shoal.dask`` leaves the in-memory
estimators free of any dask import and of a second code path, so scikit-learn's
``check_estimator`` and their tests are untouched. The dask classes subclass or reuse the
in-memory ones (parameters, validation, the predict family) and run the same numba kernels on
every row block; only per-cluster sums, moments or CF entries travel.

Engine: a ``dask.distributed`` client when one is active (``Client(address)`` for an existing
scheduler, ``Client(LocalCluster(...))`` on one machine), otherwise dask's synchronous
scheduler on the local machine (each block's kernel already uses every core). Install with
``pip install "shoal[dask]"``.

- :class:`KMeans`: k-means|| seeding, Lloyd with per-block partial sums.
- :class:`GaussianMixture`: EM with per-block sufficient statistics, all covariance types.
- :class:`MiniBatchKMeans`: streaming ``partial_fit`` over the blocks.
- :class:`Birch`: a CF tree per block, their leaf entries merged into one tree.
- :func:`predict`, :func:`transform`, :func:`predict_proba`, :func:`score_samples`: any fitted
  shoal estimator on a dask array (``map_blocks``); the dask estimators do the same in their
  methods.
- Metrics: :func:`calinski_harabasz_score`, :func:`davies_bouldin_score` (exact, two passes),
  :func:`silhouette_score` (on a random sample).
"""

from __future__ import annotations

from ._engine import require_dask as _require_dask

_require_dask()

from ._birch import Birch  # noqa: E402
from ._inference import predict, predict_proba, score_samples, transform  # noqa: E402
from ._kmeans import KMeans  # noqa: E402
from ._metrics import (  # noqa: E402
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)
from ._minibatch import MiniBatchKMeans  # noqa: E402
from ._mixture import GaussianMixture  # noqa: E402

__all__ = [
    "Birch",
    "GaussianMixture",
    "KMeans",
    "MiniBatchKMeans",
    "calinski_harabasz_score",
    "davies_bouldin_score",
    "predict",
    "predict_proba",
    "score_samples",
    "silhouette_score",
    "transform",
]
