"""HDBSCAN: shoal vs fast_hdbscan, hdbscan (exact tree) and scikit-learn, same data.

Run: ``python benchmarks/bench_hdbscan.py [--n 100000] [--d 2 8] [--skip-slow]``. Blobs with 5 %
uniform noise; min_cluster_size=15, min_samples 10 in scikit-learn's convention (9 for the
hdbscan package, whose count leaves the sample out; fast_hdbscan follows scikit-learn). Each
library runs once after a small warm-up fit (compilation is not timed). Quality: ARI against
the hdbscan package's labels and the number of clusters.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from _runner import report
from sklearn.metrics import adjusted_rand_score


def make(n: int, d: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-10, 10, (12, d))
    X = centers[rng.integers(0, 12, n)] + rng.uniform(0.3, 1.0) * rng.standard_normal((n, d))
    X[: n // 20] = rng.uniform(-12, 12, (n // 20, d))
    return X


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--d", type=int, nargs="+", default=[2, 8])
    ap.add_argument("--skip-slow", action="store_true", help="leave scikit-learn out")
    a = ap.parse_args()
    import fast_hdbscan
    import hdbscan
    from sklearn.cluster import HDBSCAN as SKHDBSCAN

    from shoal import HDBSCAN

    mcs, ms = 15, 10
    runs = {
        "shoal": lambda X: HDBSCAN(min_cluster_size=mcs, min_samples=ms).fit(X).labels_,
        "fast_hdbscan": lambda X: fast_hdbscan.HDBSCAN(min_cluster_size=mcs, min_samples=ms)
        .fit(X).labels_,
        "hdbscan": lambda X: hdbscan.HDBSCAN(min_cluster_size=mcs, min_samples=ms - 1,
                                             approx_min_span_tree=False).fit(X).labels_,
        "sklearn": lambda X: SKHDBSCAN(min_cluster_size=mcs, min_samples=ms).fit(X).labels_,
    }  # fmt: skip
    if a.skip_slow:
        runs.pop("sklearn")
    rows = []
    for d in a.d:
        X = make(a.n, d)
        case = f"n={a.n} d={d} min_cluster_size={mcs} min_samples={ms}"
        labels = {}
        times = {}
        for name, fn in runs.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fn(X[:2000])  # compile / warm up
                t0 = time.perf_counter()
                labels[name] = fn(X)
                times[name] = time.perf_counter() - t0
        for name in runs:
            rows.append({"case": case, "impl": name, "seconds": times[name],
                         "clusters": int(labels[name].max() + 1),
                         "ari_vs_hdbscan": float(adjusted_rand_score(labels["hdbscan"],
                                                                     labels[name]))})  # fmt: skip
    report("hdbscan", rows, meta=vars(a))


if __name__ == "__main__":
    main()
