"""silhouette_score: shoal vs sklearn.metrics on the same blobs, in one process.

Run: ``python benchmarks/bench_silhouette.py [--n 20000]``. shoal is called once first
(row ``shoal-first-call``: numba compilation, or loading it from the on-disk cache) and is then
timed warm (row ``shoal``). Quality figure: |shoal - sklearn| of the two scores.
"""

from __future__ import annotations

import argparse

import numba
import numpy as np
from _runner import report, timeit
from sklearn.datasets import make_blobs
from sklearn.metrics import silhouette_score as sk_silhouette_score

from shoal.metrics import silhouette_score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--d", type=int, default=16)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    X, y = make_blobs(n_samples=args.n, n_features=args.d, centers=args.k, random_state=0)
    X = np.ascontiguousarray(X, dtype=np.float64)
    case = f"n={args.n},d={args.d},k={args.k}"

    first_s, _ = timeit(lambda: silhouette_score(X, y), repeat=1)
    shoal_s, shoal_v = timeit(lambda: silhouette_score(X, y), repeat=args.repeat)
    sk_s, sk_v = timeit(lambda: sk_silhouette_score(X, y), repeat=args.repeat)

    rows = [
        {"case": case, "impl": "shoal", "seconds": shoal_s, "score": shoal_v},
        {"case": case, "impl": "shoal-first-call", "seconds": first_s, "score": shoal_v},
        {
            "case": case,
            "impl": "sklearn",
            "seconds": sk_s,
            "score": sk_v,
            "abs_diff": abs(shoal_v - sk_v),
        },
    ]
    report(
        "silhouette",
        rows,
        meta={
            "dtype": "float64",
            "repeat": args.repeat,
            "numba_threads": numba.get_num_threads(),
            "target": "shoal <= 0.33 x sklearn",
        },
    )


if __name__ == "__main__":
    main()
