"""OPTICS: shoal vs scikit-learn, same data and parameters (defaults: max_eps=inf, xi).

Run: ``python benchmarks/bench_optics.py [--n 20000]`` (scikit-learn needs minutes at 2e4).
Quality figures: identical ordering, maximum reachability difference, identical labels.
"""

from __future__ import annotations

import argparse

import numpy as np
from _runner import report, timeit
from sklearn.cluster import OPTICS as SKOPTICS

from shoal import OPTICS


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--min-samples", type=int, default=10)
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    centers = rng.uniform(-10, 10, (8, 2))
    X = centers[rng.integers(0, 8, a.n)] + 0.6 * rng.standard_normal((a.n, 2))
    X[: a.n // 20] = rng.uniform(-12, 12, (a.n // 20, 2))
    OPTICS(min_samples=a.min_samples).fit(X[:500])  # compiled kernels loaded
    case = f"n={a.n} d=2 min_samples={a.min_samples} max_eps=inf xi=0.05"
    t, ours = timeit(lambda: OPTICS(min_samples=a.min_samples).fit(X), repeat=2)
    t_ref, ref = timeit(lambda: SKOPTICS(min_samples=a.min_samples).fit(X))
    fin = np.isfinite(ref.reachability_)
    rows = [
        {"case": case, "impl": "shoal", "seconds": t, "clusters": int(ours.labels_.max() + 1)},
        {"case": case, "impl": "sklearn", "seconds": t_ref,
         "clusters": int(ref.labels_.max() + 1),
         "same_ordering": bool(np.array_equal(ours.ordering_, ref.ordering_)),
         "max_reach_diff": float(np.abs(ours.reachability_[fin] - ref.reachability_[fin]).max()),
         "same_labels": bool(np.array_equal(ours.labels_, ref.labels_))},
    ]  # fmt: skip
    report("optics", rows, meta=vars(a))


if __name__ == "__main__":
    main()
