"""SpectralClustering: shoal vs scikit-learn, same data, same affinity, same random_state.

Run: ``python benchmarks/bench_spectral.py [--n-small 5000 --n-large 50000 --n-rbf 3000]``.
Gaussian blobs (8 centres in [-10, 10]^8, unit spread): nearest_neighbors (n_neighbors=10) at
the two sizes and rbf (gamma=0.05) at n-rbf, 8 clusters. Quality: the ARI between the two
labelings.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
from _runner import report, timeit
from sklearn.cluster import SpectralClustering as SKSpectral
from sklearn.metrics import adjusted_rand_score

from shoal import SpectralClustering


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n-small", type=int, default=5000)
    ap.add_argument("--n-large", type=int, default=50_000)
    ap.add_argument("--n-rbf", type=int, default=3000)
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(0)
    centers = rng.uniform(-10, 10, (8, 8))
    SpectralClustering(3, affinity="nearest_neighbors", random_state=0).fit(
        rng.normal(size=(300, 8))
    )  # compiled kernels loaded
    rows = []
    for n, affinity in ((a.n_small, "nearest_neighbors"), (a.n_large, "nearest_neighbors"),
                        (a.n_rbf, "rbf")):  # fmt: skip
        X = centers[rng.integers(0, 8, n)] + rng.standard_normal((n, 8))
        kw = {"affinity": affinity, "gamma": 0.05} if affinity == "rbf" else {"affinity": affinity}
        case = f"n={n} d=8 {affinity}"
        t, ours = timeit(lambda X=X, kw=kw: SpectralClustering(8, random_state=0, **kw).fit(X))
        t_ref, ref = timeit(lambda X=X, kw=kw: SKSpectral(8, random_state=0, **kw).fit(X))
        rows += [
            {"case": case, "impl": "shoal", "seconds": t},
            {"case": case, "impl": "sklearn", "seconds": t_ref,
             "ari_vs_shoal": adjusted_rand_score(ref.labels_, ours.labels_)},
        ]  # fmt: skip
    report("spectral", rows, meta=vars(a))


if __name__ == "__main__":
    main()
