"""AffinityPropagation: shoal vs scikit-learn, same data, same random_state.

Run: ``python benchmarks/bench_affinity.py [--n 3000]``. Gaussian blobs in 2-D (the issue's
case: n=3000), default damping and preference, float64 and float32 input. Quality: exemplars
identical to scikit-learn's, the same number of iterations, and the clusters found.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
from _runner import report, timeit
from sklearn.cluster import AffinityPropagation as SKAffinityPropagation

from shoal import AffinityPropagation


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=3000)
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    centers = rng.uniform(-10, 10, (8, 2))
    X = centers[rng.integers(0, 8, a.n)] + rng.standard_normal((a.n, 2))
    AffinityPropagation(random_state=0).fit(X[:200])  # compiled kernels loaded
    AffinityPropagation(random_state=0).fit(X[:200].astype(np.float32))
    rows = []
    warnings.simplefilter("ignore")
    for dtype in (np.float64, np.float32):
        Xd = X.astype(dtype)
        case = f"n={a.n} d=2 {np.dtype(dtype).name}"
        t, ours = timeit(lambda Xd=Xd: AffinityPropagation(random_state=0).fit(Xd))
        t_ref, ref = timeit(lambda Xd=Xd: SKAffinityPropagation(random_state=0).fit(Xd))
        rows += [
            {"case": case, "impl": "shoal", "seconds": t, "n_iter": ours.n_iter_,
             "clusters": int(ours.cluster_centers_indices_.size)},
            {"case": case, "impl": "sklearn", "seconds": t_ref, "n_iter": ref.n_iter_,
             "clusters": len(ref.cluster_centers_indices_),
             "same_exemplars": bool(np.array_equal(ours.cluster_centers_indices_,
                                                   ref.cluster_centers_indices_))},
        ]  # fmt: skip
    report("affinity", rows, meta=vars(a))


if __name__ == "__main__":
    main()
