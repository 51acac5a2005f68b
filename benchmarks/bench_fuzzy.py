"""FuzzyCMeans: shoal vs scikit-fuzzy's cmeans, same data, same initial memberships.

Run: ``python benchmarks/bench_fuzzy.py [--n 100000 --d 8 --k 10]``. Both run ``--iters``
iterations (tolerance 0) from the same random memberships, so they compute the same iterates:
the final objective is the quality figure. Best of ``--repeat`` warm runs each.
"""

from __future__ import annotations

import argparse

import numpy as np
import skfuzzy
from _runner import report, timeit
from sklearn.datasets import make_blobs

from shoal import FuzzyCMeans


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--d", type=int, default=8)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--m", type=float, default=2.0)
    ap.add_argument("--iters", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=2)
    a = ap.parse_args()

    X, _ = make_blobs(a.n, a.d, centers=a.k, cluster_std=2.0, random_state=0)
    u0 = np.random.default_rng(0).random((a.k, a.n))
    u0 /= u0.sum(axis=0)
    kw = dict(m=a.m, tol=0.0, max_iter=a.iters, u_init=u0.T)
    FuzzyCMeans(a.k, m=a.m, max_iter=2).fit(X[:1000])  # compiled kernels loaded
    case = f"{a.iters} iters n={a.n} d={a.d} k={a.k} m={a.m}"
    t, ours = timeit(lambda: FuzzyCMeans(a.k, **kw).fit(X), repeat=a.repeat)
    t_ref, ref = timeit(
        lambda: skfuzzy.cluster.cmeans(X.T, a.k, a.m, error=0.0, maxiter=a.iters, init=u0),
        repeat=a.repeat,
    )
    rows = [
        {"case": case, "impl": "shoal", "seconds": t, "objective": float(ours.objective_[-1])},
        {
            "case": case,
            "impl": "scikit-fuzzy",
            "seconds": t_ref,
            "objective": float(ref[4][-1]),
            "objective_rel_diff": float(ours.objective_[-1] / ref[4][-1] - 1),
        },
    ]
    report("fuzzy", rows, meta=vars(a))


if __name__ == "__main__":
    main()
