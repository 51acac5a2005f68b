"""Why algorithm='auto' means Hamerly: lloyd, elkan and hamerly over shapes (n=1e5, 50 iters).

Same blobs, same initial centres, tol=0, for shoal's three algorithms and scikit-learn's lloyd.
Usage: ``python benchmarks/bench_kmeans_algorithms.py [--n 100000]``.
"""

from __future__ import annotations

import argparse

import numpy as np
from _runner import report, timeit
from sklearn.cluster import KMeans as SKKMeans
from sklearn.datasets import make_blobs

from shoal import KMeans

SHAPES = [(2, 3), (2, 50), (32, 10), (128, 100), (512, 10), (16, 500)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--iters", type=int, default=50)
    a = ap.parse_args()
    rows = []
    for d, k in SHAPES:
        X, _ = make_blobs(a.n, d, centers=k, cluster_std=3.0, random_state=0)
        init = X[np.random.default_rng(0).choice(a.n, k, replace=False)]
        case = f"n={a.n} d={d} k={k}"
        for alg in ("hamerly", "lloyd", "elkan"):
            km = KMeans(k, init=init, n_init=1, algorithm=alg, max_iter=a.iters, tol=0)
            km.fit(X[: 20 * k])  # compile / load the kernels untimed
            t, _ = timeit(lambda km=km, X=X: km.fit(X))
            rows.append({"case": case, "impl": f"shoal-{alg}", "seconds": t,
                         "inertia": km.inertia_})  # fmt: skip
        sk = SKKMeans(k, init=init, n_init=1, max_iter=a.iters, tol=0)
        t, _ = timeit(lambda sk=sk, X=X: sk.fit(X))
        rows.append({"case": case, "impl": "sklearn-lloyd", "seconds": t, "inertia": sk.inertia_})
    report("kmeans_algorithms", rows, meta=vars(a))


if __name__ == "__main__":
    main()
