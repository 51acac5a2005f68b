"""KMeans vs scikit-learn (lloyd, elkan) and faiss-cpu; k-means++ seeding; a GEMM floor.

Same data, same initial centres, tol=0 and a fixed number of iterations for everyone, in one
process. Usage: ``python benchmarks/bench_kmeans.py [--n 1000000] [--d 32] [--k 100]``.
"""

from __future__ import annotations

import argparse

import numpy as np
from _runner import report, timeit
from sklearn.cluster import KMeans as SKKMeans
from sklearn.cluster import kmeans_plusplus as sk_kmeans_plusplus
from sklearn.datasets import make_blobs
from threadpoolctl import threadpool_limits

from shoal import KMeans, kmeans_plusplus


def gemm_floor(X: np.ndarray, C: np.ndarray, iters: int, chunk: int = 4096) -> float:
    """Time of ``iters`` chunked X @ C.T products: the arithmetic floor of Lloyd."""

    def run() -> None:
        for _ in range(iters):
            for s in range(0, X.shape[0], chunk):
                np.dot(X[s : s + chunk], C.T)

    t, _ = timeit(run)
    return t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--d", type=int, default=32)
    ap.add_argument("--k", type=int, default=100)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--std", type=float, default=4.0, help="blob spread (centres in +-10)")
    ap.add_argument("--no-faiss", action="store_true")
    ap.add_argument("--repeat", type=int, default=2, help="best of this many runs")
    ap.add_argument("--seeding-only", action="store_true")
    ap.add_argument("--dtypes", default="float64,float32")
    a = ap.parse_args()

    X64, _ = make_blobs(a.n, a.d, centers=a.k, cluster_std=a.std, random_state=0)
    # Compile (or load from the numba cache) every variant on a small slice, untimed.
    for dt in a.dtypes.split(","):
        for alg in ("hamerly", "lloyd", "elkan"):
            small = X64[: 20 * a.k].astype(dt)
            KMeans(a.k, n_init=1, max_iter=3, random_state=0, algorithm=alg).fit(small)
            kmeans_plusplus(small, a.k, random_state=0)
    rows = []
    case0 = f"kmeans++ seeding n={a.n} d={a.d} k={a.k}"
    t, _ = timeit(lambda: kmeans_plusplus(X64, a.k, random_state=0), repeat=a.repeat)
    rows.append({"case": case0, "impl": "shoal", "seconds": t})
    t, _ = timeit(lambda: sk_kmeans_plusplus(X64, a.k, random_state=0), repeat=a.repeat)
    rows.append({"case": case0, "impl": "sklearn", "seconds": t})
    # Quality of the seeding (inertia after convergence over 10 seeds) is in the tests.
    if a.seeding_only:
        report("kmeans_seeding", rows, meta=vars(a))
        return
    init64, _ = kmeans_plusplus(X64, a.k, random_state=0)
    for dt in a.dtypes.split(","):
        X = X64.astype(dt)
        init = init64.astype(dt)
        case = f"{a.iters} iters n={a.n} d={a.d} k={a.k} {dt}"
        for alg in ("hamerly", "lloyd", "elkan"):
            km = KMeans(a.k, init=init, n_init=1, max_iter=a.iters, tol=0, algorithm=alg)
            t, _ = timeit(lambda km=km, X=X: km.fit(X), repeat=a.repeat)
            rows.append(
                {"case": case, "impl": f"shoal-{alg}", "seconds": t, "inertia": km.inertia_,
                 "n_iter": km.n_iter_}
            )  # fmt: skip
        for alg in ("lloyd", "elkan"):
            sk = SKKMeans(a.k, init=init, n_init=1, max_iter=a.iters, tol=0, algorithm=alg)
            t, _ = timeit(lambda sk=sk, X=X: sk.fit(X), repeat=a.repeat)
            rows.append(
                {"case": case, "impl": f"sklearn-{alg}", "seconds": t, "inertia": sk.inertia_,
                 "n_iter": sk.n_iter_}
            )  # fmt: skip
        if dt == "float32" and not a.no_faiss:
            import faiss

            def run_faiss(X=X, init=init):
                km = faiss.Kmeans(a.d, a.k, niter=a.iters, max_points_per_centroid=10**9)
                km.train(X, init_centroids=init)
                return km

            t, fk = timeit(run_faiss, repeat=a.repeat)
            _, lab = fk.index.search(X, 1)
            inertia = float(((X - fk.centroids[lab[:, 0]]) ** 2).sum(dtype=np.float64))
            rows.append({"case": case, "impl": "faiss-cpu", "seconds": t, "inertia": inertia})
        with threadpool_limits(limits=None):
            t = gemm_floor(X, init, a.iters)
        rows.append({"case": case, "impl": "gemm-floor", "seconds": t})
    report("kmeans", rows, meta=vars(a))


if __name__ == "__main__":
    main()
