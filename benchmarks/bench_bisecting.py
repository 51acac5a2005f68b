"""BisectingKMeans: shoal vs sklearn.cluster.BisectingKMeans on the same blobs, in one process.

Run: ``python benchmarks/bench_bisecting.py [--n 200000]``. Both run with the same parameters
and ``random_state``; shoal makes the same draws and splits as scikit-learn, so the inertia
(the quality figure) should agree to rounding. Each call is timed warm (best of ``--repeat``),
shoal after one untimed call that loads the compiled kernels.
"""

from __future__ import annotations

import argparse

import numpy as np
from _runner import report, timeit
from sklearn.cluster import BisectingKMeans as SKBisectingKMeans
from sklearn.datasets import make_blobs

from shoal import BisectingKMeans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--d", type=int, default=16)
    parser.add_argument("--k", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    X64, _ = make_blobs(n_samples=args.n, n_features=args.d, centers=args.k, cluster_std=2.0,
                        random_state=0)  # fmt: skip
    rows = []
    for dtype in ("float64", "float32"):
        X = np.ascontiguousarray(X64, dtype=dtype)
        for strategy in ("biggest_inertia", "largest_cluster"):
            params = dict(n_clusters=args.k, random_state=0, bisecting_strategy=strategy)
            case = f"n={args.n},d={args.d},k={args.k},{dtype},{strategy}"
            BisectingKMeans(**params).fit(X[:5000])  # compiled kernels loaded
            s_sec, ours = timeit(
                lambda p=params, X=X: BisectingKMeans(**p).fit(X), repeat=args.repeat
            )
            p_sec, ref = timeit(
                lambda p=params, X=X: SKBisectingKMeans(**p).fit(X), repeat=args.repeat
            )
            rows.append({"case": case, "impl": "shoal", "seconds": s_sec,
                         "inertia": ours.inertia_})  # fmt: skip
            rows.append({"case": case, "impl": "sklearn", "seconds": p_sec,
                         "inertia": ref.inertia_,
                         "inertia_rel_diff": ours.inertia_ / ref.inertia_ - 1.0})  # fmt: skip
    report("bisecting", rows, {"n": args.n, "d": args.d, "k": args.k, "repeat": args.repeat})


if __name__ == "__main__":
    main()
