"""MeanShift (flat kernel): shoal vs scikit-learn, same data, same bandwidth.

Run: ``python benchmarks/bench_meanshift.py``. Cases: 1e4 x 2 with every sample as a seed, and
1e5 x 2 bin-seeded (the issue's sizes). Quality: largest centre difference and label equality.
"""

from __future__ import annotations

import argparse

import numpy as np
from _runner import report, timeit
from sklearn.cluster import MeanShift as SKMeanShift

from shoal import MeanShift


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n-all", type=int, default=10_000)
    ap.add_argument("--n-bin", type=int, default=100_000)
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    centers = rng.uniform(-10, 10, (6, 2))
    MeanShift(bandwidth=1.0).fit(rng.normal(size=(200, 2)))  # compiled kernels loaded
    rows = []
    for n, bins in ((a.n_all, False), (a.n_bin, True)):
        X = centers[rng.integers(0, 6, n)] + rng.standard_normal((n, 2))
        case = f"n={n} d=2 bandwidth=1.5 bin_seeding={bins}"
        t, ours = timeit(lambda X=X, b=bins: MeanShift(bandwidth=1.5, bin_seeding=b).fit(X))
        t_ref, ref = timeit(lambda X=X, b=bins: SKMeanShift(bandwidth=1.5, bin_seeding=b).fit(X))
        same_shape = ours.cluster_centers_.shape == ref.cluster_centers_.shape
        rows += [
            {"case": case, "impl": "shoal", "seconds": t,
             "clusters": int(ours.cluster_centers_.shape[0])},
            {"case": case, "impl": "sklearn", "seconds": t_ref,
             "clusters": int(ref.cluster_centers_.shape[0]),
             "max_center_diff": float(np.abs(ours.cluster_centers_ - ref.cluster_centers_).max())
             if same_shape else float("nan"),
             "same_labels": bool(np.array_equal(ours.labels_, ref.labels_))},
        ]  # fmt: skip
    report("meanshift", rows, meta=vars(a))


if __name__ == "__main__":
    main()
